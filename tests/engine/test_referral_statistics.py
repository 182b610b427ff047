"""The referral mechanism's statistics: people identified by sex and age, citizenship,
form of exploitation and sector, and the stays decided, by quarter; small counts
suppressed, also where the others would give them away; no case in what comes out."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from engine.errors import BadRequest
from forms.examples import FORMAL, PRELIMINARY
from forms.examples import REFERRAL_CONSENT as CONSENT
from tests.conftest import PROCESSES
from tests.processes.steps import complete

GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-02",
         "victim_category": "trafficking", "informed_of_permit": True,
         "interpreter_provided": True}


def identify(engine, code: str, **facts: str) -> None:
    instance = engine.runtime.start("identification", code, actor="officer")
    complete(engine, instance.id, "record_preliminary", PRELIMINARY, "officer")
    complete(engine, instance.id, "ask_referral_consent", CONSENT, "officer")
    complete(engine, instance.id, "formal_identification", {**FORMAL, **facts}, "coord")


def table(stats, key: str) -> dict[str, list[int | None]]:
    [found] = [t for t in stats.tables if t.key == key]
    return {row.category: row.counts for row in found.rows}


@pytest.fixture
def counted(engine):
    """Six women from Ukraine and one man from Nigeria identified in March 2026; two
    permitted stays granted."""
    engine.repository.deploy(PROCESSES)
    for n in range(6):
        identify(engine, f"SI-2026-010{n}", sex="female", citizenship="UA")
    identify(engine, "SI-2026-0200", sex="male", citizenship="NG")
    for code in ("SI-2026-0300", "SI-2026-0301"):
        stay = engine.runtime.start("reflection_period", code)
        [grant] = [t for t in stay.open_tasks if t.element_id == "grant_permitted_stay"]
        engine.tasks.complete(grant.id, "officer", GRANT)
    return engine


def test_people_identified_are_counted_by_quarter_and_small_counts_suppressed(counted):
    stats = counted.statistics.year(2026, actor="analyst")
    assert (stats.periods, stats.threshold) == (["Q1", "Q2", "Q3", "Q4", "year"], 5)
    assert table(stats, "identified") == {"all": [7, 0, 0, 0, 7]}
    by_sex = table(stats, "by_sex_and_age")
    assert by_sex["adult_male"] == [None, 0, 0, 0, None]  # one man: suppressed
    # six women would give him away beside the total of seven: suppressed too
    assert by_sex["adult_female"] == [None, 0, 0, 0, None]
    assert by_sex["child_female"] == [0, 0, 0, 0, 0]
    assert table(stats, "by_citizenship") == {"NG": [None, 0, 0, 0, None],
                                              "UA": [None, 0, 0, 0, None]}
    assert table(stats, "by_exploitation") == {"labour": [7, 0, 0, 0, 7]}
    assert table(stats, "by_sector") == {"police": [7, 0, 0, 0, 7]}
    assert table(stats, "permitted_stays") == {"granted": [None, 0, 0, 0, None],
                                               "extended": [0, 0, 0, 0, 0],
                                               "refused": [0, 0, 0, 0, 0]}


def test_nothing_of_a_case_comes_out_and_compiling_is_recorded(counted):
    stats = counted.statistics.year(2026, actor="analyst")
    text = json.dumps(stats.to_dict())
    assert "SI-2026" not in text and "2026-03" not in text
    assert counted.history.events(event_type="statistics_compiled")[-1].actor == "analyst"
    assert table(counted.statistics.year(2025), "identified") == {"all": [0, 0, 0, 0, 0]}
    with pytest.raises(BadRequest):
        counted.statistics.year(99999)


def test_the_jurisdiction_file_sets_the_threshold(counted):
    counted.ctx.jurisdiction = replace(counted.ctx.jurisdiction, suppress_below=1)
    by_sex = table(counted.statistics.year(2026), "by_sex_and_age")
    assert (by_sex["adult_female"], by_sex["adult_male"]) == ([6, 0, 0, 0, 6],
                                                              [1, 0, 0, 0, 1])
