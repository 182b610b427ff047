"""The procedures' words in one language, where no web request says which.

The pages translate through Flask-Babel, which takes the language from the request. A
notice mailed by the timer worker, or a calendar feed fetched without a signed-in user,
has no request: it is written in the language its reader chose, read here from the same
compiled catalogues (``web/translations/<language>/LC_MESSAGES/procedures.mo``).

The engine stores the procedures' texts in English (see :mod:`engine.kit.texts`). A text
with a code or a date in it is found through the template it was made from: the
catalogue holds ``Deadline today: {title}``, and the title inside is translated too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import Any

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"
DOMAIN = "procedures"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
"""A value in a template: ``{day}``."""


def normalized(text: str) -> str:
    """One space between words, a blank line between paragraphs: the catalogue's key.

    Documentation in a diagram is indented and wrapped as the analyst's editor left it;
    the same words must find the same translation.
    """
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


@lru_cache(maxsize=16)
def catalogue(language: str | None, folder: Path = TRANSLATIONS) -> NullTranslations:
    """The compiled procedures catalogue of ``language``; none (English) without one."""
    if not language or not re.fullmatch(r"[A-Za-z]{2,3}(_[A-Za-z]{2,4})?", language):
        return NullTranslations()
    path = folder / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as stream:
            return GNUTranslations(stream)
    except OSError:
        return NullTranslations()


def translate_in(translations: NullTranslations, text: str | None) -> str:
    """``text`` from ``translations``, or as written when they have no translation."""
    if not text:
        return ""
    if not entries(translations):
        return text
    return _translated(translations, text, nested=True)


def _translated(translations: NullTranslations, text: str, nested: bool) -> str:
    """From the catalogue, else through a template; what fills a template is translated
    too, once (a reminder's subject holds the title of its deadline)."""
    key = normalized(text)
    found = translations.gettext(key)
    if found != key:
        return found
    for pattern, template in _templates(translations):
        match = pattern.fullmatch(key)
        if match:
            values = {name: _translated(translations, value, False) if nested else value
                      for name, value in match.groupdict().items()}
            return template.format(**values)
    return text


def entries(translations: NullTranslations) -> dict[Any, str]:
    """The entries of a loaded catalogue; an empty one for a language without one."""
    return getattr(translations, "_catalog", None) or {}


@lru_cache(maxsize=16)
def _templates(translations: NullTranslations) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each translated template with placeholders, as a pattern that reads them back."""
    return tuple((_pattern(msgid), msgstr) for msgid, msgstr in entries(translations).items()
                 if isinstance(msgid, str) and msgstr and PLACEHOLDER.search(msgid))


def _pattern(template: str) -> re.Pattern[str]:
    parts, seen = [], set()
    for i, piece in enumerate(PLACEHOLDER.split(template)):
        if i % 2 == 0:
            parts.append(re.escape(piece))
        elif piece in seen:
            parts.append(f"(?P={piece})")
        else:
            seen.add(piece)
            parts.append(f"(?P<{piece}>.+?)")
    return re.compile("".join(parts), re.S)
