"""The kinds of document a case file keeps: the product names them, the engine checks
who may read each (engine.protection.case_file)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document a case file keeps, and which kind of her data it holds."""

    key: str
    label: str
    holds: str
    """A kind of data of engine.protection.privacy: who may read the document."""
    help: str = ""
