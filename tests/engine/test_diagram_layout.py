"""The layout tool redraws a diagram from its semantic model and changes nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from engine.bpmn.diagram_layout import layout_document, main
from engine.bpmn.diagrams import inspect_diagram, lane_of
from forms import FORMS
from handlers import HANDLERS
from tests.conftest import PROCESSES
from tests.diagrams import shipped, shipped_decision

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI"}
FLOW_NODES = ("startEvent", "endEvent", "userTask", "serviceTask", "exclusiveGateway",
              "parallelGateway", "inclusiveGateway", "eventBasedGateway", "boundaryEvent",
              "callActivity", "intermediateCatchEvent", "intermediateThrowEvent", "subProcess",
              "task")
DIAGRAMS = sorted(PROCESSES.glob("*.bpmn"))
DIAGRAM_TAG = f"{{{NS['bpmndi']}}}BPMNDiagram"

Box = tuple[float, float, float, float]


def laid_out(path: Path, tmp_path: Path) -> Path:
    """A copy of a shipped diagram, laid out by the command line as a user runs it."""
    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    assert main([str(copy)]) == 0
    return copy


def parse(content: bytes) -> etree._Element:
    return etree.fromstring(content)


def boxes_of(root: etree._Element) -> dict[str, Box]:
    boxes = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        boxes[shape.get("bpmnElement")] = tuple(float(b.get(k))
                                                for k in ("x", "y", "width", "height"))
    return boxes


def waypoints_of(root: etree._Element) -> dict[str, list[tuple[float, float]]]:
    return {e.get("bpmnElement"): [(float(p.get("x")), float(p.get("y")))
                                   for p in e.iterfind("di:waypoint", NS)]
            for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}


def flow_nodes(root: etree._Element) -> list[etree._Element]:
    return [n for tag in FLOW_NODES for n in root.iterfind(f".//bpmn:{tag}", NS)]


def overlap(a: Box, b: Box) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def inside(inner: Box, outer: Box) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


def on_border(point: tuple[float, float], box: Box) -> bool:
    px, py = point
    x, y, w, h = box
    return ((px in (x, x + w) and y <= py <= y + h)
            or (py in (y, y + h) and x <= px <= x + w))


def semantic(root: etree._Element) -> list[bytes]:
    """Everything but the drawing, canonicalised."""
    return [etree.tostring(child, method="c14n") for child in root
            if child.tag != DIAGRAM_TAG]


def without_drawing(content: bytes) -> bytes:
    """The bytes without the lines of the drawing (a file may have had none yet)."""
    if b"<bpmndi:BPMNDiagram" not in content:
        return content
    start = content.rindex(b"\n", 0, content.index(b"<bpmndi:BPMNDiagram"))
    end = content.index(b"\n", content.rindex(b"</bpmndi:BPMNDiagram>"))
    return content[:start] + content[end:]


def assert_drawn_cleanly(root: etree._Element) -> None:
    """Every element drawn, no two nodes on each other, every flow orthogonal from the
    border of its source to the border of its target."""
    boxes = boxes_of(root)
    for node in (*flow_nodes(root), *root.iterfind(".//bpmn:lane", NS),
                 *root.iterfind(".//bpmn:participant", NS)):
        assert node.get("id") in boxes, node.get("id")
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        assert len(waypoints_of(root).get(flow.get("id"), [])) >= 2, flow.get("id")
    for plane in root.iterfind(".//bpmndi:BPMNPlane", NS):
        assert_plane_clean(root, plane)


def assert_plane_clean(root: etree._Element, plane: etree._Element) -> None:
    boxes, routes = boxes_of(plane), waypoints_of(plane)
    hosts = {b.get("id"): b.get("attachedToRef")
             for b in root.iterfind(".//bpmn:boundaryEvent", NS)}
    nodes = sorted(n.get("id") for n in flow_nodes(root) if n.get("id") in boxes)
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            if hosts.get(a) != b and hosts.get(b) != a:
                assert not overlap(boxes[a], boxes[b]), (a, b)
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        points = routes.get(flow.get("id"))
        if points is None:
            continue
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            assert x0 == x1 or y0 == y1, flow.get("id")
        assert on_border(points[0], boxes[flow.get("sourceRef")]), flow.get("id")
        assert on_border(points[-1], boxes[flow.get("targetRef")]), flow.get("id")


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_only_the_drawing_changes(path, tmp_path):
    copy = laid_out(path, tmp_path)
    before, after = path.read_bytes(), copy.read_bytes()
    assert semantic(parse(after)) == semantic(parse(before))
    assert without_drawing(after) == without_drawing(before)


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_every_element_is_drawn_without_overlaps(path, tmp_path):
    assert_drawn_cleanly(parse(laid_out(path, tmp_path).read_bytes()))


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_nodes_stay_in_their_lanes(path, tmp_path):
    root = parse(laid_out(path, tmp_path).read_bytes())
    boxes = boxes_of(root)
    lane_ids = {lane.get("name"): lane.get("id") for lane in root.iterfind(".//bpmn:lane", NS)}
    participant = root.find(".//bpmn:participant", NS).get("id")
    for process in root.iterfind("bpmn:process", NS):
        for node, lane in lane_of(process).items():
            assert inside(boxes[node], boxes[lane_ids[lane]]), (node, lane)
    for lane in lane_ids.values():
        assert inside(boxes[lane], boxes[participant]), lane


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_laid_out_diagram_passes_the_deploy_checks(path, tmp_path):
    copy = laid_out(path, tmp_path)
    processes, problems = inspect_diagram(copy.read_bytes(), FORMS, HANDLERS, shipped,
                                          shipped_decision)
    assert problems == [] and [p.key for p in processes] == [path.stem]


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_laying_out_twice_changes_nothing(path, tmp_path, capsys):
    copy = laid_out(path, tmp_path)
    first = copy.read_bytes()
    assert main([str(copy)]) == 0
    assert copy.read_bytes() == first
    assert capsys.readouterr().out.splitlines()[-1].endswith("unchanged")


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_ids_and_style_are_kept(path, tmp_path):
    content = laid_out(path, tmp_path).read_bytes()
    before, after = parse(path.read_bytes()), parse(content)
    for kind in ("BPMNDiagram", "BPMNPlane"):
        assert [d.get("id") for d in after.iterfind(f".//bpmndi:{kind}", NS)] == [
            f"{kind}_{path.stem}"]
    plane = after.find(".//bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == before.find("bpmn:collaboration", NS).get("id")
    for drawn in after.iterfind(".//bpmndi:BPMNPlane/*", NS):
        assert drawn.get("id") == f"{drawn.get('bpmnElement')}_di"
    for gateway in after.iterfind(".//bpmn:exclusiveGateway", NS):
        shape = after.find(f".//bpmndi:BPMNShape[@bpmnElement='{gateway.get('id')}']", NS)
        assert shape.get("isMarkerVisible") == "true"
    assert b'\n      <bpmndi:BPMNShape id="' in content  # 2-space indentation


LOOP = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="defs" targetNamespace="x">
  <bpmn:process id="loop" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:task id="draft" />
    <bpmn:task id="check" />
    <bpmn:exclusiveGateway id="ok" />
    <bpmn:endEvent id="end" />
    <bpmn:endEvent id="late_end" />
    <bpmn:boundaryEvent id="late" attachedToRef="check">
      <bpmn:timerEventDefinition />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="draft" />
    <bpmn:sequenceFlow id="f2" sourceRef="draft" targetRef="check" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="ok" />
    <bpmn:sequenceFlow id="f4" sourceRef="ok" targetRef="end" />
    <bpmn:sequenceFlow id="again" sourceRef="ok" targetRef="draft" />
    <bpmn:sequenceFlow id="f5" sourceRef="late" targetRef="late_end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_process_without_pool_or_drawing_is_drawn_in_one_band():
    content = layout_document(LOOP)
    root = parse(content)
    assert_drawn_cleanly(root)
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == "loop" and plane.get("id") == "BPMNPlane_loop"
    assert root.find("bpmndi:BPMNDiagram", NS).get("id") == "BPMNDiagram_loop"
    boxes, routes = boxes_of(root), waypoints_of(root)
    lefts = [boxes[n][0] for n in ("start", "draft", "check", "ok", "end")]
    assert lefts == sorted(lefts) and len(set(lefts)) == 5  # one column each
    assert len({boxes[n][1] + boxes[n][3] / 2 for n in ("start", "draft", "ok")}) == 1
    assert boxes["draft"][2:] == (100, 80) and boxes["ok"][2:] == (50, 50)
    assert boxes["start"][2:] == (36, 36)
    # The loop back runs above the shapes, into the top of the task it repeats.
    again = routes["again"]
    assert again[-1] == (boxes["draft"][0] + 50, boxes["draft"][1])
    assert min(y for _, y in again) < min(boxes[n][1] for n in boxes)
    # The timer hangs on the bottom edge of its task; its flow leaves from its bottom.
    lx, ly, lw, lh = boxes["late"]
    cx, cy, cw, ch = boxes["check"]
    assert ly + lh / 2 == cy + ch and cx <= lx and lx + lw <= cx + cw
    assert routes["f5"][0] == (lx + lw / 2, ly + lh)
    assert boxes["late_end"][0] > cx + cw
    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions')
    assert layout_document(content) == content


MANY = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:bioc="http://bpmn.io/schema/bpmn/biocolor/1.0" id="defs" targetNamespace="x">
  <bpmn:collaboration id="Collaboration_many">
    <bpmn:participant id="Participant_many" processRef="many" />
  </bpmn:collaboration>
  <bpmn:process id="many" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="Lane_team" name="team">
        <bpmn:childLaneSet id="inner">
          <bpmn:lane id="Lane_a" name="a">
            <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
            <bpmn:flowNodeRef>work</bpmn:flowNodeRef>
          </bpmn:lane>
          <bpmn:lane id="Lane_b" name="b">
            <bpmn:flowNodeRef>sub</bpmn:flowNodeRef>
          </bpmn:lane>
        </bpmn:childLaneSet>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:task id="work" />
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="sub_start" />
      <bpmn:endEvent id="sub_end" />
      <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="sub_end" />
    </bpmn:subProcess>
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="b1" attachedToRef="work" />
    <bpmn:boundaryEvent id="b2" attachedToRef="work" />
    <bpmn:boundaryEvent id="b3" attachedToRef="work" />
    <bpmn:boundaryEvent id="b4" attachedToRef="work" />
    <bpmn:boundaryEvent id="b5" attachedToRef="work" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="sub" />
    <bpmn:sequenceFlow id="f3" sourceRef="sub" targetRef="end" />
    <bpmn:sequenceFlow id="f4" sourceRef="b1" targetRef="end" />
    <bpmn:sequenceFlow id="f5" sourceRef="b5" targetRef="work" />
    <bpmn:textAnnotation id="note" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Old_diagram">
    <bpmndi:BPMNPlane id="Old_plane" bpmnElement="Collaboration_many">
      <bpmndi:BPMNShape id="work_shape" bpmnElement="work" bioc:fill="#ffe0b2">
        <dc:Bounds x="0" y="0" width="10" height="10" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="note_di" bpmnElement="note">
        <dc:Bounds x="400" y="20" width="100" height="30" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="gone_di" bpmnElement="gone">
        <dc:Bounds x="400" y="20" width="100" height="30" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_nested_lanes_subprocesses_and_crowded_hosts():
    content = layout_document(MANY)
    root = parse(content)
    assert_drawn_cleanly(root)
    boxes = boxes_of(root)
    for lane in ("Lane_a", "Lane_b"):
        assert inside(boxes[lane], boxes["Lane_team"])
        assert boxes[lane][0] == boxes["Lane_team"][0] + 30  # indented under its parent
    assert inside(boxes["Lane_team"], boxes["Participant_many"])
    for node, lane in lane_of(root.find("bpmn:process", NS)).items():
        assert inside(boxes[node], boxes[root.find(f".//bpmn:lane[@name='{lane}']",
                                                   NS).get("id")]), node
    wx, wy, ww, wh = boxes["work"]
    for event in ("b1", "b2", "b3", "b4", "b5"):
        x, y, w, h = boxes[event]
        assert y + h / 2 in (wy, wy + wh) and wx - 30 < x + w / 2 < wx + ww + 30, event
    # The subprocess is a task-size box here, its content on a plane of its own.
    assert boxes["sub"][2:] == (100, 80)
    planes = {p.get("bpmnElement"): p for p in root.iterfind(".//bpmndi:BPMNPlane", NS)}
    assert set(planes) == {"Collaboration_many", "sub"}
    assert planes["Collaboration_many"].get("id") == "Old_plane"
    assert {s.get("bpmnElement") for s in planes["sub"]} == {"sub_start", "sub_end", "s1"}
    # Old ids and colours stay, undrawn elements keep their drawing, stale ones go.
    work = root.find(".//bpmndi:BPMNShape[@bpmnElement='work']", NS)
    assert work.get("id") == "work_shape"
    assert work.get("{http://bpmn.io/schema/bpmn/biocolor/1.0}fill") == "#ffe0b2"
    assert boxes["note"] == (400, 20, 100, 30) and "gone" not in boxes
    # di: was not declared on the root, so the drawing declares it itself.
    assert b'<bpmndi:BPMNDiagram xmlns:di="http://www.omg.org/spec/DD/20100524/DI"' in content
    assert layout_document(content) == content


def test_a_file_that_is_not_bpmn_is_reported(tmp_path, capsys):
    path = tmp_path / "note.bpmn"
    path.write_bytes(b"<note />")
    assert main([str(path)]) == 1
    assert "not a BPMN 2.0 document" in capsys.readouterr().err
    assert path.read_bytes() == b"<note />"
