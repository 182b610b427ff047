"""No internal name reaches a person: after Julija's whole case, every page each role
opens reads in words, in English and in Slovene. A stored key, a variable or element
name, a lane key (lower-case words joined by underscores) in the visible text fails.

The visible text is what a browser shows: tags, attributes, scripts and styles are left
out; what a page hands its scripts (the diagram's state) is not shown. An identifier
shown on purpose, marked ``translate="no"`` (the key of a procedure on the analysts'
pages, which they type into diagrams), is left out too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.scenarios.case import identified
from tests.scenarios.julija_steps import walk_the_whole_case

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})
"""Elements that have no end tag."""
KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
"""A stored name: lower-case words joined by underscores."""


class VisibleText(HTMLParser):
    """The text a reader sees: no tag, attribute, script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._open: list[tuple[str, bool]] = []
        """Each open element, and whether its text is left out."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        hides = tag in ("script", "style", "template") or ("translate", "no") in attrs
        self._open.append((tag, hides or self._hiding()))

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass  # an element closed implicitly (a <p> before a list) ends with its parent

    def handle_data(self, data: str) -> None:
        if not self._hiding():
            self.parts.append(data)

    def _hiding(self) -> bool:
        return bool(self._open) and self._open[-1][1]


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def pages_of(engine, code: str, role: str) -> list[str]:
    """The pages a person of ``role`` opens in the case: lists, the case, her tasks."""
    common = ["/worklist", "/inbox", "/deadlines/"]
    tasks = [f"/tasks/{t.id}" for t in engine.tasks.tasks(roles=[role])]
    if role == "coordinator":
        instances = [f"/monitor/instances/{i.id}"
                     for i in engine.runtime.instances(case_code=code)]
        return [*common, "/monitor/", "/monitor/instances", "/cases", f"/cases/{code}",
                f"/cases/{code}?every=1", *instances, *tasks]
    if role == "legal_adviser":
        return [*common, "/cases", f"/cases/{code}", *tasks]
    if role == "policy_analyst":
        return [*common, "/modeler/", "/decisions/"]
    return [*common, *tasks]


@pytest.mark.parametrize("language", ["en", "sl"])
def test_no_page_of_a_whole_case_shows_an_internal_name(app, engine, signed_in, language):
    case = identified(engine, "SI-7K3Q-9F2M")
    walk_the_whole_case(case)
    found: dict[str, set[str]] = {}
    for role in ("coordinator", "legal_adviser", "police", "first_line", "ngo_counsellor",
                 "prosecutor", "policy_analyst"):
        username = role.replace("_", "-")
        engine.credentials.set_language(username, language)
        client = signed_in(username)
        for path in pages_of(engine, case.code, role):
            answer = client.get(path)
            assert answer.status_code == 200, (role, path, answer.status_code)
            keys = set(KEY.findall(visible(answer.get_data(as_text=True))))
            if keys:
                found[f"{role} {path}"] = keys
    assert found == {}, "\n".join(f"{k}: {sorted(v)}" for k, v in found.items())
