"""Dates as the process data keeps them: ISO text, read back the same way everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any


def stored_date(value: Any) -> date | None:
    """A date kept in the process data (ISO text), or None."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None


def required_day(data: Mapping[str, Any], name: str) -> date:
    """A date the process data must hold by this step (a form required it earlier). For a
    handler its absence is a fault of the diagram: the step stops as an incident naming it."""
    value = stored_date(data.get(name))
    if value is None:
        raise ValueError(f"{name} is not set in the process data")
    return value
