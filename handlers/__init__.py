"""Service-task handlers, registered by name; ``HANDLERS`` is what diagrams may call."""

from .base import Handler, HandlerRegistry

HANDLERS = HandlerRegistry()

from . import identification  # noqa: E402,F401
from . import protection  # noqa: E402,F401
from . import protection_plan  # noqa: E402,F401
from . import reflection  # noqa: E402,F401  (registers its handlers)

__all__ = ["HANDLERS", "Handler", "HandlerRegistry"]
