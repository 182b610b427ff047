"""Service-task handlers, registered by name; ``HANDLERS`` is what diagrams may call."""

from .base import Handler, HandlerRegistry

HANDLERS = HandlerRegistry()

# Importing a module registers its handlers.
from . import (  # noqa: E402,F401
    assistance_plan,
    compensation,
    disappearance,
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
    voluntary_return,
)

__all__ = ["HANDLERS", "Handler", "HandlerRegistry"]
