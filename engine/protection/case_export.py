"""The export of a case as a page she can read: every value escaped, nothing hidden.

The JSON export is the complete record; this page shows the same, section by section,
so that it can be printed and read with her (with an interpreter if she needs one).
"""

from __future__ import annotations

from html import escape
from typing import Any

SECTIONS = (
    ("personal_record", "Her personal record"),
    ("consents", "Her consents"),
    ("procedures", "Procedures"),
    ("notices", "Notices sent about her case"),
    ("history", "History"),
    ("access_log", "Who looked at her data"),
)
STYLE = ("body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}"
         "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #999;"
         "padding:.2rem .4rem;vertical-align:top;text-align:left}dt{font-weight:bold}")


def to_html(export: dict[str, Any]) -> str:
    case = export["case"]
    parts = [f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>Case {escape(case['code'])}</title><style>{STYLE}</style></head><body>",
             f"<h1>Everything held about case {escape(case['code'])}</h1>",
             f"<p>Exported on {escape(str(case['exported_at']))} by "
             f"{escape(case['exported_by'])}. Case opened on "
             f"{escape(str(case['created_at']))}.</p>"]
    for key, title in SECTIONS:
        parts.append(f"<h2>{escape(title)}</h2>")
        parts.append(_value(export[key]) if export[key] else "<p>Nothing.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _value(value: Any) -> str:
    """Mappings as definition lists, lists of mappings as tables, the rest as text."""
    if isinstance(value, dict):
        return "<dl>" + "".join(f"<dt>{escape(str(k).replace('_', ' '))}</dt>"
                                f"<dd>{_value(v)}</dd>" for k, v in value.items()) + "</dl>"
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            columns = list(dict.fromkeys(k for item in value for k in item))
            head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in columns)
            rows = "".join("<tr>" + "".join(f"<td>{_value(item.get(c))}</td>"
                                            for c in columns) + "</tr>" for item in value)
            return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        return ", ".join(_value(item) for item in value)
    if value is None or value == "":
        return "-"
    if value is True or value is False:
        return "yes" if value else "no"
    return escape(str(value))
