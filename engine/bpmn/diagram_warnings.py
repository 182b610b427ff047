"""Camunda 7 settings this engine does not act on, named at deploy so none is dropped in silence.

Camunda Modeler writes settings for its own engine's operation (history time to live,
asynchronous continuations, job priorities, who may start a process) and for task
assignment. Here they change nothing that runs: a user task goes to the role of its lane,
every step is saved as it happens, timers live in the timer table, and who may start a
procedure is a matter of roles. So a diagram carrying them deploys, and each one is listed
as a warning with what this engine does instead.

Settings that would change what a procedure does (variable mappings, listeners, code,
generated forms) are not warnings: :mod:`engine.bpmn.diagram_code` refuses them.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.diagram_code import CAMUNDA_NS, REFUSED_EXTENSIONS, owner_id
from engine.errors import Problem

READ_ATTRIBUTES = frozenset({"formKey", "type", "topic", "dueDate", "decisionRef",
                             "collection", "elementVariable", "expression",
                             "resultVariable", "class", "delegateExpression"})
"""The camunda: attributes this engine reads (or refuses, for the last two)."""

_RUNS_ITS_OWN_WAY = ("this engine saves the case after every step and keeps timers in its "
                     "own table, so no job settings are needed")
_LANE_DECIDES = ("a user task goes to the role of its lane: put it in a lane named after "
                 "the role")
_ROLES_DECIDE = "who may start a procedure is decided by the users' roles"
_LATEST_AT_START = ("a case runs the latest version deployed when it started, fixed for "
                    "its whole life")

_ATTRIBUTES: dict[str, str] = {
    "historyTimeToLive": "the history is kept for as long as the case file is",
    "versionTag": "versions are numbered at deploy",
    "isStartableInTasklist": _ROLES_DECIDE,
    "candidateStarterGroups": _ROLES_DECIDE,
    "candidateStarterUsers": _ROLES_DECIDE,
    "asyncBefore": _RUNS_ITS_OWN_WAY,
    "asyncAfter": _RUNS_ITS_OWN_WAY,
    "exclusive": _RUNS_ITS_OWN_WAY,
    "jobPriority": _RUNS_ITS_OWN_WAY,
    "taskPriority": _RUNS_ITS_OWN_WAY,
    "assignee": _LANE_DECIDES,
    "candidateUsers": _LANE_DECIDES,
    "candidateGroups": _LANE_DECIDES,
    "priority": "worklists are ordered by the due date",
    "followUpDate": "worklists are ordered by the due date",
    "calledElementBinding": _LATEST_AT_START,
    "calledElementVersion": _LATEST_AT_START,
    "calledElementVersionTag": _LATEST_AT_START,
    "decisionRefBinding": _LATEST_AT_START,
    "decisionRefVersion": _LATEST_AT_START,
    "decisionRefVersionTag": _LATEST_AT_START,
    "mapDecisionResult": "each output of a decision table becomes a variable of its name",
    "initiator": "who started a procedure is recorded in its history",
    "errorCodeVariable": "an error's code is not stored in a variable",
    "errorMessageVariable": "an error's message is not stored in a variable",
    "escalationCodeVariable": "an escalation's code is not stored in a variable",
    "modelerTemplate": "element templates are a modeler's aid",
    "modelerTemplateVersion": "element templates are a modeler's aid",
}

_ELEMENTS: dict[str, str] = {
    "properties": "extension properties are not read",
    "failedJobRetryTimeCycle": "a failed step becomes an incident, retried by a person "
                               "after a fix",
}


def ignored_settings(process: etree._Element) -> list[Problem]:
    """Every camunda: setting of ``process`` (itself included) that is accepted and not
    acted on, on the element that carries it, with what happens instead."""
    warnings: list[Problem] = []
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element)
        parent = element.getparent()
        if name.namespace == CAMUNDA_NS and name.localname not in REFUSED_EXTENSIONS and (
                parent is None or etree.QName(parent).namespace != CAMUNDA_NS):
            reason = _ELEMENTS.get(name.localname, "this engine does not read it")
            warnings.append(Problem(owner_id(element),
                                    f"camunda:{name.localname} is ignored: {reason}"))
        for attribute in element.attrib:
            qualified = etree.QName(attribute)
            if qualified.namespace != CAMUNDA_NS or qualified.localname in READ_ATTRIBUTES:
                continue
            reason = _ATTRIBUTES.get(qualified.localname, "this engine does not read it")
            warnings.append(Problem(owner_id(element),
                                    f"camunda:{qualified.localname} is ignored: {reason}"))
    return warnings
