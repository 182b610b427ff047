"""Form schemas, one per user-task form key; ``FORMS`` is what diagrams are checked against."""

from .base import FormRegistry, FormSchema

FORMS = FormRegistry()

from . import identification  # noqa: E402,F401
from . import protection_plan  # noqa: E402,F401
from . import reflection  # noqa: E402,F401  (registers its forms)
from . import residence_permit  # noqa: E402,F401
from . import school_enrolment  # noqa: E402,F401

__all__ = ["FORMS", "FormRegistry", "FormSchema"]
