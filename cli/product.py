"""The product: the engine with the procedures' forms and handlers and her record's form.

The engine knows none of them; this is where they meet, for the command, the server it
starts and the workers.
"""

from __future__ import annotations

import dataclasses

from engine import EngineConfig
from forms import FORMS
from forms.person import PersonRecord
from handlers import HANDLERS


def with_procedures(config: EngineConfig) -> EngineConfig:
    """``config`` with the registries the shipped diagrams name and her record's form."""
    return dataclasses.replace(config, forms=FORMS, handlers=HANDLERS,
                               person_record=PersonRecord)
