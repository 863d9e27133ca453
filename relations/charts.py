"""Charts of relations, drawn on the server: the geometry of each picture, computed in plain Python.

A template turns each chart into inline SVG (`templates/relations/_*_chart.html`); nothing runs in the
browser. Text in an SVG scales with it, so each picture is laid out twice, wide and narrow, and the
stylesheet shows the one that fits: at phone width the narrow one keeps its words legible. What the
pictures say about tone comes from `relations.state`; here it is only placed.
"""

import datetime
import math
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .models import Actor, Development, Relation
from .state import Entry, RelationState, YearRow, development_anchor

Tone = Development.Tone


@dataclass(frozen=True)
class Layout:
    name: str  # the CSS modifier that shows this layout at its width: chart--wide, chart--narrow
    width: int  # of the viewBox, in the chart's own units
    font: float  # text size in those units
    mark: float  # radius of a development's mark or an actor's node


WIDE = Layout("wide", 720, 14, 6)
NARROW = Layout("narrow", 360, 12, 5)
LAYOUTS = (WIDE, NARROW)


def text_width(text: str, font: float) -> float:
    """A generous estimate of how wide `text` sets in a sans-serif at `font`: the server cannot measure."""
    return len(text) * font * 0.6


def number(value: float) -> str:
    """A coordinate for SVG: one decimal at most, no trailing zeros."""
    return f"{round(value, 1):g}"


@dataclass(frozen=True)
class Scale:
    """A linear map from data (`domain`) to chart units (`range`); a one-point domain maps to the middle."""

    domain: tuple[float, float]
    range: tuple[float, float]

    def __call__(self, value: float) -> float:
        (d0, d1), (r0, r1) = self.domain, self.range
        if d0 == d1:
            return (r0 + r1) / 2
        return r0 + (value - d0) * (r1 - r0) / (d1 - d0)


# Shapes tell dimensions (and actor kinds) apart without colour; each is centred on (x, y), about 2r wide.
def shape_path(shape: str, x: float, y: float, r: float) -> str:
    if shape == "circle":
        points = [(x + r * math.cos(a * math.pi / 8), y + r * math.sin(a * math.pi / 8)) for a in range(16)]
    elif shape == "square":
        s = r * 0.9
        points = [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)]
    elif shape == "diamond":
        s = r * 1.25
        points = [(x, y - s), (x + s, y), (x, y + s), (x - s, y)]
    elif shape == "triangle":
        points = [(x, y - r * 1.2), (x + r * 1.15, y + r * 0.85), (x - r * 1.15, y + r * 0.85)]
    elif shape == "triangle-down":
        points = [(x, y + r * 1.2), (x + r * 1.15, y - r * 0.85), (x - r * 1.15, y - r * 0.85)]
    elif shape == "hexagon":
        points = [
            (x + r * 1.1 * math.cos(a * math.pi / 3), y + r * 1.1 * math.sin(a * math.pi / 3))
            for a in range(6)
        ]
    else:
        raise ValueError(shape)
    return "M" + " L".join(f"{number(px)} {number(py)}" for px, py in points) + " Z"


DIMENSION_SHAPES = {
    Development.Dimension.DIPLOMATIC: "circle",
    Development.Dimension.SECURITY: "triangle",
    Development.Dimension.ECONOMIC: "square",
    Development.Dimension.ENERGY: "diamond",
    Development.Dimension.MIGRATION: "triangle-down",
    Development.Dimension.CULTURAL: "hexagon",
}
KIND_SHAPES = {
    Actor.Kind.STATE: "circle",
    Actor.Kind.ORGANISATION: "square",
    Actor.Kind.COMPANY: "diamond",
    Actor.Kind.PERSON: "triangle",
    Actor.Kind.REGION: "hexagon",
}


def tone_class(tone: int | None) -> str:
    """The CSS modifier for a tone step (close-cooperation … conflict), or `none` without developments."""
    return "none" if tone is None else Tone(tone).name.lower().replace("_", "-")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class LegendItem:
    label: str
    shape: str
    css: str  # the modifier that colours it

    def path(self, size: float = 8) -> str:
        return shape_path(self.shape, size, size, size * 0.75)


# The recent tone of a relation: its latest year with developments


@dataclass(frozen=True)
class RecentTone:
    """What a relation's latest year of public developments says, or that there is none yet."""

    relation: Relation
    state: RelationState
    latest: YearRow | None

    @classmethod
    def of(cls, relation: Relation, state: RelationState) -> "RecentTone":
        return cls(relation, state, state.years[0] if state.years else None)

    @property
    def step(self) -> Tone | None:
        return self.latest.overall.step if self.latest else None

    @property
    def css(self) -> str:
        return tone_class(self.step)

    @property
    def latest_entry(self) -> Entry | None:
        """The newest development, with its anchor on the relation's page."""
        return self.state.timeline[0] if self.state.timeline else None

    @property
    def summary(self) -> str:
        """`Tension in 2023 (mean −0.5 of 3 developments)`, or `No developments recorded`."""
        if self.latest is None:
            return "No developments recorded"
        figure = self.latest.overall
        counted = plural(figure.count, "development")
        return f"{figure.step.label} in {self.latest.year} (mean {figure.mean_display} of {counted})"


def recent_tones(pairs: Iterable[tuple[Relation, RelationState]]) -> list[RecentTone]:
    return [RecentTone.of(relation, state) for relation, state in pairs]


def tone_counts(steps: Iterable[Tone | None]) -> str:
    """`3 cooperation, 1 tension`: how many of each named step, warmest first, naming only those present."""
    counts = Counter(steps)
    parts = [f"{counts[tone]} {tone.label.lower()}" for tone in reversed(Tone) if counts[tone]]
    if counts[None]:
        parts.append(f"{counts[None]} without developments")
    return ", ".join(parts)


# A relation's developments over time


@dataclass(frozen=True)
class Mark:
    development: Development
    number: int  # its number in the page's timeline
    x: float
    y: float
    path: str

    @property
    def href(self) -> str:
        return f"#{development_anchor(self.development)}"

    @property
    def css(self) -> str:
        return self.development.dimension

    @property
    def title(self) -> str:
        d = self.development
        kind = f"{d.get_dimension_display()}, {d.get_tone_display()}"
        return f"#{self.number} {d.date_display}: {d.title} ({kind})"


@dataclass(frozen=True)
class ToneRow:
    tone: Tone
    y: float  # the row's middle
    lines: tuple[str, ...]  # its label, over one or more lines

    @property
    def css(self) -> str:
        return tone_class(self.tone)


@dataclass(frozen=True)
class YearTick:
    year: int
    x: float  # where the year begins
    label_x: float  # the middle of the year, where its label sits
    labelled: bool  # thinned: only every few years are labelled when they crowd


@dataclass(frozen=True)
class YearMean:
    """The computed state of one year, as a line across it at the mean tone."""

    row: YearRow
    x1: float
    x2: float
    y: float


@dataclass(frozen=True)
class TimelineChart:
    layout: Layout
    height: float
    left: float
    right: float
    top: float
    bottom: float
    rows: tuple[ToneRow, ...]
    ticks: tuple[YearTick, ...]
    means: tuple[YearMean, ...]
    marks: tuple[Mark, ...]
    title: str
    description: str

    @property
    def id(self) -> str:
        return f"timeline-chart-{self.layout.name}"

    @property
    def width(self) -> int:
        return self.layout.width

    @property
    def axis_y(self) -> float:
        return self.bottom + self.layout.font * 1.4


def development_midpoint(development: Development) -> float:
    """Where a development sits on a time axis, as a day number: the middle of the period its date names
    (a development known only by its year sits mid-year, not on 1 January)."""
    date = development.date
    if development.date_precision == Development.Precision.YEAR:
        start, end = datetime.date(date.year, 1, 1), datetime.date(date.year + 1, 1, 1)
    elif development.date_precision == Development.Precision.MONTH:
        start = date.replace(day=1)
        end = datetime.date(date.year + date.month // 12, date.month % 12 + 1, 1)
    else:
        return date.toordinal() + 0.5
    return (start.toordinal() + end.toordinal()) / 2


def year_start(year: int) -> int:
    return datetime.date(year, 1, 1).toordinal()


def tone_label_lines(tone: Tone, layout: Layout) -> tuple[str, ...]:
    """The narrow layout gives each word a line, so the labels take less of the width."""
    return tuple(tone.label.split()) if layout is NARROW else (tone.label,)


def swarm(xs: Sequence[float], pitch: float, lanes: int) -> list[int]:
    """For marks at `xs` (sorted) in one row, the lane offset of each (0, −1, +1, −2, …) so that marks closer
    than `pitch` stack instead of hiding each other; once every lane is full, the least crowded is reused."""
    offsets = [0]
    for step in range(1, lanes):
        offsets.append(-((step + 1) // 2) if step % 2 else step // 2)
    last = [-math.inf] * lanes
    chosen = []
    for x in xs:
        lane = next(
            (i for i in range(lanes) if x - last[i] >= pitch), min(range(lanes), key=last.__getitem__)
        )
        last[lane] = x
        chosen.append(offsets[lane])
    return chosen


def timeline_description(state: RelationState) -> str:
    """The chart in words: how many developments, over which years, their tones, and each year's mean."""
    developments = [entry.development for entry in state.timeline]
    years = sorted({d.date.year for d in developments})
    span = f"in {years[0]}" if len(years) == 1 else f"from {years[0]} to {years[-1]}"
    tones = tone_counts(Tone(d.tone) for d in developments)
    means = "; ".join(
        f"{row.year} {row.overall.mean_display} ({row.overall.step.label.lower()})"
        for row in reversed(state.years)
    )
    return f"{plural(len(developments), 'development')} {span}: {tones}. Mean tone by year: {means}."


def timeline_chart(*, relation: Relation, state: RelationState, layout: Layout) -> TimelineChart | None:
    """A relation's developments by date (across) and tone (up: close cooperation at the top), shaped and
    coloured by dimension, with each year's mean tone across it; None without developments."""
    if not state.timeline:
        return None
    font, r = layout.font, layout.mark
    rows_tones = list(reversed(Tone))  # close cooperation first, at the top
    labels = {tone: tone_label_lines(tone, layout) for tone in rows_tones}
    left = max(text_width(line, font) for lines in labels.values() for line in lines) + font
    right = layout.width - r * 2
    row_height = font * 3.2
    top = r * 2
    bottom = top + row_height * len(rows_tones)
    height = bottom + font * 2.4

    def tone_y(tone: float) -> float:
        return top + (Tone.CLOSE_COOPERATION - tone + 0.5) * row_height

    rows = tuple(ToneRow(tone, tone_y(tone), labels[tone]) for tone in rows_tones)

    first = min(entry.development.date.year for entry in state.timeline)
    last = max(entry.development.date.year for entry in state.timeline)
    x = Scale((year_start(first), year_start(last + 1)), (left + r, right))

    # Label every year when they fit, else every second, fifth… so that no two labels touch.
    years = range(first, last + 2)
    room = (right - left) / (last + 1 - first)
    every = math.ceil((text_width("0000", font) + font) / room)
    ticks = tuple(
        YearTick(
            year,
            x(year_start(year)),
            x((year_start(year) + year_start(year + 1)) / 2),
            year <= last and (year - first) % every == 0,
        )
        for year in years
    )

    means = tuple(
        YearMean(row, x(year_start(row.year)), x(year_start(row.year + 1)), tone_y(row.overall.mean))
        for row in state.years
    )

    pitch = r * 2 + 1
    lanes = max(1, int((row_height - 2) // pitch))
    marks = []
    for tone in rows_tones:
        entries = sorted(
            (entry for entry in state.timeline if entry.development.tone == tone),
            key=lambda entry: development_midpoint(entry.development),
        )
        xs = [x(development_midpoint(entry.development)) for entry in entries]
        for entry, mx, lane in zip(entries, xs, swarm(xs, pitch, lanes), strict=True):
            my = tone_y(tone) + lane * pitch
            shape = DIMENSION_SHAPES[entry.development.dimension]
            marks.append(Mark(entry.development, entry.number, mx, my, shape_path(shape, mx, my, r)))
    marks.sort(key=lambda mark: mark.number, reverse=True)  # oldest first, so tabbing follows time

    return TimelineChart(
        layout=layout,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        rows=rows,
        ticks=ticks,
        means=means,
        marks=tuple(marks),
        title=f"{relation}: developments by date and tone",
        description=timeline_description(state),
    )


def dimension_legend(state: RelationState) -> list[LegendItem]:
    return [
        LegendItem(dimension.label, DIMENSION_SHAPES[dimension], dimension.value)
        for dimension in state.dimensions
    ]


# Who relates to whom: actors around an ellipse, relations between them


@dataclass(frozen=True)
class Node:
    actor: Actor
    x: float
    y: float
    path: str
    label: str  # the name, shortened when long (the full name is its title)
    label_x: float
    anchor: str  # text-anchor: labels stand outside the ellipse, left or right

    @property
    def css(self) -> str:
        return self.actor.kind

    @property
    def label_y(self) -> float:
        return self.y


@dataclass(frozen=True)
class Edge:
    recent: RecentTone
    path: str  # a chord of the ellipse, or an arc beside the column

    @property
    def css(self) -> str:
        return self.recent.css

    @property
    def title(self) -> str:
        return f"{self.recent.relation}: {self.recent.summary}"


@dataclass(frozen=True)
class NetworkChart:
    layout: Layout
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    title: str
    description: str

    @property
    def id(self) -> str:
        return f"network-chart-{self.layout.name}"

    @property
    def width(self) -> int:
        return self.layout.width


NETWORK_LABEL_CHARS = {WIDE.name: 24, NARROW.name: 20}


def shorten(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def network_order(recents: Sequence[RecentTone]) -> list[Actor]:
    """Actors in an order that keeps related ones near each other around the ellipse: breadth first from
    the most connected, neighbours by name; each unconnected group after the last."""
    neighbours: dict[int, set[int]] = {}
    actors: dict[int, Actor] = {}
    for recent in recents:
        a, b = recent.relation.actor_a, recent.relation.actor_b
        actors[a.pk], actors[b.pk] = a, b
        neighbours.setdefault(a.pk, set()).add(b.pk)
        neighbours.setdefault(b.pk, set()).add(a.pk)
    by_degree = sorted(actors, key=lambda pk: (-len(neighbours[pk]), actors[pk].name))
    order: list[int] = []
    seen: set[int] = set()
    for start in by_degree:
        if start in seen:
            continue
        queue = deque([start])
        seen.add(start)
        while queue:
            pk = queue.popleft()
            order.append(pk)
            for other in sorted(neighbours[pk] - seen, key=lambda o: actors[o].name):
                seen.add(other)
                queue.append(other)
    return [actors[pk] for pk in order]


def ellipse_positions(actors: Sequence[Actor], layout: Layout, label_room: float) -> tuple[dict, float]:
    """The wide layout: nodes down the left side of an ellipse and up its right, evenly spaced in height,
    so each side's labels, set outside it, are a line apart and never overlap. Returns, by actor id,
    (x, y, side: −1 left or +1 right), and the chart's height."""
    font = layout.font
    rx = max(layout.width / 2 - label_room, font * 2)
    down = math.ceil(len(actors) / 2)
    # Labels need a line and a bit each; beyond that the ellipse is kept round, so that an edge between
    # two nodes of one side passes well inside the nodes between them instead of through them.
    ry = max(down * font * 1.9 / 2, rx * 0.7)
    cx, cy = layout.width / 2, ry + font
    positions = {}
    for side, sign in ((actors[:down], -1), (list(reversed(actors[down:])), 1)):
        for i, actor in enumerate(side):
            t = -1 + (2 * i + 1) / len(side)  # a shorter right side is centred in the same height
            positions[actor.pk] = (cx + sign * rx * math.sqrt(1 - t * t), cy + ry * t, sign)
    return positions, cy * 2


def column_positions(actors: Sequence[Actor], layout: Layout, label_room: float) -> tuple[dict, float]:
    """The narrow layout: nodes down one column, labels to their left, relations as arcs to the right
    (an arc diagram), which a phone's tall screen holds without shrinking the words."""
    pitch = layout.font * 2
    x = label_room
    positions = {actor.pk: (x, layout.font + pitch * i, -1) for i, actor in enumerate(actors)}
    return positions, layout.font * 2 + pitch * (len(actors) - 1)


def edge_path(layout: Layout, start: tuple[float, float, int], end: tuple[float, float, int]) -> str:
    (x1, y1, _), (x2, y2, _) = start, end
    if layout is WIDE:
        return f"M{number(x1)} {number(y1)} L{number(x2)} {number(y2)}"
    # An arc bulging right, as far as the distance between its ends allows within the chart.
    ry = abs(y2 - y1) / 2
    rx = min(ry * 1.6, layout.width - x1 - layout.font)
    top, bottom = sorted((y1, y2))
    return f"M{number(x1)} {number(top)} A{number(rx)} {number(ry)} 0 0 1 {number(x2)} {number(bottom)}"


def network_chart(*, recents: Sequence[RecentTone], layout: Layout) -> NetworkChart | None:
    """Every actor in a relation as a node, each relation as an edge coloured and dashed by its recent
    tone: on an ellipse when wide, in a column with arcs when narrow. None without relations."""
    if not recents:
        return None
    font, r = layout.font, layout.mark * 1.3
    actors = network_order(recents)
    chars = NETWORK_LABEL_CHARS[layout.name]
    label_room = max(text_width(shorten(actor.name, chars), font) for actor in actors) + r * 2 + font * 0.5
    place = ellipse_positions if layout is WIDE else column_positions
    positions, height = place(actors, layout, label_room)
    nodes = tuple(
        Node(
            actor,
            x,
            y,
            shape_path(KIND_SHAPES[actor.kind], x, y, r),
            shorten(actor.name, chars),
            x + sign * (r + font * 0.4),
            "start" if sign > 0 else "end",
        )
        for actor in actors
        for x, y, sign in [positions[actor.pk]]
    )
    edges = tuple(
        Edge(
            recent,
            edge_path(layout, positions[recent.relation.actor_a_id], positions[recent.relation.actor_b_id]),
        )
        for recent in recents
    )
    return NetworkChart(
        layout=layout,
        height=height,
        nodes=nodes,
        edges=edges,
        title="Relations between actors, by the tone of their latest year of developments",
        description=(
            f"{plural(len(actors), 'actor')} linked by {plural(len(recents), 'relation')}. "
            f"Tone in each relation's latest year: {tone_counts(recent.step for recent in recents)}."
        ),
    )


def tone_legend() -> list[LegendItem]:
    items = [LegendItem(tone.label, "", tone_class(tone)) for tone in reversed(Tone)]
    return [*items, LegendItem("No developments yet", "", tone_class(None))]


def kind_legend(nodes: Iterable[Node]) -> list[LegendItem]:
    present = {node.actor.kind for node in nodes}
    return [LegendItem(kind.label, KIND_SHAPES[kind], kind.value) for kind in Actor.Kind if kind in present]


# An actor's relations at a glance: one bar each, from neutral towards its recent mean tone


@dataclass(frozen=True)
class Bar:
    recent: RecentTone
    counterpart: Actor
    x: float  # in a viewBox 0 0 200 12, neutral at 100
    width: float

    @property
    def css(self) -> str:
        return self.recent.css


BAR_CENTRE, BAR_HALF = 100, 48  # one tone step is 48 units; ±2 leaves a little room inside 0–200


def relation_bars(*, actor: Actor, recents: Iterable[RecentTone]) -> list[Bar]:
    """A bar per relation of `actor`, from neutral to its latest year's mean tone; a neutral mean is a
    short stub so it still shows, and a relation without developments has no bar (width 0)."""
    bars = []
    for recent in recents:
        relation = recent.relation
        counterpart = relation.actor_b if relation.actor_a_id == actor.pk else relation.actor_a
        if recent.latest is None:
            bars.append(Bar(recent, counterpart, BAR_CENTRE, 0))
            continue
        mean = recent.latest.overall.mean
        end = BAR_CENTRE + mean * BAR_HALF
        x, width = min(BAR_CENTRE, end), abs(end - BAR_CENTRE)
        if width < 2:
            x, width = BAR_CENTRE - 1, 2
        bars.append(Bar(recent, counterpart, x, width))
    return bars
