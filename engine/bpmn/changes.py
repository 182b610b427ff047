"""What changed in a process between two deployed versions, element by element.

A policy analyst who publishes a new version must see what it changes for the people
who do the work: a task renamed or moved to another role's lane, a new form, a gateway
condition, a timer. The semantic model is compared (the elements of the
``bpmn:process``, its lanes and sequence flows, by id) for what is added, removed or
changed. The diagram interchange (``bpmndi``: shapes, edges, coordinates) is layout: an
element the same in the model whose shape or line is elsewhere on the diagram is only
*moved*, so the analyst sees it coloured on the two diagrams without reading it as a
change to the work.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.bpmn.diagrams import BPMN_NS, CAMUNDA_NS, NS, lane_of, read_xml
from engine.views import ElementChange

_CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}
"""Elements whose own children are elements of the process too."""
_NOT_ELEMENTS = {"laneSet", "ioSpecification", "property", "documentation",
                 "extensionElements", "incoming", "outgoing"}
_ATTRIBUTE_LABELS = {
    f"{{{CAMUNDA_NS}}}formKey": "form key",
    f"{{{CAMUNDA_NS}}}topic": "handler",
    f"{{{CAMUNDA_NS}}}dueDate": "due date",
    "calledElement": "called process",
    "default": "default flow",
    "sourceRef": "source",
    "targetRef": "target",
    "attachedToRef": "attached to",
    "cancelActivity": "interrupting",
}
_PREFIXES = {CAMUNDA_NS: "camunda", BPMN_NS: "bpmn"}
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"


@dataclass(frozen=True)
class _Element:
    """One element of a process, reduced to what a change to it would be about."""

    element_id: str
    element_type: str
    name: str | None
    lane: str | None
    documentation: str
    attributes: dict[str, str]
    condition: str | None
    events: tuple[str, ...]
    incoming: frozenset[str]
    outgoing: frozenset[str]
    members: frozenset[str]
    extensions: str
    loop: str


def compare_process(old_xml: bytes, new_xml: bytes, key: str) -> list[ElementChange]:
    """The changes from the process ``key`` in ``old_xml`` to the one in ``new_xml``.

    Changed and added elements come in the new version's document order, removed ones
    after them in the old version's order, moved ones last.
    """
    old, new = _elements(old_xml, key), _elements(new_xml, key)
    changes: list[ElementChange] = []
    for element_id, element in new.items():
        before = old.get(element_id)
        if before is None:
            changes.append(_change(element, "added", _summary(element)))
        else:
            details = _details(before, element)
            if details:
                changes.append(_change(element, "changed", details))
    changes += [_change(element, "removed", _summary(element))
                for element_id, element in old.items() if element_id not in new]
    changed = {c.element_id for c in changes}
    old_places, new_places = _places(old_xml), _places(new_xml)
    changes += [_change(element, "moved", [])
                for element_id, element in new.items()
                if element_id in old and element_id not in changed
                and old_places.get(element_id) != new_places.get(element_id)]
    return changes


def _places(content: bytes) -> dict[str, tuple[float, ...]]:
    """Where each element is drawn: a shape's bounds, or an edge's waypoints in order
    (labels aside: a label dragged is not the element moved)."""
    root = read_xml(content)
    places: dict[str, tuple[float, ...]] = {}
    for shape in root.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
        bounds = shape.find(f"{{{DC_NS}}}Bounds")
        if bounds is not None:
            places[shape.get("bpmnElement", "")] = tuple(
                _number(bounds.get(k)) for k in ("x", "y", "width", "height"))
    for edge in root.iter(f"{{{BPMNDI_NS}}}BPMNEdge"):
        places[edge.get("bpmnElement", "")] = tuple(
            _number(point.get(k)) for point in edge.iterfind(f"{{{DI_NS}}}waypoint")
            for k in ("x", "y"))
    return places


def _number(text: str | None) -> float:
    try:
        return round(float(text or 0), 1)
    except ValueError:
        return 0.0


def _change(element: _Element, change: str, details: list[str]) -> ElementChange:
    return ElementChange(element_id=element.element_id, element_type=element.element_type,
                         name=element.name, change=change, details=details)


def _summary(element: _Element) -> list[str]:
    """What an added or removed element was: where a flow ran, whose lane a task is in."""
    if element.element_type == "sequenceFlow":
        return [f"{element.attributes.get('source', '?')} -> "
                f"{element.attributes.get('target', '?')}"]
    return [f"lane: {element.lane}"] if element.lane else []


def _details(old: _Element, new: _Element) -> list[str]:
    details: list[str] = []
    if old.element_type != new.element_type:
        details.append(f"type: {old.element_type} -> {new.element_type}")
    if old.name != new.name:
        details.append(f"name: {_quoted(old.name)} -> {_quoted(new.name)}")
    if old.lane != new.lane:
        details.append(f"lane: {old.lane or 'none'} -> {new.lane or 'none'}")
    if old.documentation != new.documentation:
        details.append("documentation changed")
    for label in sorted(old.attributes.keys() | new.attributes.keys(),
                        key=lambda k: (k not in _ATTRIBUTE_LABELS.values(), k)):
        before, after = old.attributes.get(label), new.attributes.get(label)
        if before != after:
            details.append(f"{label}: {_quoted(before)} -> {_quoted(after)}")
    if old.condition != new.condition:
        details.append(f"condition: {old.condition or 'none'} -> {new.condition or 'none'}")
    if old.events != new.events:
        details.append(_event_change(old.events, new.events))
    for label, before_ids, after_ids in (("incoming flows", old.incoming, new.incoming),
                                         ("outgoing flows", old.outgoing, new.outgoing),
                                         ("flow nodes", old.members, new.members)):
        if before_ids != after_ids:
            details.append(f"{label}: {_set_change(before_ids, after_ids)}")
    if old.extensions != new.extensions:
        details.append("extension properties changed")
    if old.loop != new.loop:
        details.append("loop or multi-instance changed")
    return details


def _quoted(value: str | None) -> str:
    return "none" if value is None else repr(value)


def _set_change(before: frozenset[str], after: frozenset[str]) -> str:
    parts = []
    if after - before:
        parts.append("added " + ", ".join(sorted(after - before)))
    if before - after:
        parts.append("removed " + ", ".join(sorted(before - after)))
    return "; ".join(parts)


def _event_change(old: tuple[str, ...], new: tuple[str, ...]) -> str:
    """``timer: timeDuration 'P90D' -> timeDuration 'P180D'``, or for other events
    ``event: message msg_1 -> signal sig_1``."""
    timers = all(e.startswith("timer ") for e in old + new)

    def words(events: tuple[str, ...]) -> str:
        shown = [e.removeprefix("timer ") if timers else e for e in events]
        return "; ".join(shown) or "none"

    return f"{'timer' if timers else 'event'}: {words(old)} -> {words(new)}"


def _elements(content: bytes, key: str) -> dict[str, _Element]:
    """The elements of process ``key`` by id, the process itself first."""
    root = read_xml(content)
    process = next((p for p in root.iterfind("bpmn:process", NS) if p.get("id") == key), None)
    if process is None:
        return {}
    nodes = [process, *_flow_elements(process)]
    nodes += [lane for lane in process.iterfind(".//bpmn:lane", NS)]
    lanes = lane_of(process)
    incoming: dict[str, set[str]] = {}
    outgoing: dict[str, set[str]] = {}
    for flow in process.iterfind(".//bpmn:sequenceFlow", NS):
        outgoing.setdefault(flow.get("sourceRef", ""), set()).add(flow.get("id", ""))
        incoming.setdefault(flow.get("targetRef", ""), set()).add(flow.get("id", ""))
    found: dict[str, _Element] = {}
    for node in nodes:
        element_id = node.get("id")
        if element_id and element_id not in found:
            found[element_id] = _element(node, element_id, lanes, incoming, outgoing)
    return found


def _flow_elements(container: etree._Element) -> list[etree._Element]:
    found = []
    for child in container:
        tag = _local(child)
        if not isinstance(child.tag, str) or tag in _NOT_ELEMENTS or not child.get("id"):
            continue
        found.append(child)
        if tag in _CONTAINERS:
            found += _flow_elements(child)
    return found


def _element(node: etree._Element, element_id: str, lanes: dict[str, str],
             incoming: dict[str, set[str]], outgoing: dict[str, set[str]]) -> _Element:
    tag = _local(node)
    condition = node.find("bpmn:conditionExpression", NS)
    return _Element(
        element_id=element_id, element_type=tag, name=node.get("name"),
        lane=lanes.get(element_id),
        documentation="\n".join(_words(d.text) for d in node.iterfind("bpmn:documentation", NS)),
        attributes={_attribute_label(name): value for name, value in node.attrib.items()
                    if name not in ("id", "name")},
        condition=_words(condition.text) if condition is not None else None,
        events=tuple(_event(child) for child in node
                     if isinstance(child.tag, str) and _local(child).endswith("EventDefinition")),
        incoming=frozenset(incoming.get(element_id, ())),
        outgoing=frozenset(outgoing.get(element_id, ())),
        members=frozenset((ref.text or "").strip()
                          for ref in node.iterfind("bpmn:flowNodeRef", NS)) if tag == "lane"
        else frozenset(),
        extensions=_canonical(node.find("bpmn:extensionElements", NS)),
        loop=_canonical(node.find("bpmn:multiInstanceLoopCharacteristics", NS))
        + _canonical(node.find("bpmn:standardLoopCharacteristics", NS)),
    )


def _event(definition: etree._Element) -> str:
    """An event definition in words: ``timer timeDuration P90D``, ``message msg_1``."""
    kind = _local(definition).removesuffix("EventDefinition")
    parts = [kind]
    for child in definition:
        if isinstance(child.tag, str):
            parts.append(f"{_local(child)} {(child.text or '').strip()}")
    parts += [value for name, value in sorted(definition.attrib.items()) if name != "id"]
    return " ".join(parts)


def _attribute_label(name: str) -> str:
    if name in _ATTRIBUTE_LABELS:
        return _ATTRIBUTE_LABELS[name]
    qname = etree.QName(name)
    prefix = _PREFIXES.get(qname.namespace or "")
    if qname.namespace and prefix is None:
        prefix = qname.namespace
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _words(text: str | None) -> str:
    """Text with its line breaks and indentation evened out: re-indenting is no change."""
    return " ".join((text or "").split())


def _local(node: Any) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _canonical(node: etree._Element | None) -> str:
    """The element as canonical XML, ids and indentation aside, to see if it changed."""
    if node is None:
        return ""
    copy = deepcopy(node)
    for part in copy.iter():
        part.attrib.pop("id", None)
        if part.text is not None and not part.text.strip():
            part.text = None
        if part.tail is not None and not part.tail.strip():
            part.tail = None
    return etree.tostring(copy, method="c14n", exclusive=True).decode("utf-8")
