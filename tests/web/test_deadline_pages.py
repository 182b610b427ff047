"""The deadline tracker, on the page and in the API, read onward page by page: each page
goes on after the last deadline of the one before, so ten years of deadlines neither
slow a late page nor skip or repeat one when a deadline is met between two pages."""

from __future__ import annotations

import re

from tests.web.api_task_steps import GRANT, started
from tests.web_app import read_onward, walk_pages
from web.pages import deadlines as tracker_page

ROW = re.compile(r'data-deadline-id="(\d+)"')


def granted(app, engine, bearer, cases: int = 3) -> None:
    client = app.test_client()
    for number in range(cases):
        _, task = started(engine, code=f"SI-PAGE-{number:04d}")
        assert client.post(f"/api/tasks/{task.id}/complete", json={"data": GRANT},
                           headers=bearer("police")).status_code == 200


def test_the_api_walks_the_deadlines_by_cursor_without_a_gap_or_a_repeat(app, engine,
                                                                         bearer):
    granted(app, engine, bearer)
    client, lawyer = app.test_client(), bearer("legal-adviser")
    everything = [d["id"] for d in client.get("/api/deadlines?limit=1000",
                                              headers=lawyer).get_json()]
    assert len(everything) >= 3
    pages = walk_pages(client, lawyer, "/api/deadlines?limit=2")
    assert [i for page in pages for i in page] == everything
    assert all(len(page) == 2 for page in pages[:-1])

    forged = client.get("/api/deadlines?after=bm90LWEtY3Vyc29y", headers=lawyer)
    assert forged.status_code == 400
    assert "is not a cursor of this list as it is sorted" in forged.get_json()["message"]


def test_the_tracker_page_reads_onward_and_says_how_many(app, engine, bearer, signed_in,
                                                          monkeypatch):
    granted(app, engine, bearer)
    monkeypatch.setattr(tracker_page, "PAGE_SIZE", 2)
    lawyer = signed_in("legal-adviser")
    everything = [d["id"] for d in app.test_client().get(
        "/api/deadlines?limit=1000", headers=bearer("legal-adviser")).get_json()]
    pages = read_onward(lawyer, "/deadlines/")
    seen = [int(i) for page in pages for i in ROW.findall(page)]
    assert seen == everything and len(pages) == -(-len(everything) // 2)
    assert all(f"{len(everything)} deadlines" in page for page in pages)
    assert 'rel="first"' not in pages[0] and all('rel="first"' in p for p in pages[1:])

    monkeypatch.setattr(tracker_page, "COUNT_CAP", 2)
    assert "more than 2 deadlines" in lawyer.get("/deadlines/").get_data(as_text=True)
    forged = lawyer.get("/deadlines/?after=bm90LWEtY3Vyc29y")
    assert forged.status_code == 400
    assert [int(i) for i in ROW.findall(forged.get_data(as_text=True))] == everything[:2]


def test_a_filter_with_a_character_no_row_can_hold_is_refused(app, engine, bearer,
                                                              signed_in):
    granted(app, engine, bearer, cases=1)
    client, lawyer = app.test_client(), bearer("legal-adviser")
    before = client.get("/api/deadlines", headers=lawyer).get_json()
    for query in ("kind=a%00b", "case=SI%00"):
        response = client.get(f"/api/deadlines?{query}", headers=lawyer)
        assert response.status_code == 422, query
        assert signed_in("legal-adviser").get(f"/deadlines/?{query}").status_code == 400
    assert client.get("/api/deadlines", headers=lawyer).get_json() == before
