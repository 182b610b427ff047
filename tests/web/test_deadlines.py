"""The legal deadline tracker, its filters, and the iCalendar feed a calendar app reads."""

from __future__ import annotations

import re

from icalendar import Calendar

from engine.identity.credentials import CALENDAR
from tests.web_app import csrf_of


def test_the_legal_adviser_sees_the_reflection_deadline_by_its_latest_safe_day(
        julija, signed_in):
    page = signed_in("legal-adviser").get("/deadlines/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    row = re.search(r'<tr class="deadline[^"]*"[^>]*data-kind="reflection_end">(.*?)</tr>',
                    html, re.S)
    assert row, html
    cells = row.group(1)
    assert "May 29, 2026" in re.search(r'class="safe-day">(.*?)</td>', cells).group(1)
    assert "May 31, 2026" in re.search(r'class="legal-date">(.*?)</td>', cells).group(1)
    # 2 March to Friday 29 May
    assert re.search(r'class="days-left">88', cells)
    assert "SI-7K3Q-9F2M" in cells


def test_filters_narrow_the_list_and_a_bad_one_says_why(julija, signed_in, engine):
    client = signed_in("legal-adviser")
    assert "reflection_end" in client.get("/deadlines/?within=100").get_data(as_text=True)
    assert 'data-kind="reflection_end"' not in client.get(
        "/deadlines/?within=30").get_data(as_text=True)
    assert 'data-kind="reflection_end"' not in client.get(
        "/deadlines/?kind=permit_expiry").get_data(as_text=True)
    assert 'data-kind="reflection_end"' not in client.get(
        "/deadlines/?missed=1").get_data(as_text=True)
    bad = client.get("/deadlines/?within=soon")
    assert bad.status_code == 400
    assert "is a number of days" in bad.get_data(as_text=True)


def test_a_deadline_left_open_past_its_legal_date_is_shown_missed(julija, signed_in, engine):
    julija.at("2026-06-01")
    html = signed_in("legal-adviser").get("/deadlines/?missed=1").get_data(as_text=True)
    row = re.search(r'<tr class="deadline ([^"]*)"[^>]*data-kind="reflection_end"', html)
    assert row and row.group(1) == "missed"


def test_an_actor_sees_only_the_deadlines_her_roles_own(julija, signed_in):
    html = signed_in("police").get("/deadlines/").get_data(as_text=True)
    assert 'data-kind="reflection_end"' not in html
    assert "No deadline matches" in html


def test_the_calendar_feed_has_one_event_on_the_latest_safe_day(julija, signed_in, app):
    client = signed_in("legal-adviser")
    page = client.get("/deadlines/").get_data(as_text=True)
    created = client.post("/deadlines/calendar", data={"csrf_token": csrf_of(page)})
    feed = re.search(r'id="calendar-feed" value="([^"]+)"', created.get_data(as_text=True))
    assert feed, created.get_data(as_text=True)
    path = feed.group(1).replace("http://localhost", "")
    answer = app.test_client().get(path)  # a calendar app: no cookie, no header
    assert answer.status_code == 200
    assert answer.mimetype == "text/calendar"
    calendar = Calendar.from_ical(answer.data)
    events = [e for e in calendar.walk("VEVENT") if "SI-7K3Q-9F2M" in str(e["summary"])]
    reflection = [e for e in events if "Legal date: May 31, 2026" in str(e["description"])]
    assert len(reflection) == 1
    event = reflection[0]
    assert event.decoded("dtstart").isoformat() == "2026-05-29"
    assert "Latest safe day: May 29, 2026" in str(event["description"])


def test_the_calendar_feed_refuses_a_wrong_or_missing_token(julija, app):
    client = app.test_client()
    for path in ("/api/deadlines.ics", "/api/deadlines.ics?token=not-a-token"):
        answer = client.get(path)
        assert answer.status_code == 401
        assert answer.get_json()["error"] == "unauthorized"


def test_a_token_in_the_url_opens_only_the_calendar_feed(julija, app, engine):
    token = engine.credentials.create_token("legal-adviser", "calendar", scope=CALENDAR,
                                            by="tests").token
    client = app.test_client()
    assert client.get(f"/api/deadlines.ics?token={token}").status_code == 200
    assert client.get(f"/api/deadlines?token={token}").status_code == 401
    assert client.get(f"/api/tasks/?token={token}").status_code == 401


def test_the_deadlines_api_lists_them_by_latest_safe_day(julija, app, bearer):
    answer = app.test_client().get("/api/deadlines?kind=reflection_end",
                                   headers=bearer("legal-adviser"))
    assert answer.status_code == 200
    [deadline] = answer.get_json()
    assert (deadline["latest_safe_day"], deadline["legal_date"], deadline["days_left"]) == (
        "2026-05-29", "2026-05-31", 88)
    assert app.test_client().get("/api/deadlines").status_code == 401
    bad = app.test_client().get("/api/deadlines?within_days=-1",
                                headers=bearer("legal-adviser"))
    assert bad.status_code == 400 and "within_days" in bad.get_json()["fields"]
