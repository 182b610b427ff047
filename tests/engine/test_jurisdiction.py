"""Legal numbers come from processes/jurisdictions/*.toml and are checked at start-up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine import EngineConfig, ProcessEngine
from engine.kit.jurisdiction import JURISDICTIONS, JurisdictionError, jurisdiction
from tests.product import product_config

SI = jurisdiction("si")


@pytest.mark.parametrize(("granted", "end", "safe_day"), [
    ("2026-03-01", "2026-05-30", "2026-05-29"),  # ends on a Saturday -> Friday
    ("2026-09-30", "2026-12-29", "2026-12-29"),  # a Tuesday is its own latest safe day
    ("2026-09-27", "2026-12-26", "2026-12-24"),  # 26th and 25th are holidays
    ("2026-01-06", "2026-04-06", "2026-04-03"),  # Easter Monday, then the weekend
])
def test_reflection_end_and_latest_safe_day(granted, end, safe_day):
    legal = SI.reflection_end(date.fromisoformat(granted))
    assert legal.isoformat() == end
    assert SI.latest_safe_day(legal).isoformat() == safe_day


def test_permit_validity_is_clamped_to_six_and_twelve_months():
    issued = date(2026, 6, 10)
    assert SI.permit_valid_until(issued, 3) == date(2026, 12, 10)
    assert SI.permit_valid_until(issued, 9) == date(2027, 3, 10)
    assert SI.permit_valid_until(issued, 20) == date(2027, 6, 10)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "xx.toml"
    path.write_text(text, encoding="utf-8")
    return tmp_path


def _with(replace: str, by: str) -> str:
    original = (JURISDICTIONS / "si.toml").read_text(encoding="utf-8")
    assert replace in original
    return original.replace(replace, by)


@pytest.mark.parametrize(("replace", "by", "key"), [
    ("days = 90 ", "days = -90 ", "reflection.days"),
    ("min_months = 6 ", "min_months = 13 ", "permit.min_months"),
    ('holiday_calendar = "SI"', 'holiday_calendar = "XX"', "jurisdiction.holiday_calendar"),
    ('timezone = "Europe/Ljubljana"', 'timezone = "Europe/Atlantis"', "jurisdiction.timezone"),
    ("renewal_max_months = 12 ", "", "permit.renewal_max_months"),
    ("offsets_days = [30, 14, 7, 3, 1]", "offsets_days = [30, -1]", "reminders.offsets_days"),
    ("hour = 8 ", "hour = 25 ", "reminders.hour"),
    ("extension_max_days = 90 ", "extension_max_days = 0 ", "reflection.extension_max_days"),
    ("extensions_allowed = 1 ", "extensions_allowed = -1 ", "reflection.extensions_allowed"),
    ("warning_days = 14 ", 'warning_days = "two weeks" ', "reflection.warning_days"),
    ("\nmax_months = 12 ", "\nmax_months = 0 ", "permit.max_months"),
    ("confirmation_days = 30 ", "", "permit.confirmation_days"),
    ("expiry_warning_days = 42 ", "expiry_warning_days = 4.2 ", "permit.expiry_warning_days"),
    ("days = 15 ", "days = 0 ", "appeal.days"),
    ("warning_days = 56 ", "warning_days = -56 ", "school.warning_days"),
    ("review_interval_days = 90 ", "review_interval_days = 0 ", "plan.review_interval_days"),
    ("review_reminder_days = 7 ", "", "plan.review_reminder_days"),
    ("review_interval_days = 30 ", "review_interval_days = true ",
     "programme.review_interval_days"),
    ("session_max_minutes = 90 ", "session_max_minutes = -90 ", "programme.session_max_minutes"),
    ("follow_up_days = 30 ", "", "return.follow_up_days"),
    ("answer_days = 30 ", "answer_days = 0 ", "non_punishment.answer_days"),
    ("retention_years = 10 ", "retention_years = 0 ", "records.retention_years"),
    ("days = 90 ", "days = { value = 90, unconfirmed = \"maybe\" } ", "reflection.days"),
    ("days = 90 ", "days = { unconfirmed = true } ", "reflection.days"),
    ("days = 90 ", "days = { value = 90, source = \"Art. 1\" } ", "reflection.days"),
    ("days = 90 ", "days = { value = -90, unconfirmed = true } ", "reflection.days"),
    ("# [roles]", "[roles]\nconsul = \"Consulate\"\n#", "roles.consul"),
    ("# [roles]", "[roles]\npolice = \"\"\n#", "roles.police"),
    ("own = [", "own = 3\nx = [", "procedures.own"),
])
def test_a_bad_jurisdiction_file_names_the_key(tmp_path, replace, by, key):
    folder = _write(tmp_path, _with(replace, by))
    with pytest.raises(JurisdictionError, match=key):
        jurisdiction("xx", folder)


def test_another_country_is_a_file_not_code(tmp_path):
    text = _with('code = "SI"', 'code = "RS"').replace('holiday_calendar = "SI"',
                                                       'holiday_calendar = "RS"')
    text = text.replace('timezone = "Europe/Ljubljana"', 'timezone = "Europe/Belgrade"')
    serbia = jurisdiction("xx", _write(tmp_path, text.replace("days = 90 ", "days = 30 ")))
    assert serbia.code == "RS" and serbia.reflection_days == 30
    assert serbia.reflection_end(date(2026, 3, 1)) == date(2026, 3, 31)
    assert not serbia.is_working_day(date(2026, 1, 7))  # Orthodox Christmas


def test_a_number_not_confirmed_in_the_law_is_marked_on_its_deadlines(tmp_path):
    """A number the text of the law did not confirm still counts, and every kind of
    deadline counted from it says so; the others do not."""
    text = _with("\ndays = 90 ", "\ndays = { value = 30, unconfirmed = true } ")
    place = jurisdiction("xx", _write(tmp_path, text.replace(
        "days = 15 ", "days = { value = 8, unconfirmed = false } ")))
    assert place.reflection_days == 30 and place.appeal_days == 8
    assert place.unconfirmed == {"reflection.days"}
    assert place.unconfirmed_basis("reflection_end") == ("reflection.days",)
    assert place.unconfirmed_basis("lawful_stay_end") == ("reflection.days",)
    assert place.unconfirmed_basis("appeal_due") == ()
    assert place.unconfirmed_basis("indicator_due") == ()  # a date people set
    assert SI.unconfirmed == frozenset()


def test_a_jurisdiction_names_its_roles_and_its_own_procedures(tmp_path):
    text = _with("# [roles]", '[roles]\nadmin_unit = "Police administration for '
                              'foreigners"\n#')
    place = jurisdiction("xx", _write(tmp_path, text))
    assert place.role_labels == {"admin_unit": "Police administration for foreigners"}
    assert "residence_permit_art50" in place.procedures
    assert SI.role_labels == {} and "identification" not in SI.procedures


def test_a_part_of_a_country_extends_the_whole_with_its_own_holidays(tmp_path):
    """Republika Srpska's file keeps the state's law and numbers and adds its holidays
    and the name of its monitoring team."""
    (tmp_path / "xx.toml").write_text(_with("\ndays = 90 ", "\ndays = { value = 30, "
                                            "unconfirmed = true } "), encoding="utf-8")
    (tmp_path / "xx-srp.toml").write_text(
        'extends = "xx"\n[jurisdiction]\ncode = "XX-SRP"\nholiday_calendar = "BA"\n'
        'holiday_subdivision = "SRP"\n[roles]\nmonitoring_team = "Regional team"\n'
        '[reflection]\nwarning_days = 7\n', encoding="utf-8")
    part = jurisdiction("xx-srp", tmp_path)
    assert (part.code, part.holiday_subdivision, part.name) == ("XX-SRP", "SRP", "Slovenia")
    assert (part.reflection_days, part.reflection_warning_days, part.appeal_days) == (30, 7, 15)
    assert part.unconfirmed == {"reflection.days"}  # the whole's mark holds for the part
    assert part.role_labels == {"monitoring_team": "Regional team"}
    assert not part.is_working_day(date(2027, 1, 14))  # the Orthodox New Year

    broken = {"a": ('extends = "missing"\n', "no such jurisdiction file"),
              "b": ('extends = "../si"\n', "extends: give the name of a file"),
              "c": ('extends = "d"\n', "extends it in turn"),
              "d": ('extends = "c"\n', "extends it in turn")}
    for name, (text, _) in broken.items():
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    for name, (_, problem) in broken.items():
        with pytest.raises(JurisdictionError, match=problem):
            jurisdiction(name, tmp_path)


def test_a_part_of_a_country_keeps_its_own_holidays(tmp_path):
    """Bosnia and Herzegovina: the state's holidays everywhere, the entity's where it
    applies (1 March in the Federation, the Orthodox New Year in Republika Srpska)."""
    text = _with('code = "SI"', 'code = "BA"').replace('holiday_calendar = "SI"',
                                                       'holiday_calendar = "BA"')

    def part(subdivision: str) -> object:
        folder = tmp_path / subdivision
        folder.mkdir()
        return jurisdiction("xx", _write(folder, text.replace(
            'holiday_calendar = "BA"',
            f'holiday_calendar = "BA"\nholiday_subdivision = "{subdivision}"')))

    federation, srpska = part("BIH"), part("SRP")
    assert federation.holiday_name(date(2026, 3, 1)) == "Independence Day"
    assert srpska.is_working_day(date(2026, 11, 25))  # the Federation's Statehood Day
    assert not srpska.is_working_day(date(2026, 1, 14))  # Orthodox New Year
    assert federation.is_working_day(date(2026, 1, 14))
    assert srpska.latest_safe_day(date(2026, 1, 14)) == date(2026, 1, 13)
    with pytest.raises(JurisdictionError, match="jurisdiction.holiday_subdivision.*SRP"):
        part("XYZ")


def test_the_engine_reads_the_jurisdiction_from_the_configured_folder(tmp_path):
    folder = _write(tmp_path, _with("days = 90 ", "days = 30 "))
    config = EngineConfig.from_env({"VARNAPOT_JURISDICTION": "xx",
                                    "VARNAPOT_JURISDICTIONS": str(folder)})
    assert (config.jurisdiction, config.jurisdiction_folder) == ("xx", folder)
    assert EngineConfig.from_env({}).jurisdiction_folder == JURISDICTIONS
    engine = ProcessEngine(product_config(database_url=f"sqlite:///{tmp_path / 'x.db'}",
                                        jurisdiction="xx", jurisdiction_folder=folder))
    try:
        assert engine.jurisdiction.reflection_days == 30
    finally:
        engine.close()


def test_the_engine_refuses_to_start_with_an_unknown_jurisdiction(tmp_path):
    with pytest.raises(JurisdictionError, match="no such jurisdiction file"):
        ProcessEngine(product_config(database_url=f"sqlite:///{tmp_path / 'x.db'}",
                                   jurisdiction="atlantis"))
