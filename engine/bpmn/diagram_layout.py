"""Recompute the drawing (BPMN DI) of a process file from its semantic model.

Analysts and engineers edit the process XML itself: they add tasks, gateways, flows and
boundary events. Placing every new shape and bending every new flow by hand is slow and
easy to get wrong, and bpmn-js needs a drawing to show the diagram at all. This tool
throws the old ``bpmndi:BPMNDiagram`` away and draws a new one::

    python -m engine.bpmn.diagram_layout processes/x.bpmn [more files]

Each file is rewritten in place; only the text of its ``bpmndi:BPMNDiagram`` elements
changes, everything else stays byte for byte. The rules are simple and deterministic,
not beautiful:

* Sizes as bpmn-js draws them: activities 100x80, events 36x36, gateways 50x50.
* Columns: a node's column is its longest path from the start events along sequence
  flows, ignoring back edges (found by a depth-first search from the starts, in document
  order). A boundary event stands in its host's column; its targets come after the host.
  A column is 150 px wide, shapes are centred in its first 100 px.
* Lanes are horizontal bands in the order of the lane set. Nodes of one lane sharing a
  column take successive rows 130 px high; a node prefers the row of its predecessor
  in the same lane, one row lower after a boundary event. Nested lanes are indented.
  The participant encloses the lanes with a 30 px header on the left; nodes outside every
  lane get a band of their own at the bottom of the pool.
* A boundary event sits on the bottom edge of its host, 40 px from its neighbours; with
  more than three on one host, half of them go on its top edge.
* Flows are orthogonal: out of the source's right side (a boundary event's outer side),
  along the free 50 px gap between columns, into the target's left side. A flow going
  back to the same or an earlier column leaves the source's top and runs along the
  border between rows, which no shape covers, into the target's top.
* Without a collaboration a process is drawn on a plane of its own; a subprocess with
  content gets a plane of its own as well (drawn collapsed in its parent). Message flows
  run vertically from pool to pool with one bend.

Ids of existing diagrams, planes, shapes and edges are kept (new ones are
``BPMNDiagram_<key>``, ``BPMNPlane_<key>`` and ``<element id>_di``), so are colours and
other attributes of foreign namespaces. Drawings of elements this tool does not place
(text annotations, data objects, associations) are kept as they were. Labels are left to
bpmn-js.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from engine.bpmn.diagrams import BPMN_NS, NS, read_xml

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DD_NS = "http://www.omg.org/spec/DD/20100524/DI"
XML_NS = "http://www.w3.org/XML/1998/namespace"
PREFERRED_PREFIXES = {DI_NS: "bpmndi", DC_NS: "dc", DD_NS: "di"}
DRAWING_NAMESPACES = (DI_NS, DC_NS, DD_NS)

EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent",
                    "intermediateThrowEvent", "boundaryEvent"})
GATEWAYS = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway",
                      "eventBasedGateway", "complexGateway"})
SUBPROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
ACTIVITIES = frozenset({"task", "userTask", "serviceTask", "scriptTask", "manualTask",
                        "businessRuleTask", "sendTask", "receiveTask", "callActivity",
                        *SUBPROCESSES})
FLOW_NODES = EVENTS | GATEWAYS | ACTIVITIES

POOL_X = 120
HEADER = 30
LANE_INDENT = 30
FIRST_COLUMN = 200
COLUMN = 150
SLOT = 100
ROW = 130
BAND_PAD = 20
TOP = 80
POOL_GAP = 40
BOUNDARY_SPACING = 40
BOUNDARIES_PER_EDGE = 3
INDENT = "  "

Point = tuple[int, int]


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    @property
    def cx(self) -> int:
        return self.x + self.width // 2

    @property
    def cy(self) -> int:
        return self.y + self.height // 2


def size_of(kind: str) -> tuple[int, int]:
    """Width and height of a flow node as bpmn-js draws a new one."""
    if kind in EVENTS:
        return 36, 36
    if kind in GATEWAYS:
        return 50, 50
    return 100, 80


# --- the semantic model ---------------------------------------------------------------


def _local(element: etree._Element) -> str | None:
    """The local name of a BPMN element; None for anything else (comments, extensions)."""
    if not isinstance(element.tag, str):
        return None
    qname = etree.QName(element)
    return qname.localname if qname.namespace == BPMN_NS else None


@dataclass
class Graph:
    """The flow nodes and sequence flows directly inside one process or subprocess."""

    nodes: dict[str, str]  # id -> local tag, in document order
    flows: list[tuple[str, str, str]]  # (id, source, target), both ends in ``nodes``
    hosts: dict[str, str]  # boundary event -> the activity it is attached to

    def anchor(self, node: str) -> str:
        """Boundary events move with their host, so the graph treats them as the host."""
        return self.hosts.get(node, node)

    @property
    def placed(self) -> list[str]:
        """The nodes that get a cell of their own (all but attached boundary events)."""
        return [n for n in self.nodes if n not in self.hosts]


def read_graph(container: etree._Element) -> Graph:
    nodes = {c.get("id", ""): kind for c in container
             if (kind := _local(c)) in FLOW_NODES and c.get("id")}
    hosts: dict[str, str] = {}
    for event in container.iterfind("bpmn:boundaryEvent", NS):
        host = event.get("attachedToRef", "")
        if nodes.get(host) not in (None, "boundaryEvent"):
            hosts[event.get("id", "")] = host
    flows = [(f.get("id", ""), f.get("sourceRef", ""), f.get("targetRef", ""))
             for f in container.iterfind("bpmn:sequenceFlow", NS)]
    flows = [f for f in flows if f[0] and f[1] in nodes and f[2] in nodes]
    return Graph(nodes, flows, hosts)


def back_flows(graph: Graph) -> set[str]:
    """Flows that close a loop: they would make longest paths infinite.

    A depth-first search from the start events in document order (then from any node
    it did not reach) marks a flow into a node still on the search path as a back edge.
    """
    successors: dict[str, list[tuple[str, str]]] = {n: [] for n in graph.placed}
    for flow, source, target in graph.flows:
        successors[graph.anchor(source)].append((flow, graph.anchor(target)))
    reached = {graph.anchor(t) for _, s, t in graph.flows if graph.anchor(s) != graph.anchor(t)}
    roots = [n for n in graph.placed if graph.nodes[n] == "startEvent"]
    roots += [n for n in graph.placed if n not in reached] + graph.placed
    on_path: set[str] = set()
    done: set[str] = set()
    back: set[str] = set()
    for root in roots:
        if root in on_path or root in done:
            continue
        on_path.add(root)
        stack = [(root, iter(successors[root]))]
        while stack:
            node, pending = stack[-1]
            for flow, nxt in pending:
                if nxt in on_path:
                    back.add(flow)
                elif nxt not in done:
                    on_path.add(nxt)
                    stack.append((nxt, iter(successors[nxt])))
                    break
            else:
                on_path.discard(node)
                done.add(node)
                stack.pop()
    return back


def columns_of(graph: Graph, back: set[str]) -> dict[str, int]:
    """Longest path from the sources over the forward flows (a topological sweep)."""
    successors: dict[str, list[str]] = {n: [] for n in graph.placed}
    waiting = dict.fromkeys(graph.placed, 0)
    for flow, source, target in graph.flows:
        if flow not in back:
            successors[graph.anchor(source)].append(graph.anchor(target))
            waiting[graph.anchor(target)] += 1
    column = dict.fromkeys(graph.placed, 0)
    queue = [n for n in graph.placed if waiting[n] == 0]
    for node in queue:  # the queue grows while it is walked
        for nxt in successors[node]:
            column[nxt] = max(column[nxt], column[node] + 1)
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                queue.append(nxt)
    return column | {event: column[host] for event, host in graph.hosts.items()}


# --- bands and rows -------------------------------------------------------------------


@dataclass(eq=False)
class Band:
    """A horizontal strip of rows: one lane, or the nodes outside every lane."""

    lane: str | None
    nodes: list[str]
    rows: int = 1
    y: int = 0

    @property
    def height(self) -> int:
        return self.rows * ROW + 2 * BAND_PAD

    def slot_top(self, row: int) -> int:
        return self.y + BAND_PAD + row * ROW


@dataclass
class Lane:
    id: str
    depth: int
    bands: list[int]  # indices of its bands, its child lanes' included


def innermost_lanes(process: etree._Element) -> dict[str, str]:
    """Node id -> the deepest lane that lists it (a parent lane comes before its children)."""
    owner = {}
    for lane in process.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            if ref.text:
                owner[ref.text.strip()] = lane.get("id", "")
    return owner


def bands_of(lane_owner: etree._Element | None,
             nodes: list[str]) -> tuple[list[Band], list[Lane]]:
    """The bands of a process in lane-set order, and which bands each lane spans."""
    owner = innermost_lanes(lane_owner) if lane_owner is not None else {}
    bands: list[Band] = []
    lanes: list[Lane] = []

    def walk(lane_set: etree._Element, depth: int) -> None:
        for lane in lane_set.iterfind("bpmn:lane", NS):
            drawn = Lane(lane.get("id", ""), depth, [])
            lanes.append(drawn)
            first = len(bands)
            children = lane.find("bpmn:childLaneSet", NS)
            if children is not None:
                walk(children, depth + 1)
            own = [n for n in nodes if owner.get(n) == drawn.id]
            if own or len(bands) == first:
                bands.append(Band(drawn.id, own))
            drawn.bands = list(range(first, len(bands)))

    if lane_owner is not None:
        for lane_set in lane_owner.iterfind("bpmn:laneSet", NS):
            walk(lane_set, 0)
    drawn = {lane.id for lane in lanes}
    rest = [n for n in nodes if owner.get(n) not in drawn]
    if rest or not bands:
        bands.append(Band(None, rest))
    return bands, lanes


@dataclass
class Grid:
    """Where the flow nodes of one process or subprocess go: band, column and row."""

    graph: Graph
    back: set[str]
    bands: list[Band]
    lanes: list[Lane]
    band_of: dict[str, int]
    column: dict[str, int]
    row: dict[str, int] = field(default_factory=dict)

    @property
    def columns(self) -> int:
        return max(self.column.values(), default=0) + 1

    @property
    def x0(self) -> int:
        """Left of the first column: deeper lane nesting pushes it right."""
        depth = max((lane.depth for lane in self.lanes), default=0)
        return FIRST_COLUMN + LANE_INDENT * depth

    @property
    def right(self) -> int:
        return self.x0 + self.columns * COLUMN

    @property
    def height(self) -> int:
        return sum(band.height for band in self.bands)

    def cell(self, node: str) -> tuple[Band, int, int]:
        anchor = self.graph.anchor(node)
        return self.bands[self.band_of[anchor]], self.column[anchor], self.row[anchor]

    def occupied(self, band: Band, row: int, first: int, last: int) -> bool:
        """Whether a node of ``band`` and ``row`` stands in a column in [first, last)."""
        index = self.bands.index(band)
        return any(self.band_of[n] == index and self.row[n] == row
                   and first <= self.column[n] < last for n in self.graph.placed)


def grid_of(container: etree._Element, lane_owner: etree._Element | None) -> Grid:
    graph = read_graph(container)
    back = back_flows(graph)
    bands, lanes = bands_of(lane_owner, graph.placed)
    band_of = {n: i for i, band in enumerate(bands) for n in band.nodes}
    grid = Grid(graph, back, bands, lanes, band_of, columns_of(graph, back))
    assign_rows(grid)
    return grid


def assign_rows(grid: Grid) -> None:
    """Give nodes sharing a band and a column successive rows, so none overlap.

    Column by column, a node asks for the row of its highest predecessor in the same
    band (one lower behind a boundary event, to leave room for the event) and takes the
    first free row from there: a path keeps its row, a branch goes below.
    """
    graph = grid.graph
    order = {n: i for i, n in enumerate(graph.nodes)}
    before: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for flow, source, target in graph.flows:
        if flow not in grid.back:
            before[graph.anchor(target)].append((graph.anchor(source),
                                                 int(source in graph.hosts)))
    taken: dict[tuple[int, int], set[int]] = defaultdict(set)
    for col in range(grid.columns):
        members = [n for n in graph.placed if grid.column[n] == col]
        wanted = {n: min((grid.row[p] + lower for p, lower in before[n]
                          if p in grid.row and grid.band_of[p] == grid.band_of[n]), default=0)
                  for n in members}
        for node in sorted(members, key=lambda n: (wanted[n], order[n])):
            rows = taken[grid.band_of[node], col]
            row = wanted[node]
            while row in rows:
                row += 1
            rows.add(row)
            grid.row[node] = row
    for i, band in enumerate(grid.bands):
        band.rows = max((grid.row[n] + 1 for n in graph.placed if grid.band_of[n] == i),
                        default=1)


def stack(grid: Grid, top: int) -> None:
    """Put the bands of a grid under each other from ``top`` down."""
    for band in grid.bands:
        band.y = top
        top += band.height


# --- geometry -------------------------------------------------------------------------


def node_boxes(grid: Grid) -> tuple[dict[str, Box], dict[str, str]]:
    """Bounds of every node, and the edge ('top' or 'bottom') each boundary event is on."""
    boxes: dict[str, Box] = {}
    for node in grid.graph.placed:
        band, col, row = grid.cell(node)
        width, height = size_of(grid.graph.nodes[node])
        boxes[node] = Box(grid.x0 + col * COLUMN + (SLOT - width) // 2,
                          band.slot_top(row) + (ROW - height) // 2, width, height)
    sides: dict[str, str] = {}
    attached: dict[str, list[str]] = defaultdict(list)
    for event, host in grid.graph.hosts.items():
        attached[host].append(event)
    for host, events in attached.items():
        for event, (box, side) in zip(events, boundary_boxes(boxes[host], len(events)),
                                      strict=True):
            boxes[event], sides[event] = box, side
    return boxes, sides


def boundary_boxes(host: Box, count: int) -> list[tuple[Box, str]]:
    """Boundary events centred on the host's bottom edge, 40 px apart; with more than
    three, half of them go on the top edge, so they do not reach the next column."""
    on_bottom = count if count <= BOUNDARIES_PER_EDGE else (count + 1) // 2
    placed = []
    for side, n in (("bottom", on_bottom), ("top", count - on_bottom)):
        edge = host.bottom if side == "bottom" else host.y
        for i in range(n):
            cx = host.cx + (2 * i - (n - 1)) * BOUNDARY_SPACING // 2
            placed.append((Box(cx - 18, edge - 18, 36, 36), side))
    return placed


def gap_left(grid: Grid, col: int) -> int:
    """The x of the free vertical corridor just left of a column's shapes."""
    return grid.x0 + col * COLUMN - (COLUMN - SLOT) // 2


def simplify(points: list[Point]) -> list[Point]:
    """Drop repeated points and the middle one of three on a straight line."""
    out: list[Point] = []
    for point in points:
        if out and out[-1] == point:
            continue
        if len(out) >= 2 and (out[-2][0] == out[-1][0] == point[0]
                              or out[-2][1] == out[-1][1] == point[1]):
            out[-1] = point
        else:
            out.append(point)
    return out if len(out) >= 2 else out + out


@dataclass
class Router:
    """Routes the sequence flows of one grid once its nodes have their bounds."""

    grid: Grid
    boxes: dict[str, Box]
    sides: dict[str, str]

    def route(self, source: str, target: str) -> list[Point]:
        _, source_col, _ = self.grid.cell(source)
        _, target_col, _ = self.grid.cell(target)
        if target_col <= source_col:
            return simplify(self.backward(source, target))
        return simplify(self.forward(source, target))

    def exit(self, source: str) -> tuple[list[Point], int]:
        """How a flow going backwards leaves its source, and the row border it reaches.

        A boundary event leaves from its outer side onto the border beyond it; other
        shapes leave from the top onto the border above their row.
        """
        band, _, row = self.grid.cell(source)
        box = self.boxes[source]
        if self.sides.get(source) == "bottom":
            border = band.slot_top(row + 1)
            return [(box.cx, box.bottom), (box.cx, border)], border
        border = band.slot_top(row)
        return [(box.cx, box.y), (box.cx, border)], border

    def forward(self, source: str, target: str) -> list[Point]:
        """Along the gap after the source's column, or before the target's if the row
        in between is free, or along the row border above the target."""
        source_band, source_col, source_row = self.grid.cell(source)
        target_band, target_col, target_row = self.grid.cell(target)
        box, goal = self.boxes[source], self.boxes[target]
        after, before = gap_left(self.grid, source_col + 1), gap_left(self.grid, target_col)
        if source in self.sides:
            points, y = self.exit(source)
            free = True  # a row border
        else:
            points, y = [(box.right, box.cy)], box.cy
            free = not self.grid.occupied(source_band, source_row, source_col + 1, target_col)
        if after == before or free:
            points += [(before, y), (before, goal.cy)]
        elif not self.grid.occupied(target_band, target_row, source_col + 1, target_col):
            points += [(after, y), (after, goal.cy)]
        else:
            border = target_band.slot_top(target_row)
            points += [(after, y), (after, border), (before, border), (before, goal.cy)]
        return [*points, (goal.x, goal.cy)]

    def backward(self, source: str, target: str) -> list[Point]:
        """Along the row borders, which no shape covers, into the target's top."""
        target_band, target_col, target_row = self.grid.cell(target)
        box, goal = self.boxes[source], self.boxes[target]
        border = target_band.slot_top(target_row)
        if self.grid.graph.anchor(source) == target:
            corridor = gap_left(self.grid, target_col + 1)
            if source in self.sides:
                points, y = self.exit(source)
            else:
                points, y = [(box.right, box.cy), (corridor, box.cy)], border
        else:
            corridor = gap_left(self.grid, target_col)
            points, y = self.exit(source)
        return [*points, (corridor, y), (corridor, border), (goal.cx, border), (goal.cx, goal.y)]


def message_route(source: Box, target: Box) -> list[Point]:
    """Straight down (or up) from one pool to the other, with one bend in between."""
    if target.cy >= source.cy:
        start, end = (source.cx, source.bottom), (target.cx, target.y)
    else:
        start, end = (source.cx, source.y), (target.cx, target.bottom)
    middle = (start[1] + end[1]) // 2
    return simplify([start, (start[0], middle), (end[0], middle), end])


# --- the drawing ----------------------------------------------------------------------


def _di(tag: str) -> str:
    return f"{{{DI_NS}}}{tag}"


class OldDrawing:
    """The drawing the file had: ids and foreign attributes to keep, and the drawings
    of elements this tool does not place."""

    def __init__(self, root: etree._Element) -> None:
        self.elements: dict[str, etree._Element] = {}
        self.planes: dict[str, tuple[etree._Element, etree._Element]] = {}
        self.kept: list[tuple[str, etree._Element]] = []
        for diagram in root.iterfind(_di("BPMNDiagram")):
            for plane in diagram.iterfind(_di("BPMNPlane")):
                owner = plane.get("bpmnElement", "")
                self.planes.setdefault(owner, (diagram, plane))
                for drawn in plane:
                    if drawn.tag in (_di("BPMNShape"), _di("BPMNEdge")):
                        self.elements.setdefault(drawn.get("bpmnElement", ""), drawn)
                        self.kept.append((owner, drawn))

    def hints(self) -> dict[str, str]:
        """Prefixes the old drawing used, to declare them again if the root does not."""
        found: dict[str, str] = {}
        for _, drawn in self.kept:
            for prefix, uri in drawn.nsmap.items():
                if prefix:
                    found.setdefault(uri, prefix)
        return found


@dataclass
class Plane:
    """The shapes and edges of one BPMNPlane, with the bounds already placed on it."""

    owner: str
    key: str
    old: OldDrawing
    elements: list[etree._Element] = field(default_factory=list)
    boxes: dict[str, Box] = field(default_factory=dict)

    def drawn(self, tag: str, element_id: str, attributes: dict[str, str]) -> etree._Element:
        previous = self.old.elements.get(element_id)
        drawn = etree.Element(_di(tag))
        drawn.set("id", previous.get("id", "") if previous is not None and previous.get("id")
                  else f"{element_id}_di")
        drawn.set("bpmnElement", element_id)
        for name, value in attributes.items():
            drawn.set(name, value)
        if previous is not None:
            for name, value in previous.attrib.items():
                if name.startswith("{") and etree.QName(name).namespace not in DRAWING_NAMESPACES:
                    drawn.set(name, value)
        self.elements.append(drawn)
        return drawn

    def shape(self, element_id: str, box: Box, **attributes: str) -> None:
        drawn = self.drawn("BPMNShape", element_id, attributes)
        etree.SubElement(drawn, f"{{{DC_NS}}}Bounds", x=str(box.x), y=str(box.y),
                         width=str(box.width), height=str(box.height))
        self.boxes[element_id] = box

    def edge(self, element_id: str, points: list[Point]) -> None:
        drawn = self.drawn("BPMNEdge", element_id, {})
        for x, y in points:
            etree.SubElement(drawn, f"{{{DD_NS}}}waypoint", x=str(x), y=str(y))


def draw_grid(plane: Plane, grid: Grid, top: int, right: int) -> None:
    """Lanes, nodes and sequence flows of one process or subprocess, from ``top`` down."""
    stack(grid, top)
    for lane in grid.lanes:
        first, last = grid.bands[lane.bands[0]], grid.bands[lane.bands[-1]]
        x = POOL_X + HEADER + LANE_INDENT * lane.depth
        plane.shape(lane.id, Box(x, first.y, right - x, last.y + last.height - first.y),
                    isHorizontal="true")
    boxes, sides = node_boxes(grid)
    for node, kind in grid.graph.nodes.items():
        marker = {"isMarkerVisible": "true"} if kind == "exclusiveGateway" else {}
        plane.shape(node, boxes[node], **marker)
    router = Router(grid, boxes, sides)
    for flow, source, target in grid.graph.flows:
        plane.edge(flow, router.route(source, target))


def collaboration_plane(collaboration: etree._Element, processes: dict[str, etree._Element],
                        old: OldDrawing) -> tuple[Plane, set[str]]:
    """Pools under each other, as wide as the widest; returns the processes drawn."""
    participants = list(collaboration.iterfind("bpmn:participant", NS))
    grids: list[Grid | None] = []
    used: set[str] = set()
    for participant in participants:
        ref = participant.get("processRef", "")
        grids.append(grid_of(processes[ref], processes[ref])
                     if ref in processes and ref not in used else None)
        used.add(ref)
    key = next((p.get("processRef") for p in participants if p.get("processRef")),
               collaboration.get("id", ""))
    plane = Plane(collaboration.get("id", ""), key or "", old)
    right = max((g.right for g in grids if g is not None), default=FIRST_COLUMN + COLUMN)
    top = TOP
    for participant, grid in zip(participants, grids, strict=True):
        height = grid.height if grid is not None else ROW + 2 * BAND_PAD
        plane.shape(participant.get("id", ""), Box(POOL_X, top, right - POOL_X, height),
                    isHorizontal="true")
        if grid is not None:
            draw_grid(plane, grid, top, right)
        top += height + POOL_GAP
    for flow in collaboration.iterfind("bpmn:messageFlow", NS):
        source = plane.boxes.get(flow.get("sourceRef", ""))
        target = plane.boxes.get(flow.get("targetRef", ""))
        if source is not None and target is not None and flow.get("id"):
            plane.edge(flow.get("id", ""), message_route(source, target))
    return plane, used & set(processes)


def container_plane(container: etree._Element, old: OldDrawing, lanes: bool) -> Plane:
    """A process without a pool, or the content of a subprocess, on a plane of its own."""
    grid = grid_of(container, container if lanes else None)
    plane = Plane(container.get("id", ""), container.get("id", ""), old)
    draw_grid(plane, grid, TOP, grid.right)
    return plane


def planes_of(root: etree._Element, old: OldDrawing) -> list[Plane]:
    processes = {p.get("id", ""): p for p in root.iterfind("bpmn:process", NS)}
    planes: list[Plane] = []
    drawn: set[str] = set()
    collaboration = root.find("bpmn:collaboration", NS)
    if collaboration is not None:
        plane, drawn = collaboration_plane(collaboration, processes, old)
        planes.append(plane)
    planes += [container_plane(p, old, lanes=True)
               for key, p in processes.items() if key not in drawn]
    planes += [container_plane(s, old, lanes=False) for s in root.iter()
               if _local(s) in SUBPROCESSES and s.get("id") and read_graph(s).nodes]
    return planes


def keep_undrawn(root: etree._Element, planes: list[Plane], old: OldDrawing) -> None:
    """Copy the old drawings of elements that exist but that no plane placed."""
    if not planes:
        return
    semantic = {e.get("id") for e in root.iter() if _local(e) and e.get("id")}
    placed = {d.get("bpmnElement") for plane in planes for d in plane.elements}
    by_owner = {plane.owner: plane for plane in planes}
    for owner, drawn in old.kept:
        element = drawn.get("bpmnElement")
        if element in semantic and element not in placed:
            by_owner.get(owner, planes[0]).elements.append(deepcopy(drawn))
            placed.add(element)


def diagram_of(plane: Plane, old: OldDrawing) -> etree._Element:
    """The BPMNDiagram around a plane, keeping the old ids and attributes if it had one."""
    old_diagram, old_plane = old.planes.get(plane.owner, (None, None))
    diagram = etree.Element(_di("BPMNDiagram"))
    diagram.set("id", _old_id(old_diagram, f"BPMNDiagram_{plane.key}"))
    _copy_attributes(old_diagram, diagram, skip=("id",))
    inner = etree.SubElement(diagram, _di("BPMNPlane"))
    inner.set("id", _old_id(old_plane, f"BPMNPlane_{plane.key}"))
    inner.set("bpmnElement", plane.owner)
    _copy_attributes(old_plane, inner, skip=("id", "bpmnElement"))
    inner.extend(plane.elements)
    return diagram


def _old_id(element: etree._Element | None, default: str) -> str:
    return (element.get("id") if element is not None else None) or default


def _copy_attributes(source: etree._Element | None, target: etree._Element,
                     skip: Sequence[str]) -> None:
    if source is not None:
        for name, value in source.attrib.items():
            if name not in skip:
                target.set(name, value)


# --- writing the text -----------------------------------------------------------------


def _escape(value: str) -> str:
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"),
                         ("\t", "&#9;"), ("\n", "&#10;"), ("\r", "&#13;")):
        value = value.replace(raw, escaped)
    return value


def _uris(elements: Iterable[etree._Element]) -> Iterator[str]:
    for top in elements:
        for element in top.iter():
            names = [element.tag] if isinstance(element.tag, str) else []
            for name in [*names, *element.attrib]:
                if name.startswith("{"):
                    yield etree.QName(name).namespace or ""


def prefixes_for(root: etree._Element, diagrams: list[etree._Element],
                 hints: dict[str, str]) -> tuple[dict[str, str], str]:
    """Namespace URI -> prefix to write, and declarations for the ones the root lacks.

    The document's own prefixes are used wherever the root declares them, so the new
    drawing reads like the old one.
    """
    prefixes = {XML_NS: "xml"}
    for prefix, uri in sorted((p, u) for p, u in root.nsmap.items() if p):
        prefixes.setdefault(uri, prefix)
    taken = {p for p in root.nsmap if p} | set(prefixes.values())
    declarations = []
    for uri in _uris(diagrams):
        if uri in prefixes:
            continue
        base = hints.get(uri) or PREFERRED_PREFIXES.get(uri, "ns")
        prefix, n = base, 1
        while prefix in taken:
            prefix, n = f"{base}{n}", n + 1
        prefixes[uri] = prefix
        taken.add(prefix)
        declarations.append(f' xmlns:{prefix}="{_escape(uri)}"')
    return prefixes, "".join(declarations)


def _qualified(name: str, prefixes: dict[str, str]) -> str:
    if not name.startswith("{"):
        return name
    qname = etree.QName(name)
    return f"{prefixes[qname.namespace or '']}:{qname.localname}"


def render(element: etree._Element, prefixes: dict[str, str], indent: str,
           declarations: str = "") -> list[str]:
    """Lines of XML in the style bpmn-js writes: 2-space indentation, ``<x />``."""
    name = _qualified(element.tag, prefixes)
    attributes = "".join(f' {_qualified(k, prefixes)}="{_escape(v)}"'
                         for k, v in element.attrib.items())
    start = f"{indent}<{name}{declarations}{attributes}"
    children = [c for c in element if isinstance(c.tag, str)]
    text = element.text if element.text and element.text.strip() else ""
    if not children:
        return [f"{start}>{_escape(text)}</{name}>" if text else f"{start} />"]
    lines = [f"{start}>"]
    for child in children:
        lines += render(child, prefixes, indent + INDENT)
    return [*lines, f"{indent}</{name}>"]


_DIAGRAM_START = re.compile(r"<((?:[\w.-]+:)?BPMNDiagram)(?=[\s/>])")


def diagram_spans(text: str, expected: int) -> list[tuple[int, int]]:
    """Where the BPMNDiagram elements are in the text, start tag to end tag."""
    spans = []
    position = 0
    while match := _DIAGRAM_START.search(text, position):
        start_end = text.index(">", match.end()) + 1
        if text[start_end - 2] == "/":
            end = start_end
        else:
            close = re.compile(rf"</{re.escape(match[1])}\s*>").search(text, start_end)
            if close is None:
                raise ValueError(f"no end tag for <{match[1]}>")
            end = close.end()
        spans.append((match.start(), end))
        position = end
    if len(spans) != expected:
        raise ValueError("cannot find the text of the BPMNDiagram elements")
    return spans


def splice(text: str, spans: list[tuple[int, int]], lines: list[str]) -> str:
    """Put ``lines`` where the first old diagram was; drop the others with their line."""
    newline = "\r\n" if "\r\n" in text else "\n"
    for start, end in reversed(spans[1:]):
        line_start = text.rfind("\n", 0, start)
        cut = line_start if line_start >= 0 and not text[line_start:start].strip() else start
        text = text[:cut] + text[end:]
    if spans:
        start, end = spans[0]
        indent = text[text.rfind("\n", 0, start) + 1:start]
        indent = indent if not indent.strip() else ""
        body = newline.join(indent + line for line in lines)
        return text[:start] + body[len(indent):] + text[end:]
    closing = text.rindex("</")
    line_start = text.rfind("\n", 0, closing) + 1
    if text[line_start:closing].strip():
        line_start = closing
    body = "".join(INDENT + line + newline for line in lines)
    return text[:line_start] + body + text[line_start:]


def layout_document(content: bytes) -> bytes:
    """The document with its drawing recomputed; everything else is left as it was."""
    root = read_xml(content)
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise ValueError("not a BPMN 2.0 document: the root must be bpmn:definitions")
    encoding = root.getroottree().docinfo.encoding or "UTF-8"
    text = content.decode(encoding)
    old = OldDrawing(root)
    spans = diagram_spans(text, len(root.findall(_di("BPMNDiagram"))))
    planes = planes_of(root, old)
    keep_undrawn(root, planes, old)
    diagrams = [diagram_of(plane, old) for plane in planes]
    prefixes, declarations = prefixes_for(root, diagrams, old.hints())
    lines = [line for d in diagrams for line in render(d, prefixes, "", declarations)]
    return splice(text, spans, lines).encode(encoding)


def layout_file(path: Path) -> bool:
    """Rewrite a file with its drawing recomputed; True if anything changed."""
    content = path.read_bytes()
    laid_out = layout_document(content)
    if laid_out == content:
        return False
    path.write_bytes(laid_out)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engine.bpmn.diagram_layout",
        description="Recompute the BPMN DI of process files from their semantic model, "
                    "in place.")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    status = 0
    for path in parser.parse_args(argv).files:
        try:
            changed = layout_file(path)
        except (OSError, ValueError, etree.XMLSyntaxError) as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{path}: {'laid out' if changed else 'unchanged'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
