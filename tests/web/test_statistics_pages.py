"""/statistics: the referral mechanism's counts for a year, on a printable page and as
CSV, for analysts and coordinators; small counts suppressed; no case in either."""

from __future__ import annotations

import csv
import io

from forms.examples import FORMAL, PRELIMINARY
from forms.examples import REFERRAL_CONSENT as CONSENT


def identify(engine, code: str) -> None:
    instance = engine.runtime.start("identification", code, actor="officer")
    for element, data in (("record_preliminary", PRELIMINARY),
                          ("ask_referral_consent", CONSENT),
                          ("formal_identification",
                           {**FORMAL, "sex": "female", "citizenship": "UA"})):
        [task] = [t for t in engine.runtime.instance(instance.id).open_tasks
                  if t.element_id == element]
        engine.tasks.complete(task.id, "officer", data)


def test_an_analyst_reads_the_year_and_downloads_it(app, signed_in, engine):
    identify(engine, "SI-2026-0101")
    analyst = signed_in("policy-analyst")
    page = analyst.get("/statistics/?year=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "People identified as victims" in html and "Ukraine" in html
    assert '<td class="suppressed">&lt;5</td>' in html
    assert "SI-2026-0101" not in html

    download = analyst.get("/statistics/referral.csv?year=2026")
    assert download.mimetype == "text/csv"
    assert "referral-statistics-2026.csv" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert rows[0] == ["table", "category", "Q1", "Q2", "Q3", "Q4", "year"]
    assert ["identified", "all", "<5", "0", "0", "0", "<5"] in rows
    assert ["by_citizenship", "UA", "<5", "0", "0", "0", "<5"] in rows
    assert "SI-2026" not in download.get_data(as_text=True)


def test_only_those_who_read_statistics_see_them_and_a_bad_year_is_refused(app, signed_in):
    assert signed_in("coordinator").get("/statistics/").status_code == 200
    for role in ("police", "legal-adviser", "ngo-counsellor"):
        assert signed_in(role).get("/statistics/").status_code == 403, role
        assert signed_in(role).get("/statistics/referral.csv").status_code == 403, role
    analyst = signed_in("policy-analyst")
    assert analyst.get("/statistics/?year=twenty").status_code == 400
    assert analyst.get("/statistics/?year=99999").status_code == 400
    assert analyst.get("/statistics/referral.csv?year=-1").status_code == 400
