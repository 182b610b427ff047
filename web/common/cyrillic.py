"""Serbian in Cyrillic script, made from the Serbian Latin catalogues.

Serbian is written in both scripts, letter for letter: the translators keep one
catalogue (``sr_Latn``) and ``make messages`` writes ``sr_Cyrl`` from it, which is then
reviewed. A few words spell ``nj``, ``lj`` or ``dž`` as two letters (*konjunkcija*,
*nadživeti*): the reviewer corrects such a message in ``sr_Cyrl`` and adds the translator
comment ``# reviewed``; the next run keeps a reviewed message as it is while its Latin
source is unchanged, and writes it afresh, fuzzy, when the Latin changed.

What is not Serbian text stays as it is: placeholders (``%(name)s``, ``{name}``), HTML
tags and entities, addresses, the engine's codes and their quoted values
(``permit_decision``, ``reflection.grant``, ``'granted'``), ISO 8601 values (``P3D``,
``2026-03-01``), and names written in Latin letters everywhere (Varna pot, BPMN, CSV,
CETS, ZTuj-2). A message whose Latin translation is fuzzy or missing is fuzzy or missing
in Cyrillic too.

Run: ``python -m web.common.cyrillic SOURCE_DIR TARGET_DIR`` (the ``LC_MESSAGES`` folders).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

_DIGRAPHS = {"Lj": "Љ", "LJ": "Љ", "lj": "љ", "Nj": "Њ", "NJ": "Њ", "nj": "њ",
             "Dž": "Џ", "DŽ": "Џ", "dž": "џ"}
_LETTERS = dict(zip("abcčćdđefghijklmnoprsštuvzžABCČĆDĐEFGHIJKLMNOPRSŠTUVZŽ",
                    "абцчћдђефгхијклмнопрсштувзжАБЦЧЋДЂЕФГХИЈКЛМНОПРСШТУВЗЖ", strict=True))
_LETTER = re.compile("|".join(sorted(_DIGRAPHS, key=len, reverse=True)) + "|.", re.S)

_KEPT = re.compile(
    r"\b(?:Varna pot|BPMN|DMN|CSV|PDF|PNG|JPEG|XML|JSON|API|iCalendar|JavaScript|UTF-8"
    r"|CETS|GRETA|Eurostat|ZTuj-2|ZDT-1|SMTP)\b"  # names written in Latin letters
    r"|%\(\w+\)[sdf]|%[sdf]|\{[^{}]*\}"          # placeholders
    r"|<[^<>]+>|&#?\w+;"                         # HTML tags and entities
    r"|https?://\S+"                             # addresses
    r"|\b\w*[_.]\w[\w.]*\b"                       # codes: permit_decision, reflection.grant
    r"|'[a-z_]+'"                                # a code's value: 'granted'
    r"|\b[A-Z0-9/:+-]*\d[A-Z0-9/:+-]*\b"          # ISO values: P3D, R/P1D, 2026-03-01
)


def to_cyrillic(text: str) -> str:
    """``text`` in Serbian Cyrillic, with what is not Serbian text kept as it is."""
    parts, last = [], 0
    for kept in _KEPT.finditer(text):
        parts.append(_letters(text[last:kept.start()]))
        parts.append(kept.group())
        last = kept.end()
    parts.append(_letters(text[last:]))
    return "".join(parts)


def _letters(text: str) -> str:
    return _LETTER.sub(lambda m: _DIGRAPHS.get(m.group()) or _LETTERS.get(m.group(),
                                                                         m.group()), text)


REVIEWED = "reviewed"
"""The translator comment of a Cyrillic message a person corrected."""


def cyrillic_catalog(latin: Catalog, before: Catalog | None = None) -> Catalog:
    """A copy of a Serbian Latin catalogue with every translation in Cyrillic; a message
    ``before`` marks reviewed is kept while its Latin source says the same."""
    cyrillic = Catalog(locale="sr_Cyrl", domain=latin.domain, project=latin.project,
                       version=latin.version, copyright_holder=latin.copyright_holder,
                       fuzzy=latin.fuzzy)  # a fuzzy header is one pybabel will not compile
    for message in latin:
        if not message.id:
            continue
        string = message.string
        if isinstance(string, tuple):
            string = tuple(to_cyrillic(s) for s in string)
        elif string:
            string = to_cyrillic(string)
        flags, comments = set(message.flags), list(message.user_comments)
        kept = before.get(message.id, context=message.context) if before else None
        if kept is not None and REVIEWED in kept.user_comments:
            if kept.auto_comments == [*message.auto_comments, _source(message.string)]:
                string, comments = kept.string, kept.user_comments
            else:
                flags.add("fuzzy")  # the Latin changed: review it again
        cyrillic.add(message.id, string, locations=message.locations, flags=flags,
                     auto_comments=[*message.auto_comments, _source(message.string)],
                     user_comments=comments, context=message.context)
    return cyrillic


def _source(string: str | tuple[str, ...]) -> str:
    """The Latin a Cyrillic message was written from, kept beside it for the review."""
    return "sr_Latn: " + (" | ".join(string) if isinstance(string, tuple) else string)


def write_cyrillic(source: Path, target: Path) -> list[Path]:
    """Write each ``*.po`` of ``source`` (sr_Latn) to ``target`` (sr_Cyrl) in Cyrillic."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.glob("*.po")):
        with path.open("rb") as stream:
            latin = read_po(stream, locale="sr_Latn", domain=path.stem)
        out = target / path.name
        before = None
        if out.exists():
            with out.open("rb") as stream:
                before = read_po(stream, locale="sr_Cyrl", domain=path.stem)
        with out.open("wb") as stream:
            write_po(stream, cyrillic_catalog(latin, before), width=100)
        written.append(out)
    return written


if __name__ == "__main__":  # pragma: no cover - the Makefile's messages step
    for written_path in write_cyrillic(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"wrote {written_path}")
