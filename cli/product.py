"""The product: the engine with the procedures' forms and handlers, her record's form and
the kinds of document her case file keeps.

The engine knows none of them; this is where they meet, for the command, the server it
starts and the workers.
"""

from __future__ import annotations

import dataclasses

from engine import EngineConfig
from forms import FORMS
from forms.case_documents import DOCUMENT_KINDS
from forms.person import PersonRecord
from handlers import HANDLERS


def with_procedures(config: EngineConfig) -> EngineConfig:
    """``config`` with the registries the shipped diagrams name, her record's form and the
    kinds of document."""
    return dataclasses.replace(config, forms=FORMS, handlers=HANDLERS,
                               person_record=PersonRecord,
                               document_kinds=DOCUMENT_KINDS)
