"""Forms of the individual assistance plan by phases, Bosnia and Herzegovina (seed 004).

The Guide to multidisciplinary cooperation in the rehabilitation, resocialisation,
reintegration and repatriation of victims of trafficking in BiH plans her assistance by
those four phases, each with indicators and target dates the service providers build into
the plan. The professional's report (izvještaj stručnog radnika) records what was reached;
an indicator not reached in its time goes to the monitoring team, which finds the problem
and starts the corrections. Her name is never part of the plan: the case code identifies
her.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError, validate, validates_schema

from engine.kit.roles import ROLES
from engine.kit.texts import translatable

from . import FORMS
from .base import FormSchema
from .fields import Section, only_when, rows
from .fields import choice as _choice
from .fields import day as _date
from .fields import flag as _flag
from .fields import line as _line
from .fields import text as _text

PHASES = ("rehabilitation", "resocialisation", "reintegration", "repatriation")
NEXT_STEPS = ("continue", "close")
CLOSE_REASONS = ("goals_reached", "she_left", "consent_withdrawn", "transferred")
CORRECTIONS = ("reschedule", "drop")
_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$",
                        error="Use a short code of letters, digits, '.', '-' or '_' "
                              "(at most 20), such as R-1.")


class Indicator(Section):
    id = _line("Code", "A short code, unique in the plan (e.g. R-1).", required=True,
               validate=_CODE)
    description = _text("Indicator", "The observable change that shows progress.",
                        required=True, validate=validate.Length(min=1))
    target_date = _date("Target date", "The day by which it should be reached; the "
                        "monitoring team is alerted the next morning if it is not.",
                        required=True)


class Phase(Section):
    phase = _choice(PHASES, "Phase", "Rehabilitation, resocialisation, reintegration, or "
                    "repatriation for a foreign victim going home.", required=True)
    goal = _text("Goal of the phase", "What should change in her life in this phase.",
                 required=True, validate=validate.Length(min=1))
    services = _text("Services", "Which support, how and how often.", required=True,
                     validate=validate.Length(min=1))
    provider_role = _choice(tuple(ROLES), "Provided by", "The role that provides them.",
                            required=True)
    target_date = _date("Target date of the phase", "When the phase should be complete.",
                        required=True)
    indicators = rows(Indicator, "Indicators", "At least one, each with its target date.",
                        required=True, validate=validate.Length(
                            min=1, error="Give the phase at least one indicator."))


def plan_indicators(variables: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The plan's indicators by code, as the procedure keeps them."""
    return {i["id"]: i for i in variables.get("indicators") or []}


@FORMS.register("assistance_plan_ba.draw_up")
class DrawUpAssistancePlan(FormSchema):
    title = "Individual assistance plan by phases"

    plan_date = _date("Agreed with her on", "The day the plan was agreed with her.",
                      past=True, required=True)
    phases = rows(Phase, "Phases", "The phases her assistance goes through, each once.",
                    required=True, validate=validate.Length(
                        min=1, error="Give the plan at least one phase."))

    @validates_schema
    def _phases(self, data: dict[str, Any], **_: Any) -> None:
        phases = [p["phase"] for p in data.get("phases") or []]
        if len(set(phases)) != len(phases):
            raise ValidationError(translatable("Each phase once only."), "phases")
        codes = [i["id"] for p in data.get("phases") or [] for i in p["indicators"]]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValidationError(translatable("Each indicator once only: {codes}.").format(
                codes=", ".join(twice)), "phases")
        planned = data.get("plan_date")
        for phase in data.get("phases") or []:
            for indicator in phase["indicators"]:
                if planned and indicator["target_date"] <= planned:
                    raise ValidationError(translatable(
                        "A target date comes after the day the plan was agreed."), "phases")


class Reached(Section):
    indicator_id = _line("Indicator", "Its code in the plan.", required=True)
    reached_on = _date("Reached on", "The day it was reached.", past=True, required=True)


def _known(variables: Mapping[str, Any], ids: Iterable[str], field: str) -> None:
    indicators = plan_indicators(variables)
    unknown = sorted(i for i in ids if i not in indicators
                     or indicators[i]["status"] != "open")
    if unknown:
        raise ValidationError(translatable("Not an open indicator of the plan: {codes}.")
                              .format(codes=", ".join(unknown)), field)


@FORMS.register("assistance_plan_ba.report")
class ProfessionalsReport(FormSchema):
    title = "The professional's report"
    builds_on = ("phases", "indicators")

    report_date = _date("Report of", "The day of the report.", past=True, required=True)
    phase = _choice(PHASES, "Phase reported on", "The phase she is in now.", required=True)
    indicators_reached = rows(Reached, "Indicators reached", "Each indicator reached "
                                "since the last report.", load_default=list)
    services_provided = _text("Services provided", "What was done in this period, by whom.",
                              required=True)
    phase_completed = _flag("The phase is complete", "Its goal is reached.",
                            load_default=False)
    plan_next_step = _choice(NEXT_STEPS, "Next", "Continue the plan, or close it.",
                             required=True)
    close_reason = only_when(_choice(CLOSE_REASONS, "Why it closes", "Her goals reached, "
                                     "she left, she withdrew her consent, or her case moved.",
                                     allow_none=True, load_default=None),
                             "plan_next_step", "close")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        _known(self.variables, [r["indicator_id"] for r in data.get("indicators_reached")
                                or []], "indicators_reached")
        if data.get("plan_next_step") == "close" and not data.get("close_reason"):
            raise ValidationError(translatable("Say why the plan closes."), "close_reason")


class Correction(Section):
    indicator_id = _line("Indicator", "Its code in the plan.", required=True)
    action = _choice(CORRECTIONS, "Correction", "A new target date, or dropped from the "
                     "plan.", required=True)
    target_date = only_when(_date("New target date", "When it should now be reached.",
                                  allow_none=True, load_default=None), "action",
                            "reschedule")


@FORMS.register("assistance_plan_ba.monitoring")
class MonitoringReview(FormSchema):
    title = "Indicators not reached in time"
    builds_on = ("overdue_indicators", "indicators")

    reviewed_on = _date("Reviewed on", "The day the team reviewed them.", past=True,
                        required=True)
    problem = _text("The problem", "Why they were not reached, as the team and the "
                    "providers found it.", required=True)
    corrections = rows(Correction, "Corrections", "For each indicator not reached: a new "
                         "target date, or dropped.", required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        corrections = data.get("corrections") or []
        _known(self.variables, [c["indicator_id"] for c in corrections], "corrections")
        missed = set(self.variables.get("overdue_indicators") or [])
        left = sorted(missed - {c["indicator_id"] for c in corrections})
        if left:
            raise ValidationError(translatable("Still to correct: {codes}.").format(
                codes=", ".join(left)), "corrections")
        for correction in corrections:
            day = correction.get("target_date")
            if correction["action"] == "reschedule" and (day is None or day <= self.today):
                raise ValidationError(translatable("A new target date comes after today."),
                                      "corrections")
