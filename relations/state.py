"""A relation's state over time, computed from its developments; plain Python, no queries.

The analyst's `Relation.state` is a judgement. What is computed here is the record behind it: for each
year, the mean tone of the developments in each dimension and over all of them, each figure keeping
the developments it comes from and how many of those are confirmed, so a page can link every number
to its evidence. Also the rule that a development needs two participants, which the admin form and
the spreadsheet import share.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from statistics import fmean

from django.core.exceptions import ValidationError

from articles.models import Claim

from .models import Development, Relation

PARTICIPANTS_MESSAGE = (
    "A development needs at least two participants: the actors between whom it happens. "
    "Add the other side, or record it on the actor instead."
)


def development_participants_check(participants: Collection) -> None:
    """Raise ValidationError unless `participants` names two or more different actors.

    Takes actors, their ids or their slugs. The database cannot check a many-to-many count, so every
    way in (the admin form, the spreadsheet import) calls this before it saves.
    """
    distinct = {getattr(actor, "pk", actor) for actor in participants}
    if len(distinct) < 2:
        raise ValidationError(PARTICIPANTS_MESSAGE, code="too_few_participants")


def development_confirmed(development: Development) -> bool:
    """Confirmed when at least one of its public claims is verified.

    Reads `public_claims`, which `relation_timeline` prefetches from `Claim.objects.published()`:
    a verified claim in a draft, scheduled or withdrawn article never confirms anything.
    """
    return any(claim.status == Claim.Status.VERIFIED for claim in development.public_claims)


def tone_step(mean: float) -> Development.Tone:
    """The named step nearest to `mean`; a mean halfway between two steps takes the one nearer Neutral,
    so the table never sounds warmer or colder than the developments it summarises."""
    return Development.Tone(int(math.copysign(math.ceil(abs(mean) - 0.5), mean)))


def development_anchor(development: Development) -> str:
    """The id of a development on its relation's page, which the table and the as-of date link to."""
    return f"development-{development.slug}"


@dataclass(frozen=True)
class Entry:
    """One development on the timeline, numbered in timeline order so the table can point to it."""

    development: Development
    confirmed: bool
    number: int

    @property
    def anchor(self) -> str:
        return development_anchor(self.development)


@dataclass(frozen=True)
class Figure:
    """The mean tone and the count of some developments, which it keeps."""

    entries: tuple[Entry, ...]

    @property
    def developments(self) -> list[Development]:
        return [entry.development for entry in self.entries]

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def confirmed(self) -> int:
        return sum(entry.confirmed for entry in self.entries)

    @property
    def mean(self) -> float:
        return fmean(entry.development.tone for entry in self.entries)

    @property
    def step(self) -> Development.Tone:
        return tone_step(self.mean)

    @property
    def mean_display(self) -> str:
        """Signed, one decimal: +1.5, 0.0, −0.5 (a true minus sign, which screen readers say)."""
        mean = round(self.mean, 1)
        if mean == 0:
            return "0.0"
        return f"+{mean:.1f}" if mean > 0 else f"−{-mean:.1f}"


@dataclass(frozen=True)
class YearRow:
    year: int
    cells: tuple[tuple[Development.Dimension, Figure | None], ...]  # one per column, None when empty
    overall: Figure

    def figure(self, dimension: str) -> Figure | None:
        return dict(self.cells).get(dimension)


@dataclass(frozen=True)
class AsOf:
    """The date the page's state speaks for, and what that date is."""

    ASSESSED = "assessed"
    DEVELOPMENT = "development"

    date: datetime.date
    basis: str
    development: Development | None = None  # the latest development, when it sets the date

    @property
    def label(self) -> str:
        return "assessed on" if self.basis == self.ASSESSED else "latest development"

    @property
    def anchor(self) -> str:
        return development_anchor(self.development) if self.development is not None else ""

    @property
    def display(self) -> str:
        """The date as precisely as it is known: a development dated to a month shows the month."""
        if self.development is not None:
            return self.development.date_display
        return self.date.strftime("%-d %B %Y")


@dataclass(frozen=True)
class RelationState:
    timeline: tuple[Entry, ...]  # newest first, as the page lists them
    dimensions: tuple[Development.Dimension, ...]  # the columns: dimensions with any development
    years: tuple[YearRow, ...]  # newest first, as the timeline below them
    as_of: AsOf | None

    def year(self, year: int) -> YearRow | None:
        return next((row for row in self.years if row.year == year), None)


def relation_as_of(*, assessed_on: datetime.date | None, developments: Iterable[Development]) -> AsOf | None:
    """The later of the analyst's assessment and the latest development's date; never an edit time.

    On the same day the assessment wins: the analyst judged with that development in view.
    """
    latest = max(developments, key=lambda development: development.date, default=None)
    if latest is not None and (assessed_on is None or latest.date > assessed_on):
        return AsOf(latest.date, AsOf.DEVELOPMENT, latest)
    if assessed_on is not None:
        return AsOf(assessed_on, AsOf.ASSESSED)
    return None


def relation_state(*, relation: Relation, developments: Iterable[Development]) -> RelationState:
    """The state over time of `relation`, from its developments (each with `public_claims` loaded).

    A development counts in the year it began; the timeline keeps the order it is given.
    """
    developments = list(developments)
    timeline = tuple(
        Entry(development, development_confirmed(development), number)
        for number, development in enumerate(developments, start=1)
    )
    by_year: dict[int, list[Entry]] = defaultdict(list)
    for entry in timeline:
        by_year[entry.development.date.year].append(entry)
    present = {entry.development.dimension for entry in timeline}
    dimensions = tuple(dimension for dimension in Development.Dimension if dimension in present)
    years = []
    for year in sorted(by_year, reverse=True):
        entries = by_year[year]
        cells = []
        for dimension in dimensions:
            chosen = tuple(entry for entry in entries if entry.development.dimension == dimension)
            cells.append((dimension, Figure(chosen) if chosen else None))
        years.append(YearRow(year, tuple(cells), Figure(tuple(entries))))
    return RelationState(
        timeline=timeline,
        dimensions=dimensions,
        years=tuple(years),
        as_of=relation_as_of(assessed_on=relation.assessed_on, developments=developments),
    )
