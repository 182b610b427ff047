"""The inbox as the navigation shows it: her unread notices counted on every page, each
notice linked to its case for the roles that read cases, and nothing marked read unless
she ticked it or asked for all."""

from __future__ import annotations

from tests.web_app import csrf_of


def test_the_navigation_counts_her_unread_notices(app, signed_in, engine, julija):
    unread = engine.inbox.unread_count("coordinator")
    assert unread > 0
    page = signed_in("coordinator").get("/worklist").get_data(as_text=True)
    assert f'id="unread-count">{unread}<' in page


def test_nothing_ticked_marks_nothing_and_all_is_asked_for_by_name(app, signed_in, engine,
                                                                   julija):
    coordinator = signed_in("coordinator")
    unread = engine.inbox.unread_count("coordinator")
    page = coordinator.get("/inbox").get_data(as_text=True)
    assert f'href="/cases/{julija.code}"' in page
    token = csrf_of(page)

    answer = coordinator.post("/inbox/read", data={"csrf_token": token},
                              follow_redirects=True)
    assert "Tick the notices to mark as read." in answer.get_data(as_text=True)
    assert engine.inbox.unread_count("coordinator") == unread

    newest = engine.inbox.inbox("coordinator")[0].id
    coordinator.post("/inbox/read", data={"csrf_token": token, "id": str(newest)})
    assert engine.inbox.unread_count("coordinator") == unread - 1

    coordinator.post("/inbox/read", data={"csrf_token": token, "all": "1"})
    assert engine.inbox.unread_count("coordinator") == 0
    assert 'id="unread-count"' not in coordinator.get("/inbox").get_data(as_text=True)


def test_a_role_that_reads_no_case_gets_no_link_to_one(app, signed_in, engine, julija):
    police = signed_in("police")
    assert engine.inbox.unread_count("police") > 0
    page = police.get("/inbox").get_data(as_text=True)
    assert julija.code in page and f'href="/cases/{julija.code}"' not in page
