"""Legal numbers and the working-day calendar of one country, read from a TOML file.

Durations, limits and reminder offsets are data (``processes/jurisdictions/<code>.toml``)
so that adding Serbia or Bosnia and Herzegovina needs a file, not code. The file is
checked when the engine starts: a missing or nonsensical value stops start-up with the
name of the key, because a wrong number here silently moves every legal deadline.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from dateutil.relativedelta import relativedelta

from engine.kit.roles import ROLES

DEADLINE_BASIS: dict[str, tuple[str, ...]] = {
    "stay_decision_due": ("reflection.decision_months",),
    "reflection_end": ("reflection.days",),
    "extension_decision_due": ("reflection.days",),
    "lawful_stay_end": ("reflection.days", "reflection.extension_max_days"),
    "permit_application_due": ("reflection.days",),
    "cooperation_confirmation_due": ("permit.confirmation_days",),
    "appeal_due": ("appeal.days",),
    "permit_expiry": ("permit.min_months", "permit.max_months", "permit.renewal_max_months"),
    "renewal_application_due": ("permit.min_months", "permit.max_months",
                                "permit.renewal_max_months"),
    "further_permit_application_due": ("permit.min_months", "permit.max_months",
                                       "permit.renewal_max_months"),
    "school_enrolment_due": ("permit.min_months", "permit.max_months"),
    "plan_review_due": ("plan.review_interval_days",),
    "non_punishment_answer_due": ("non_punishment.answer_days",),
}
"""The numbers of the jurisdiction file each kind of deadline is counted from. A kind
not here (a plan's indicator, a claim's time limit entered by the adviser) rests on a
date people set, not on a number of the file."""

JURISDICTIONS = Path(__file__).resolve().parents[2] / "processes" / "jurisdictions"
DEFAULT_JURISDICTION = "si"


class JurisdictionError(ValueError):
    """A jurisdiction file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    law: str
    timezone: ZoneInfo
    holiday_calendar: str
    stay_decision_months: int
    """The latest the police decide on the permitted stay, from the start of the procedure."""
    reflection_days: int
    extension_max_days: int
    extensions_allowed: int
    reflection_warning_days: int
    permit_min_months: int
    permit_max_months: int
    renewal_max_months: int
    confirmation_days: int
    permit_warning_days: int
    appeal_days: int
    school_warning_days: int
    plan_review_days: int
    plan_review_reminder_days: int
    programme_review_days: int
    intake_session_max_minutes: int
    return_follow_up_days: int
    missing_review_days: int
    """While she is missing, the search is checked again this often (our design)."""
    missing_deadline_notice_days: int
    """When she disappears, the legal adviser hears of the legal deadlines of her case
    whose latest safe day falls within this many days (our design)."""
    non_punishment_answer_days: int
    """Days the authority deciding an offence she was compelled to commit is given to
    answer the submission not to prosecute or punish her (CETS Art. 26)."""
    reminder_offsets: tuple[int, ...]
    reminder_hour: int = 8
    """Local hour at which reminders and escalations are sent: the start of office hours."""
    retention_years: int = 10
    """How long a closed case is kept before it is listed for review (and erasure)."""
    holiday_subdivision: str | None = None
    """The part of the country whose own holidays close offices too (in Bosnia and
    Herzegovina: BIH the Federation, SRP Republika Srpska, BRC Brčko District)."""
    suppress_below: int = 5
    """Statistics show a count from 1 to one less than this only as suppressed: so few
    people could be recognised (GRETA and Eurostat publish with such a rule)."""
    unconfirmed: frozenset[str] = frozenset()
    """The keys (``reflection.days``) whose number the file marks ``unconfirmed = true``:
    not yet read in the text of the law, so every deadline counted from one of them is
    shown as resting on a legal basis still to be confirmed."""
    role_labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    """What a role is called here, in English, where it differs from the generic label
    (Slovenia's ``admin_unit`` is the upravna enota; in Serbia the police administration)."""
    procedures: frozenset[str] = frozenset()
    """The procedures (process keys) of this jurisdiction's own law: only its cases run
    them. A procedure no jurisdiction names serves every case."""

    def unconfirmed_basis(self, kind: str) -> tuple[str, ...]:
        """The keys a deadline of ``kind`` is counted from that the law's text has not
        confirmed; empty when its basis is confirmed or set by people, not by law."""
        return tuple(key for key in DEADLINE_BASIS.get(kind, ()) if key in self.unconfirmed)

    def at_reminder_hour(self, day: date) -> datetime:
        """``day`` at the reminder hour, local time, as an aware moment."""
        return datetime.combine(day, time(self.reminder_hour), tzinfo=self.timezone)

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays(self.holiday_calendar,
                                          subdiv=self.holiday_subdivision)

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a public holiday: the days offices are open."""
        return day.weekday() < 5 and day not in self._holidays

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day)

    def latest_safe_day(self, legal_date: date) -> date:
        """The last working day on or before ``legal_date``.

        An action due by an expiry (filing an application, enrolling) can only be done
        when offices are open, so a stay ending on a Saturday must be acted on by Friday.
        """
        day = legal_date
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def stay_decision_due(self, started: date) -> date:
        """The legal date of the decision on the permitted stay."""
        return add_months(started, self.stay_decision_months)

    def reflection_end(self, decided: date) -> date:
        """Last day of the permitted stay: counted from the day after the decision."""
        return decided + timedelta(days=self.reflection_days)

    def appeal_due(self, served: date) -> date:
        """Last day to appeal a decision served on ``served``: counted from the day after."""
        return served + timedelta(days=self.appeal_days)

    def warning_morning(self, safe_day: date, days_before: int) -> datetime:
        """The reminder hour ``days_before`` days before ``safe_day``: when a procedure
        asks an actor to act on a deadline that needs weeks of work."""
        return self.at_reminder_hour(safe_day - timedelta(days=days_before))

    def permit_valid_until(self, issued: date, expected_months: int) -> date:
        """A permit covers the expected proceedings, clamped to the legal minimum and maximum."""
        months = min(max(expected_months, self.permit_min_months), self.permit_max_months)
        return add_months(issued, months)


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months; the 31st becomes the last day of a shorter month."""
    return day + relativedelta(months=months)


def load_jurisdiction(path: Path) -> Jurisdiction:
    """Read and check one jurisdiction file."""
    document = _document(path, ())
    read = _Reader(path, document)
    zone_name = read.text("jurisdiction.timezone")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise read.error("jurisdiction.timezone", f"unknown time zone {zone_name!r}") from exc
    calendar = read.text("jurisdiction.holiday_calendar")
    if calendar not in holidays.list_supported_countries():
        raise read.error("jurisdiction.holiday_calendar",
                         f"unknown holiday calendar {calendar!r}")
    subdivision = document["jurisdiction"].get("holiday_subdivision")
    if subdivision is not None and (
            not isinstance(subdivision, str)
            or subdivision not in holidays.list_supported_countries()[calendar]):
        known = ", ".join(holidays.list_supported_countries()[calendar]) or "none"
        raise read.error("jurisdiction.holiday_subdivision",
                         f"{subdivision!r} is not a part of {calendar} with its own holidays "
                         f"(known: {known})")
    permit_min = read.positive("permit.min_months")
    permit_max = read.positive("permit.max_months")
    if permit_min > permit_max:
        raise read.error("permit.min_months",
                         f"{permit_min} is more than permit.max_months ({permit_max})")
    offsets = read.value("reminders.offsets_days")
    if (not isinstance(offsets, list) or not offsets
            or not all(isinstance(o, int) and not isinstance(o, bool) and o > 0
                       for o in offsets)):
        raise read.error("reminders.offsets_days", "give a list of positive whole days")
    return Jurisdiction(
        code=read.text("jurisdiction.code"),
        name=read.text("jurisdiction.name"),
        law=read.text("jurisdiction.law"),
        timezone=zone,
        holiday_calendar=calendar,
        stay_decision_months=read.positive("reflection.decision_months"),
        reflection_days=read.positive("reflection.days"),
        extension_max_days=read.positive("reflection.extension_max_days"),
        extensions_allowed=read.whole("reflection.extensions_allowed"),
        reflection_warning_days=read.whole("reflection.warning_days"),
        permit_min_months=permit_min,
        permit_max_months=permit_max,
        renewal_max_months=read.positive("permit.renewal_max_months"),
        confirmation_days=read.positive("permit.confirmation_days"),
        permit_warning_days=read.whole("permit.expiry_warning_days"),
        appeal_days=read.positive("appeal.days"),
        school_warning_days=read.whole("school.warning_days"),
        plan_review_days=read.positive("plan.review_interval_days"),
        plan_review_reminder_days=read.positive("plan.review_reminder_days"),
        programme_review_days=read.positive("programme.review_interval_days"),
        intake_session_max_minutes=read.positive("programme.session_max_minutes"),
        return_follow_up_days=read.positive("return.follow_up_days"),
        missing_review_days=read.positive("missing.review_days"),
        missing_deadline_notice_days=read.positive("missing.deadline_notice_days"),
        non_punishment_answer_days=read.positive("non_punishment.answer_days"),
        reminder_offsets=tuple(sorted(set(offsets), reverse=True)),
        reminder_hour=_hour(read, "reminders.hour"),
        retention_years=read.positive("records.retention_years"),
        holiday_subdivision=subdivision,
        suppress_below=read.positive("statistics.suppress_below")
        if "statistics" in document else 5,
        unconfirmed=frozenset(read.unconfirmed),
        role_labels=_role_labels(read, document.get("roles", {})),
        procedures=frozenset(_procedures(read, document.get("procedures", {}))),
    )


def _document(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    """The file's tables, over those of the file it ``extends`` (a part of a country
    over the whole: Republika Srpska's file names its holidays and keeps the state's
    law). A key of the part replaces the same key of the whole."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise JurisdictionError(f"{path}: no such jurisdiction file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise JurisdictionError(f"{path}: not valid TOML: {exc}") from exc
    base = document.pop("extends", None)
    if base is None:
        return document
    if not isinstance(base, str) or not base.replace("-", "").isalnum():
        raise JurisdictionError(f"{path.name}: extends: give the name of a file in the same "
                                f"folder without .toml, not {base!r}")
    parent = path.parent / f"{base.lower()}.toml"
    if parent in seen or parent == path:
        raise JurisdictionError(f"{path.name}: extends: {base!r} extends it in turn")
    merged = _document(parent, (*seen, path))
    for name, table in document.items():
        if isinstance(table, dict) and isinstance(merged.get(name), dict):
            merged[name] = {**merged[name], **table}
        else:
            merged[name] = table
    return merged


def _role_labels(read: _Reader, section: Any) -> dict[str, str]:
    """``[roles]``: a role key to what the role is called here; a key the procedures do
    not know is refused, as a misspelt one would silently keep the generic label."""
    if not isinstance(section, dict):
        raise read.error("roles", "must be a table of role = \"label\"")
    for role, label in section.items():
        if role not in ROLES:
            raise read.error(f"roles.{role}", f"not a role (known: {', '.join(ROLES)})")
        if not isinstance(label, str) or not label.strip():
            raise read.error(f"roles.{role}", "must be a non-empty text")
    return dict(section)


def _procedures(read: _Reader, section: Any) -> list[str]:
    """``[procedures] own = [...]``: the process keys of this jurisdiction's own law."""
    own = section.get("own", []) if isinstance(section, dict) else None
    if not isinstance(own, list) or not all(isinstance(k, str) and k for k in own):
        raise read.error("procedures.own", "give a list of process keys")
    return own


def _hour(read: _Reader, key: str) -> int:
    value = read.whole(key)
    if value > 23:
        raise read.error(key, f"must be an hour of the day, 0-23, not {value}")
    return value


@lru_cache(maxsize=16)
class Jurisdictions:
    """The jurisdictions one deployment serves: every file of its folder, by code, read
    once; ``default`` for a case opened without one (the deployment's own)."""

    def __init__(self, default: Jurisdiction, folder: Path = JURISDICTIONS) -> None:
        self.default = default
        self._folder = folder
        self._by_code: dict[str, Jurisdiction] | None = None

    def _all(self) -> dict[str, Jurisdiction]:
        if self._by_code is None:
            found = {j.code: j for j in (load_jurisdiction(path)
                                         for path in sorted(self._folder.glob("*.toml")))}
            found[self.default.code] = self.default
            self._by_code = found
        return self._by_code

    def codes(self) -> list[str]:
        return sorted(self._all())

    def get(self, code: str | None) -> Jurisdiction:
        """The jurisdiction of ``code`` (``SI``), the default for None; an unknown code is
        a :class:`JurisdictionError`."""
        if code is None:
            return self.default
        found = self._all().get(code.upper())
        if found is None:
            raise JurisdictionError(f"{code!r} is not a jurisdiction of this deployment "
                                    f"(known: {', '.join(self.codes())})")
        return found


def jurisdiction(code: str = DEFAULT_JURISDICTION, folder: Path = JURISDICTIONS) -> Jurisdiction:
    """The jurisdiction ``code`` (file ``<code>.toml`` in ``folder``), read once."""
    return load_jurisdiction(folder / f"{code.lower()}.toml")


class _Reader:
    """Typed access to dotted keys, with errors that name the file and the key."""

    def __init__(self, path: Path, document: dict[str, Any]) -> None:
        self.path, self.document = path, document
        self.unconfirmed: set[str] = set()

    def error(self, key: str, problem: str) -> JurisdictionError:
        return JurisdictionError(f"{self.path.name}: {key}: {problem}")

    def value(self, key: str) -> Any:
        """The value at ``key``; a number written ``{ value = 30, unconfirmed = true }``
        is its value, and its key is remembered in :attr:`unconfirmed`."""
        node: Any = self.document
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise self.error(key, "missing")
            node = node[part]
        if isinstance(node, dict):
            if "value" not in node or set(node) - {"value", "unconfirmed"}:
                raise self.error(key, "write a number, or { value = ..., unconfirmed = true }")
            flag = node.get("unconfirmed", False)
            if not isinstance(flag, bool):
                raise self.error(key, f"unconfirmed must be true or false, not {flag!r}")
            if flag:
                self.unconfirmed.add(key)
            node = node["value"]
        return node

    def text(self, key: str) -> str:
        value = self.value(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty text")
        return value

    def whole(self, key: str) -> int:
        value = self.value(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, f"must be a whole number of 0 or more, not {value!r}")
        return value

    def positive(self, key: str) -> int:
        value = self.whole(key)
        if value == 0:
            raise self.error(key, "must be more than 0")
        return value
