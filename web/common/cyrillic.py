"""Serbian in Cyrillic script, made from the Serbian Latin catalogues.

Serbian is written in both scripts, letter for letter: the translators keep one
catalogue (``sr_Latn``) and ``make messages`` writes ``sr_Cyrl`` from it, which is then
reviewed (a few words, such as *konjunkcija*, spell ``nj`` as two letters; the reviewer
fixes those in the Latin source's Cyrillic copy by hand, marked fuzzy until checked).

What is not Serbian text stays as it is: placeholders (``%(name)s``, ``{name}``), HTML
tags and entities, addresses, the engine's codes and their quoted values
(``permit_decision``, ``reflection.grant``, ``'granted'``) and ISO 8601 values (``P3D``,
``2026-03-01``). A message whose Latin translation is fuzzy or missing is fuzzy or
missing in Cyrillic too.

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
    r"%\(\w+\)[sdf]|%[sdf]|\{[^{}]*\}"          # placeholders
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


def cyrillic_catalog(latin: Catalog) -> Catalog:
    """A copy of a Serbian Latin catalogue with every translation in Cyrillic."""
    cyrillic = Catalog(locale="sr_Cyrl", domain=latin.domain, project=latin.project,
                       version=latin.version, copyright_holder=latin.copyright_holder)
    for message in latin:
        if not message.id:
            continue
        string = message.string
        if isinstance(string, tuple):
            string = tuple(to_cyrillic(s) for s in string)
        elif string:
            string = to_cyrillic(string)
        cyrillic.add(message.id, string, locations=message.locations, flags=message.flags,
                     auto_comments=message.auto_comments, user_comments=message.user_comments,
                     context=message.context)
    return cyrillic


def write_cyrillic(source: Path, target: Path) -> list[Path]:
    """Write each ``*.po`` of ``source`` (sr_Latn) to ``target`` (sr_Cyrl) in Cyrillic."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.glob("*.po")):
        with path.open("rb") as stream:
            latin = read_po(stream, locale="sr_Latn", domain=path.stem)
        out = target / path.name
        with out.open("wb") as stream:
            write_po(stream, cyrillic_catalog(latin), width=100)
        written.append(out)
    return written


if __name__ == "__main__":  # pragma: no cover - the Makefile's messages step
    for written_path in write_cyrillic(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"wrote {written_path}")
