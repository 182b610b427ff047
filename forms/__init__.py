"""Form schemas, one per user-task form key; ``FORMS`` is what diagrams are checked against."""

from .base import FormRegistry, FormSchema

FORMS = FormRegistry()

# Importing a module registers its forms.
from . import (  # noqa: E402,F401
    assistance_plan,
    compensation,
    disappearance,
    escalation,
    humanitarian_residence,
    identification,
    non_punishment,
    protection,
    protection_plan,
    reflection,
    reflection_early_end,
    reintegration,
    residence_permit,
    returning_victim,
    school_enrolment,
    starts,
    voluntary_return,
)

__all__ = ["FORMS", "FormRegistry", "FormSchema"]
