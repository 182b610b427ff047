"""The engine configured as the product runs it: the procedures' forms and handlers, her
record's form and the kinds of document (``cli.product``), for tests that build an engine
of their own."""

from __future__ import annotations

from typing import Any

from engine import EngineConfig
from forms import FORMS
from forms.case_documents import DOCUMENT_KINDS
from forms.person import PersonRecord
from handlers import HANDLERS

PRODUCT: dict[str, Any] = {"forms": FORMS, "handlers": HANDLERS, "person_record": PersonRecord,
                           "document_kinds": DOCUMENT_KINDS}


def product_config(**options: Any) -> EngineConfig:
    """An EngineConfig with the product's registries; ``options`` may replace them."""
    return EngineConfig(**{**PRODUCT, **options})
