"""The engine configured as the product runs it: the procedures' forms and handlers and
her record's form (``cli.product``), for tests that build an engine of their own."""

from __future__ import annotations

from typing import Any

from engine import EngineConfig
from forms import FORMS
from forms.person import PersonRecord
from handlers import HANDLERS

PRODUCT: dict[str, Any] = {"forms": FORMS, "handlers": HANDLERS, "person_record": PersonRecord}


def product_config(**options: Any) -> EngineConfig:
    """An EngineConfig with the product's registries; ``options`` may replace them."""
    return EngineConfig(**{**PRODUCT, **options})
