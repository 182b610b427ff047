"""Service-task handlers, registered by name; ``HANDLERS`` is what diagrams may call."""

from .base import Handler, HandlerRegistry

HANDLERS = HandlerRegistry()

from . import identification  # noqa: E402,F401
from . import protection  # noqa: E402,F401
from . import protection_plan  # noqa: E402,F401
from . import reflection  # noqa: E402,F401  (registers its handlers)
from . import residence_permit  # noqa: E402,F401
from . import school_enrolment  # noqa: E402,F401

__all__ = ["HANDLERS", "Handler", "HandlerRegistry"]
