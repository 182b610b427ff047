"""Field builders shared by every form: each field carries a label and a help text.

The web worklist renders forms from this metadata, so a field without a label or a help
text would show the actor a bare variable name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from engine.kit.texts import translatable

F = TypeVar("F", bound=fields.Field)


def choice(choices: tuple[str, ...], label: str, help_text: str, *,
           labels: Mapping[str, str] | None = None, **kwargs: Any) -> fields.String:
    """One of ``choices``, stored as the key; ``labels`` are what the form shows."""
    return fields.String(
        validate=validate.OneOf(choices, error="Choose one of: {choices}."),
        metadata={"label": label, "help": help_text, "choices": list(choices),
                  "choice_labels": dict(labels or {})}, **kwargs)


def choices(options: tuple[str, ...], label: str, help_text: str, *,
            labels: Mapping[str, str] | None = None, **kwargs: Any) -> fields.List:
    """Several of ``options``, such as an indicator checklist; ``labels`` as for choice."""
    return fields.List(
        fields.String(validate=validate.OneOf(options, error="Choose from: {choices}.")),
        metadata={"label": label, "help": help_text, "choices": list(options),
                  "choice_labels": dict(labels or {}), "multiple": True}, **kwargs)


def day(label: str, help_text: str, *, past: bool = False, identifying: bool = False,
        **kwargs: Any) -> fields.Date:
    """A legal date: a calendar day with no time, in the jurisdiction's time zone.

    ``past`` marks a day on which something already happened: the form refuses a day
    after the engine's today, and the web form can show the same limit.
    ``identifying`` marks her date of birth and the like (see engine.privacy).
    """
    metadata: dict[str, Any] = {"label": label, "help": help_text}
    if past:
        metadata["past"] = True
    if identifying:
        metadata["personal"] = "identity"
    return fields.Date(metadata=metadata, **kwargs)


def text(label: str, help_text: str, *, for_proceedings: bool = False,
         **kwargs: Any) -> fields.String:
    """Free text in her or the actor's words: a narrative, need-to-know (engine.privacy).

    ``for_proceedings`` marks what she chose to disclose for the criminal proceedings: the
    prosecutor reads it, and no other free text of hers. Say so in the help text, so that
    whoever writes it down with her writes only what she agreed to give.
    """
    kind = "disclosed" if for_proceedings else "narrative"
    return fields.String(metadata={"label": label, "help": help_text, "multiline": True,
                                   "personal": kind}, **kwargs)


def line(label: str, help_text: str, *, identifying: bool = False,
         **kwargs: Any) -> fields.String:
    """One line of text; ``identifying`` marks what tells who she is (citizenship...)."""
    metadata: dict[str, Any] = {"label": label, "help": help_text}
    if identifying:
        metadata["personal"] = "identity"
    return fields.String(metadata=metadata, **kwargs)


def flag(label: str, help_text: str, **kwargs: Any) -> fields.Boolean:
    return fields.Boolean(metadata={"label": label, "help": help_text}, **kwargs)


def number(label: str, help_text: str, low: int, high: int, error: str,
           **kwargs: Any) -> fields.Integer:
    """A whole number in ``low..high``; ``error`` says the rule in plain words."""
    return fields.Integer(validate=validate.Range(low, high, error=error),
                          metadata={"label": label, "help": help_text}, **kwargs)


class Section(Schema):
    """A part of a form nested in it (a goal, a phase, an indicator); unknown keys are
    refused as in every form."""

    class Meta:
        unknown = RAISE


def rows(schema: type[Schema], label: str, help_text: str, **kwargs: Any) -> fields.List:
    """Several rows of ``schema`` that the page lets her add and remove."""
    return fields.List(fields.Nested(schema),
                       metadata={"label": label, "help": help_text, "multiple": True},
                       **kwargs)


def served_after(decided: Any, served: Any, field: str) -> None:
    """A decision is served on or after the day it is made; ``field`` holds the service."""
    if decided and served and served < decided:
        raise ValidationError("A decision is served on or after the day it is made.", field)


def check_appeal(data: Mapping[str, Any], served: date | None, filed_too_early: str) -> None:
    """She appeals, on a day not before the decision was served (``filed_too_early`` says
    which decision), or she does not, with her reason and no filing day."""
    if data.get("appeal_filed"):
        if not data.get("appeal_filed_on"):
            raise ValidationError("Give the day the appeal was filed.", "appeal_filed_on")
        if served and data["appeal_filed_on"] < served:
            raise ValidationError(filed_too_early, "appeal_filed_on")
        return
    if data.get("appeal_filed_on"):
        raise ValidationError("Without an appeal there is no filing date.", "appeal_filed_on")
    if not (data.get("reason_not_appealed") or "").strip():
        raise ValidationError("Say why she does not appeal.", "reason_not_appealed")


def check_appeal_decision(data: Mapping[str, Any], filed: date | None) -> None:
    """The decision on an appeal is served on or after the day it is made, which is not
    before the appeal was filed."""
    decided, served = data.get("appeal_decided_on"), data.get("appeal_decision_served_on")
    served_after(decided, served, "appeal_decision_served_on")
    if decided and filed and decided < filed:
        raise ValidationError(translatable("The appeal was filed on {filed}: it cannot be "
                                           "decided before.").format(filed=filed.isoformat()),
                              "appeal_decided_on")


def prefilled(field: F, variable: str) -> F:
    """``field`` offered already filled with what an earlier step recorded in
    ``variable`` (the indicators the first-line officer noticed, for the formal
    identification to confirm or untick): she sees it and may change it; nothing is
    submitted that she did not see."""
    field.metadata["prefill"] = variable
    return field


def first_by(field: F, controlling: str, groups: Mapping[str, Sequence[str]],
             others: str) -> F:
    """A list of choices whose order follows another field's answer: the choices in
    ``groups[answer]`` come first, in that order, and the rest fold under ``others``
    (the indicators of the officer's own sector first). Every choice can still be
    ticked, and one ticked is never folded away."""
    field.metadata["first_by"] = {"field": controlling,
                                  "groups": {k: list(v) for k, v in groups.items()},
                                  "others": others}
    return field


def only_when(field: F, controlling: str, *answers: str) -> F:
    """``field`` applies only when the field ``controlling`` holds one of ``answers``
    (the ground of a refusal, when the stay is refused): the page shows it then and
    leaves it out otherwise. A yes-or-no question's answers are ``yes`` and ``no``.
    The form's own checks still say what is needed; this only spares the eye."""
    field.metadata["shown_when"] = {"field": controlling, "is": list(answers)}
    return field

