"""Marks the words of the procedures that people read, so the pages can translate them.

Labels, help texts and choices of a form are found by walking the form schemas; the
messages a form or handler writes in code are found by this mark. A message with a
number or a date in it keeps the placeholders in the marked template and is formatted
after marking, so the template is what the catalogue translates::

    raise ValidationError(translatable("An extension is 1 to {most} days.").format(most=most))

The engine stores the English text; ``web.common.procedure_texts`` shows it in the reader's
language (``make messages`` collects the marked templates into ``procedures.pot``).
"""

from __future__ import annotations


def translatable(text: str) -> str:
    """``text`` unchanged: the mark is for the catalogue's extraction."""
    return text
