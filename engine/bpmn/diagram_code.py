"""Every place a diagram can hold an expression or code, and what deploy does with each.

A diagram is data written in the browser by policy analysts, so nothing in it may run
Python. SpiffWorkflow 3.2 evaluates the text of these elements at run time:

===================================================  ====================================
where in the diagram                                 what the engine does with it
===================================================  ====================================
``sequenceFlow/conditionExpression``                 checked, run by the safe evaluator
``timerEventDefinition/timeDate|timeDuration|...``   checked, run by the safe evaluator
``conditionalEventDefinition/condition``             checked, run by the safe evaluator
``multiInstanceLoopCharacteristics/loopCardinality``  checked, run by the safe evaluator
``.../completionCondition`` (multi-instance, ad hoc)  checked, run by the safe evaluator
``standardLoopCharacteristics/loopCondition``         checked, run by the safe evaluator;
                                                     the loop needs a ``loopMaximum``
``correlationPropertyRetrievalExpression/*``          checked, run by the safe evaluator
``messageEventDefinition/@camunda:expression``        checked, run by the safe evaluator
``userTask/@camunda:dueDate``                         checked, run by the safe evaluator;
                                                      ``deadline:<kind>`` names a legal deadline
``scriptTask``, any ``script`` element                refused: a diagram runs no code
``spiff:preScript``, ``spiff:postScript``             refused: a diagram runs no code
``camunda:executionListener|taskListener``            refused: not run by this engine
``businessRuleTask`` (``camunda:decisionRef``)         a deployed decision table, its cells checked
``dataInputAssociation/transformation|assignment``    refused: not run by this engine
``complexGateway/activationCondition``                refused: not run by this engine
any other formal expression                           refused: not run by this engine
===================================================  ====================================

"Checked" means :func:`engine.bpmn.expressions.check_expression` passes it at deploy, and at
run time it reaches only :class:`engine.bpmn.script_environment.SafeEnvironment`, which
evaluates it with the same whitelist. Anything else that looks like an expression is
refused with its element's id and a hint, so a diagram that deploys never holds text the
engine would silently skip or run as code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.bpmn.expressions import check_expression, iso_literal
from engine.errors import Problem
from engine.kit.effects import DEADLINE_KINDS, due_deadline

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


MAX_INSTANCES = 1000
"""The most children a multi-instance activity or a loop may run: one per item is a
worklist, a million is an outage."""


MIN_CYCLE = timedelta(hours=1)
"""The shortest interval of a repeating timer: reminders and reports repeat daily or
monthly, and a shorter cycle would fire without pause while the clock catches up."""


def cycle_problem(text: str) -> str | None:
    """Why ``text`` is not a timer cycle this engine runs (an ISO 8601 repeating interval
    of at least :data:`MIN_CYCLE`), or None."""
    try:
        _, _, interval = TimerEventDefinition.parse_iso_recurring_interval(text.strip())
    except Exception:  # noqa: BLE001 - any malformed cycle gets the same answer
        return f"{text.strip()!r} is not an ISO 8601 repeating interval (R3/P1D)"
    if interval < MIN_CYCLE:
        return f"a timer cycle repeats at most once an hour, not every {interval}"
    return None


def _bpmn(local: str) -> str:
    return f"{{{BPMN_NS}}}{local}"


@dataclass(frozen=True)
class ExpressionSite:
    """An element whose text the engine evaluates: ``tag`` as a child of ``parent``."""

    parent: str
    tag: str
    what: str


_CYCLE = "timer timeCycle"
"""The one site whose literal text is checked further, by :func:`cycle_problem`."""
DUE_DATE = "due date"
MESSAGE_PAYLOAD = "message payload"

CHECKED_SITES: tuple[ExpressionSite, ...] = (
    ExpressionSite("sequenceFlow", "conditionExpression", "condition"),
    ExpressionSite("timerEventDefinition", "timeDate", "timer timeDate"),
    ExpressionSite("timerEventDefinition", "timeDuration", "timer timeDuration"),
    ExpressionSite("timerEventDefinition", "timeCycle", _CYCLE),
    ExpressionSite("conditionalEventDefinition", "condition", "conditional event"),
    ExpressionSite("multiInstanceLoopCharacteristics", "loopCardinality",
                   "multi-instance cardinality"),
    ExpressionSite("multiInstanceLoopCharacteristics", "completionCondition",
                   "multi-instance completion condition"),
    ExpressionSite("adHocSubProcess", "completionCondition", "ad hoc completion condition"),
    ExpressionSite("standardLoopCharacteristics", "loopCondition", "loop condition"),
    ExpressionSite("correlationPropertyRetrievalExpression", "messagePath",
                   "message correlation"),
    ExpressionSite("correlationPropertyRetrievalExpression", "formalExpression",
                   "message correlation"),
)

_CHECKED = {(_bpmn(s.parent), _bpmn(s.tag)): s.what for s in CHECKED_SITES}

_EXPRESSION_TAGS = {_bpmn(t) for t in (
    "conditionExpression", "condition", "timeDate", "timeDuration", "timeCycle",
    "loopCardinality", "completionCondition", "loopCondition", "messagePath",
    "formalExpression", "expression", "activationCondition", "transformation",
)}
"""BPMN elements that hold an expression wherever they appear."""

_NO_CODE = ("a diagram must not run code; use a service task that names a handler "
            '(camunda:type="external" camunda:topic="<handler>")')

_REFUSED_ELEMENTS: dict[str, str] = {
    "scriptTask": f"script tasks are not allowed: {_NO_CODE}",
    "script": f"scripts are not allowed: {_NO_CODE}",
    "preScript": f"pre-scripts are not allowed: {_NO_CODE}",
    "postScript": f"post-scripts are not allowed: {_NO_CODE}",
    "executionListener": "execution listeners are not run by this engine: put the work in "
                         "a service task that names a handler",
    "taskListener": "task listeners are not run by this engine: put the work in a service "
                    "task that names a handler",
    "assignment": "data assignments are not run by this engine: data associations copy "
                  "a value by name",
    "transformation": "data transformations are not run by this engine: data associations "
                      "copy a value by name",
    "activationCondition": "complex gateways are not run by this engine: use an inclusive "
                           "or exclusive gateway with conditions on its flows",
}
"""Local names (in any namespace) refused wherever they appear in a diagram."""

_IGNORED_EXTENSIONS: dict[str, str] = {
    "inputOutput": "input/output mappings are not run by this engine: a task reads and "
                   "writes the case's variables by name",
    "in": "call activity variable mappings are not run by this engine: the called "
          "procedure receives the caller's variables and returns its own",
    "out": "call activity variable mappings are not run by this engine: the called "
           "procedure receives the caller's variables and returns its own",
    "formData": "generated forms are not run by this engine: set camunda:formKey to one "
                "of the registered forms",
    "connector": "connectors are not run by this engine: use a service task that names a "
                 "handler",
    "field": "field injection is not run by this engine: use a service task that names a "
             "handler",
}
"""Camunda 7 extension elements the engine would otherwise ignore in silence."""
REFUSED_EXTENSIONS = frozenset(_IGNORED_EXTENSIONS)
"""Their names: refused at deploy, so never merely warned about."""

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"

_REFUSED_CAMUNDA_ATTRIBUTES = {
    "class": "Java classes are not run by this engine",
    "delegateExpression": "delegate expressions are not run by this engine",
}


def code_problems(root: etree._Element) -> list[Problem]:
    """Every expression of the diagram that the safe evaluator refuses, and every place
    that would hold code or an expression the engine does not run."""
    problems: list[Problem] = []
    pending = [root]
    while pending:
        element = pending.pop()
        refused = _REFUSED_ELEMENTS.get(etree.QName(element).localname) or _ignored(element)
        if refused is not None:
            problems.append(Problem(owner_id(element), refused))
            continue  # one problem for the element, none for what it holds
        problems.extend(_problems_of(element))
        pending.extend(reversed([c for c in element if isinstance(c.tag, str)]))
    return problems


def _ignored(element: etree._Element) -> str | None:
    """Why an extension element this engine would not run is refused, or None."""
    name = etree.QName(element)
    if name.namespace == ZEEBE_NS:
        return (f"zeebe:{name.localname}: this is a Camunda 8 (Zeebe) diagram, which this "
                "engine does not run: draw user tasks with camunda:formKey in role lanes "
                'and service tasks with camunda:type="external" camunda:topic="<handler>" '
                "(Camunda 7 dialect)")
    if name.namespace == CAMUNDA_NS:
        return _IGNORED_EXTENSIONS.get(name.localname)
    return None


def dialect_hint(text: str, what: str) -> str | None:
    """What to write instead when an expression is in another engine's dialect."""
    stripped = text.strip()
    juel = re.fullmatch(r"[$#]\{(.*)\}", stripped, re.DOTALL)
    if juel:
        return (f"this is a Camunda 7 (JUEL) expression: write only what is inside the "
                f"braces, {juel.group(1).strip()!r}")
    if stripped.startswith("=") and not stripped.startswith("=="):
        return (f"this is a FEEL expression (Camunda 8): write it without the leading '=', "
                f"{stripped[1:].strip()!r}")
    if what == _CYCLE and re.fullmatch(r"[0-9*?/,\-LW#A-Z ]+", stripped) \
            and len(stripped.split()) in (5, 6, 7):
        return ("this is a cron expression: write an ISO 8601 repeating interval, such as "
                "'R/P1D' for every day or 'R/P1W' for every week")
    if re.search(r"&&|\|\||!(?!=)", stripped):
        return "write 'and', 'or' and 'not' instead of '&&', '||' and '!'"
    words = set(re.findall(r"[A-Za-z_]\w*", re.sub(r"'[^']*'|\"[^\"]*\"", "", stripped)))
    if words & {"true", "false", "null"}:
        return "write True, False and None (with capitals) instead of true, false and null"
    return None


def _problems_of(element: etree._Element) -> Iterator[Problem]:
    local = etree.QName(element).localname
    for name, hint in _REFUSED_CAMUNDA_ATTRIBUTES.items():
        if element.get(f"{{{CAMUNDA_NS}}}{name}") is not None:
            yield Problem(element.get("id"), f"camunda:{name}: {hint}; use a service task "
                          "that names a handler")
    parent = element.getparent()
    site = _CHECKED.get((parent.tag, element.tag)) if parent is not None else None
    if site is not None:
        yield from _checked(owner_id(element), element.text, site)
    elif element.tag in _EXPRESSION_TAGS or _is_formal_expression(element):
        yield Problem(owner_id(element), f"{local}: this expression is not run by this "
                      "engine; conditions go on sequence flows, timers on timer events")
    if element.tag == _bpmn("multiInstanceLoopCharacteristics"):
        for name in ("collection", "elementVariable"):
            value = element.get(f"{{{CAMUNDA_NS}}}{name}")
            if value is not None and not re.fullmatch(r"[A-Za-z_]\w{0,99}", value):
                hint = dialect_hint(value, name) or "a variable's name: letters, digits and _"
                yield Problem(owner_id(element), f"camunda:{name} {value[:100]!r}: {hint}")
    if element.tag == _bpmn("standardLoopCharacteristics"):
        maximum = element.get("loopMaximum", "")
        if not (maximum.isdigit() and 1 <= int(maximum) <= MAX_INSTANCES):
            yield Problem(owner_id(element), "a loop needs loopMaximum, a whole number from "
                          f"1 to {MAX_INSTANCES}, so that it cannot run for ever")
    expression = element.get(f"{{{CAMUNDA_NS}}}expression")
    if expression is not None and element.tag == _bpmn("messageEventDefinition"):
        yield from _checked(owner_id(element), expression, MESSAGE_PAYLOAD)
    elif expression is not None:
        yield Problem(element.get("id"), "camunda:expression is run by this engine only as "
                      "a message payload; use a service task that names a handler")
    due = element.get(f"{{{CAMUNDA_NS}}}dueDate")
    if due is not None and element.tag == _bpmn("userTask"):
        problem = expression_problem(due, DUE_DATE)
        if problem:
            yield Problem(element.get("id"), f"{DUE_DATE}: {problem}")


def _checked(element_id: str | None, text: str | None, what: str) -> Iterator[Problem]:
    problem = _problem_at(text, what)
    if problem:
        yield Problem(element_id, f"{what}: {problem}")


def _problem_at(text: str | None, what: str) -> str | None:
    problem = dialect_hint(text or "", what) or check_expression(text)
    if problem is None and what == _CYCLE and iso_literal(text or ""):
        problem = cycle_problem(text or "")
    return problem


EDITED_SITES: tuple[str, ...] = (*dict.fromkeys(s.what for s in CHECKED_SITES),
                                 DUE_DATE, MESSAGE_PAYLOAD)
"""Every place an analyst types an expression, by the name deploy gives it."""


def expression_problem(text: str, site: str) -> str | None:
    """What deploy would say of ``text`` written at ``site`` (one of :data:`EDITED_SITES`),
    or None: the modeler asks this while she types, so she need not publish to learn it."""
    if site not in EDITED_SITES:
        raise ValueError(f"{site!r} is not a place that holds an expression")
    kind = due_deadline(text) if site == DUE_DATE else None
    if kind is not None:
        return None if kind in DEADLINE_KINDS else (
            f"{text!r} names no legal deadline; known: {', '.join(DEADLINE_KINDS)}")
    return _problem_at(text, site)


def _is_formal_expression(element: etree._Element) -> bool:
    kind = element.get(XSI_TYPE) or ""
    return kind.rsplit(":", 1)[-1] in ("tFormalExpression", "tExpression")


def owner_id(element: etree._Element) -> str | None:
    """The id a problem is shown on: the nearest element, itself included, that has one
    and is drawn (an event's definition is not; the event is)."""
    node: etree._Element | None = element
    while node is not None:
        if node.get("id") and not etree.QName(node).localname.endswith("EventDefinition"):
            return node.get("id")
        node = node.getparent()
    return None
