"""Every shipped diagram deploys and carries diagram interchange for bpmn-js."""

from __future__ import annotations

import pytest
from lxml import etree

from engine.bpmn.diagrams import inspect_diagram
from forms import FORMS
from handlers import HANDLERS
from tests.conftest import PROCESSES
from tests.diagrams import shipped, shipped_decision

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI"}
FLOW_NODES = ("startEvent", "endEvent", "userTask", "serviceTask", "exclusiveGateway",
              "parallelGateway", "inclusiveGateway", "boundaryEvent", "callActivity",
              "intermediateCatchEvent", "intermediateThrowEvent", "subProcess",
              "businessRuleTask")
DIAGRAMS = sorted(PROCESSES.glob("*.bpmn"))


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_diagram_passes_the_deploy_checks(path):
    processes, problems = inspect_diagram(path.read_bytes(), FORMS, HANDLERS, shipped,
                                          shipped_decision)
    assert problems == [] and [p.key for p in processes] == [path.stem]


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_every_element_is_drawn(path):
    root = etree.parse(str(path)).getroot()
    shapes = {s.get("bpmnElement"): s for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    for tag in (*FLOW_NODES, "lane", "participant"):
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            shape = shapes.get(node.get("id"))
            assert shape is not None and shape.find("dc:Bounds", NS) is not None, node.get("id")
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        edge = edges.get(flow.get("id"))
        assert edge is not None and len(edge.findall("di:waypoint", NS)) >= 2, flow.get("id")


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_every_user_task_tells_the_actor_what_to_do(path):
    root = etree.parse(str(path)).getroot()
    for task in root.iterfind(".//bpmn:userTask", NS):
        documentation = task.findtext("bpmn:documentation", namespaces=NS) or ""
        assert len(documentation.split()) >= 10, task.get("id")


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_no_two_shapes_overlap(path):
    """Flow nodes never cover each other; a boundary event sits on its own task only."""
    root = etree.parse(str(path)).getroot()
    hosts = {b.get("id"): b.get("attachedToRef")
             for b in root.iterfind(".//bpmn:boundaryEvent", NS)}
    nodes = {n.get("id") for tag in FLOW_NODES for n in root.iterfind(f".//bpmn:{tag}", NS)}
    boxes = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        if shape.get("bpmnElement") in nodes:
            b = shape.find("dc:Bounds", NS)
            boxes[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in
                                                    ("x", "y", "width", "height"))
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if hosts.get(a) == b or hosts.get(b) == a:
                continue
            ax, ay, aw, ah = boxes[a]
            bx, by, bw, bh = boxes[b]
            overlap = ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
            assert not overlap, (a, b)
