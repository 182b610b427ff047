"""What a procedure may be started with on its own, when no procedure before it hands it
over: one start form per procedure, named on its start event.

Called from ``victim_protection`` a procedure receives these values from the steps
before it; a coordinator who starts it alone (a case identified before this system, a
permit procedure for someone already in her reflection period) gives them here, checked
like any form. A procedure without a start form takes no start data.
"""

from __future__ import annotations

from . import FORMS
from .base import FormSchema
from .fields import choice, day, flag
from .reflection import VICTIM_CATEGORIES, VICTIM_CATEGORY_LABELS


@FORMS.register("reflection.start")
class ReflectionStart(FormSchema):
    title = "Start the recovery and reflection period"

    unaccompanied_minor = flag(
        "She is an unaccompanied child",
        "A guardian is appointed at once and her family is traced, unless that is unsafe.",
        load_default=False)


@FORMS.register("protection_plan.start")
class ProtectionPlanStart(FormSchema):
    title = "Start her individual protection plan"

    is_child = flag("She is a child", "Her guardian decides with her, and consents with her.",
                    load_default=False)


@FORMS.register("return.start")
class ReturnStart(FormSchema):
    title = "Start her assisted voluntary return"

    is_child = flag("She is a child",
                    "A child returns only when a best-interests assessment finds it safe.",
                    load_default=False)


@FORMS.register("permit.start")
class PermitStart(FormSchema):
    title = "Start the temporary residence permit procedure (Art. 50 ZTuj-2)"

    victim_category = choice(VICTIM_CATEGORIES, "She is a victim of",
                             "The same rule covers illegal employment and domestic violence.",
                             labels=VICTIM_CATEGORY_LABELS, required=True)
    reflection_end = day("End of her permitted stay",
                         "The last day of her recovery and reflection period, if she has one: "
                         "the application must be filed before it (Art. 50(6) ZTuj-2).",
                         allow_none=True, load_default=None)
    is_child = flag("She is a child", "Her guardian applies with her, and social work assesses "
                    "her best interests (CETS Art. 14(2)).", load_default=False)
    cooperation_decided_on = day("She decided to cooperate on",
                                 "The day she said she will cooperate as a witness: the "
                                 "prosecutor is asked to confirm it from then.", past=True,
                                 required=True)


@FORMS.register("school.start")
class SchoolStart(FormSchema):
    title = "Start her school enrolment"

    permit_valid_until = day("Her permit is valid until",
                             "Enrolment must be arranged before her permit expires.",
                             allow_none=True, load_default=None)
    is_child = flag("She is a child", "Her guardian decides with her on schooling.",
                    load_default=False)
