"""Decision tables (DMN): what deploy checks, so that a table that deploys can be run.

A business rule task (``camunda:decisionRef``) runs a decision table of a DMN file deployed
beside the diagrams. SpiffWorkflow evaluates every cell through the script engine it is
given, which is ours (:class:`engine.bpmn.execution.RestrictedScriptEngine`), so a cell is an
expression of the restricted evaluator, never Python. Its cells read as Camunda users
write them in the restricted dialect:

- an input expression names the value tested, ``sector`` or ``len(indicators)``;
- an input entry is ``-`` or empty (any value), a value (``"labour"``, ``3``), a test
  put after the input (``>= 3``, ``in ["a", "b"]``), or a test with ``?`` for the input
  (``1 <= ? <= 5``);
- an output entry is a value or an expression.

Hit policies UNIQUE (the first that matches), FIRST and COLLECT (every match, each output
a list) are run; any other is refused, as is a FEEL cell, with what to write instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from engine.bpmn.diagram_code import dialect_hint
from engine.bpmn.expressions import check_expression
from engine.errors import Problem

DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)
HIT_POLICIES = ("UNIQUE", "FIRST", "COLLECT")


@dataclass(frozen=True)
class DecisionInfo:
    """A decision table found in a DMN file."""

    key: str
    name: str | None


def is_dmn(root: etree._Element) -> bool:
    return etree.QName(root).localname == "definitions" and \
        etree.QName(root).namespace in DMN_NAMESPACES


def inspect_decisions(root: etree._Element) -> tuple[list[DecisionInfo], list[Problem]]:
    """The decision tables of a DMN document and every problem that stops one running."""
    ns = {"dmn": etree.QName(root).namespace}
    infos: list[DecisionInfo] = []
    problems: list[Problem] = []
    for decision in root.iterfind("dmn:decision", ns):
        key = decision.get("id") or ""
        infos.append(DecisionInfo(key, decision.get("name")))
        table = decision.find("dmn:decisionTable", ns)
        if table is None:
            problems.append(Problem(key, "only decision tables are run: this decision has "
                                    "none (literal expressions and requirements are not)"))
            continue
        policy = table.get("hitPolicy", "UNIQUE")
        if policy not in HIT_POLICIES:
            problems.append(Problem(table.get("id") or key, f"hit policy {policy} is not "
                                    f"run: use {', '.join(HIT_POLICIES)}"))
        for expression in table.iterfind("dmn:input/dmn:inputExpression/dmn:text", ns):
            problems.extend(_cell(expression, "input expression", test=False))
        for entry in table.iterfind("dmn:rule/dmn:inputEntry/dmn:text", ns):
            problems.extend(_cell(entry, "input entry", test=True))
        for entry in table.iterfind("dmn:rule/dmn:outputEntry/dmn:text", ns):
            problems.extend(_cell(entry, "output entry", test=False))
    if not infos:
        problems.append(Problem(None, "the DMN file has no decision"))
    return infos, problems


def _cell(text_element: etree._Element, what: str, *, test: bool) -> list[Problem]:
    text = (text_element.text or "").strip()
    owner = text_element.getparent()
    element_id = owner.get("id") if owner is not None else None
    if not text or (test and text == "-"):
        return []
    hint = dialect_hint(text, what)
    if test and re.fullmatch(r"[\[(]\s*[^.\s]+\s*\.\.\s*[^\s\])]+\s*[\])]", text):
        hint = "this is a FEEL range: write a test with '?' for the input, '1 <= ? <= 5'"
    elif test and re.search(r",(?=(?:[^\"']|[\"'][^\"']*[\"'])*$)", text):
        hint = "this is a FEEL list of values: write 'in [\"a\", \"b\"]'"
    if hint:
        return [Problem(element_id, f"{what}: {hint}")]
    if test:
        readings = [text.replace("?", "value")] if "?" in text else [text, f"value {text}"]
        if any(check_expression(reading) is None for reading in readings):
            return []
    problem = check_expression(text)
    return [Problem(element_id, f"{what}: {problem}")] if problem else []


def decision_refs(bpmn_root: etree._Element) -> list[tuple[str | None, str]]:
    """(business rule task id, decision id) of every business rule task of a diagram."""
    camunda = "{http://camunda.org/schema/1.0/bpmn}decisionRef"
    return [(task.get("id"), task.get(camunda) or "") for task in bpmn_root.iter(
        "{http://www.omg.org/spec/BPMN/20100524/MODEL}businessRuleTask")]


def defined_decisions(root: etree._Element) -> set[str]:
    ns = {"dmn": etree.QName(root).namespace}
    return {d.get("id", "") for d in root.iterfind("dmn:decision", ns)}
