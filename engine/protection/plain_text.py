"""Text that cannot be stored: a lone UTF-16 surrogate, or a NUL character.

JSON may carry ``"\\ud800"`` escapes that decode to half of a UTF-16 pair. Such a string
cannot be encoded as UTF-8: once stored, every page and export that shows it fails. A
NUL (``"\\u0000"``) is valid Unicode but PostgreSQL's text cannot hold it. Either
is refused where text enters (forms, her record, API bodies, the command line), with
the field named, before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import ValidationFailed

MESSAGE = ("This text holds an invalid character (a NUL or a lone UTF-16 surrogate); type it "
           "again.")


def broken_text_fields(value: Any, path: str = "") -> list[str]:
    """The dotted paths of every string in ``value`` (keys included) that is not valid
    Unicode text."""
    found: list[str] = []
    if isinstance(value, str):
        if not _encodable(value):
            found.append(path or "_form")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = str(key) if _encodable(str(key)) else "_form"
            found.extend(broken_text_fields(item, f"{path}.{name}" if path else name))
            if name == "_form":
                found.append(path or "_form")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found.extend(broken_text_fields(item, f"{path}.{index}" if path else str(index)))
    return found


def refuse_broken_text(value: Any, message: str = "nothing was changed") -> None:
    """Raise :class:`ValidationFailed` (422) naming each field with text that cannot be
    stored."""
    fields = broken_text_fields(value)
    if fields:
        raise ValidationFailed(f"{message}: text with an invalid character",
                               {name: [MESSAGE] for name in dict.fromkeys(fields)})


def _encodable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
