"""Every importable spreadsheet, in every format the admin offers, gives back exactly what it exported.

For each resource, rows are made whose text fields hold what spreadsheets and parsers trip on. The
export is written as a file, read back as a file, and imported: a dry run must find every row
unchanged, and the real import must leave every stored value as it was, character for character.
A second import writes every row back regardless (as a file edited elsewhere would be), and must
store exactly what was there too: "unchanged" must not merely mean "not compared".

Notes are left out: they are exported to pick sources, never imported as rows of their own.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from articles.models import (
    Author,
    Claim,
    ClaimEvidence,
    Credibility,
    Origin,
    Reliability,
    Source,
    TimePrecision,
    Topic,
)
from articles.resources import AuthorResource, ClaimResource, SourceResource, TopicResource
from common.admin import SpreadsheetAdmin
from relations.models import Actor, Development, Membership, Relation
from relations.resources import ActorResource, DevelopmentResource, MembershipResource, RelationResource
from tests.factories import (
    ActorFactory,
    ArticleFactory,
    AuthorFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    DevelopmentFactory,
    MembershipFactory,
    OrganisationFactory,
    RelationFactory,
    SourceFactory,
    StaffFactory,
    TopicFactory,
)

# What a text cell may hold, by name (the name shows in a failure). The empty text goes only where
# the field may be blank; the long text is cut to the field's length where it has one.
TRICKY = {
    "empty": "",
    "newline": "first line\nsecond line",
    "crlf": "first line\r\nsecond line",
    "padded": "  spaces before and after  ",
    "long": ("Долгий текст, 中文, نص طويل, long text. " * 200)[:5000],
    "cyrillic": "Кыргызстан",
    "chinese": "中文",
    "arabic": "عربى",
    "formula": "=SUM(A1)",
    "plus": "+7 701",
    "minus": "-3",
    "at": "@user",
    "apostrophe": "'quoted",
    "escaped-formula": "'=SUM(A1)",
    "tab-first": "\tindented",
}

# Locators every claim's evidence holds besides its tricky one: kept exactly, spaces and breaks too.
LOCATOR_WITH_BREAK = "  p. 3\nline"
LOCATOR_WITH_BARS = r"table 2 | row 4 \n is not a break"
# A passage that looks like the evidence cell's own lines: a source, a quoted line, escapes.
PASSAGE_LIKE_A_CELL = 'other-key | supports | p. 1\n> quoted \\n \\\\ \r\n  "Sie sagte: «ja»" |'


def _fit(model, name: str, value: str, n: int) -> str:
    """`value` as the field can hold it: a required text is never empty, a long one is cut to length."""
    field = model._meta.get_field(name)
    if value == "" and not field.blank:
        return f"Plain text {n}"
    return value[: field.max_length] if field.max_length else value


def _texts(model, names: list[str]):
    """Per tricky text, its number and the values of the named fields, each holding that text."""
    for n, value in enumerate(TRICKY.values()):
        yield n, {name: _fit(model, name, value, n) for name in names}


# The rows of each spreadsheet -------------------------------------------------------------------


def _sources():
    reliabilities, credibilities = list(Reliability), list(Credibility)
    names = ["title", "container_title", "publisher", "author", "language", "link_error"]
    for n, texts in _texts(Source, names):
        # Grades, as the grading service leaves them on the row, and what the link checker found.
        graded = (
            {
                "reliability": reliabilities[n % len(reliabilities)],
                "credibility": credibilities[n % len(credibilities)],
                "origin": Origin.SECONDARY if n % 3 else Origin.PRIMARY,
                "state_affiliated": n % 4 == 1,
                "assessed_at": timezone.now() - datetime.timedelta(days=n),
            }
            if n % 2
            else {}
        )
        SourceFactory(
            key=f"source-{n}",
            url=f"https://example.org/report/{n}",
            doi=f"10.1000/report.{n}" if n % 3 else "",
            accessed_on=datetime.date(2023, 2, 1) if n % 2 else None,
            archived_at=timezone.now() - datetime.timedelta(hours=n) if n % 3 else None,
            link_status="redirected" if n % 2 else "unchecked",
            link_target=f"https://example.org/moved/{n}" if n % 2 else "",
            **graded,
            **texts,
        )
    SourceFactory(key="no-address", url="", title="A source whose address was lost", placeholder=True)
    SourceFactory(key="undated", published_on=None, link_checked_at=timezone.now(), link_status="ok")


def _claims():
    article = ArticleFactory()
    sources = SourceFactory.create_batch(3)
    actors = ActorFactory.create_batch(2)
    development = DevelopmentFactory(participants=actors)
    checker = StaffFactory(username="checker")
    fields = [
        "statement",
        "quote",
        "quote_prefix",
        "quote_suffix",
        "quantity_unit",
        "quantity_period",
        "claimant_name",
    ]
    precisions, earlier = list(TimePrecision), None
    for n, texts in _texts(Claim, fields):
        value = list(TRICKY.values())[n]
        has_figure = bool(texts["quantity_unit"])
        claim = ClaimFactory(
            article=article,
            position=n,
            checked_by=checker if n % 2 else None,
            checked_by_name=_fit(Claim, "checked_by_name", value, n),
            checked_at=timezone.now() if n % 2 else None,
            quantity_value=Decimal("70000000000.5") if has_figure and n % 4 else None,
            quantity_lower=Decimal("-0.0001") if has_figure and n % 2 else None,
            quantity_upper=Decimal("70000000001.25") if has_figure and n % 3 else None,
            quantity_period_start=datetime.date(2022, 1, 1) if n % 3 == 1 else None,
            quantity_as_of=datetime.date(2022, 12, 31) if n % 3 else None,
            quantity_time_precision=precisions[n % len(precisions)],
            derived_from=earlier if n % 2 else None,
            claimant_actor=actors[n % 2] if n % 3 else None,
            **texts,
        )
        earlier = claim
        ClaimEvidenceFactory(
            claim=claim, source=sources[0], locator=_fit(ClaimEvidence, "locator", value, n), passage=value
        )
        ClaimEvidenceFactory(
            claim=claim,
            source=sources[1],
            stance="contradicts",
            locator=LOCATOR_WITH_BREAK,
            passage=PASSAGE_LIKE_A_CELL,
        )
        ClaimEvidenceFactory(claim=claim, source=sources[2], stance="context", locator=LOCATOR_WITH_BARS)
        if n % 2:
            claim.actors.set(actors)
            claim.developments.add(development)
    ClaimFactory(article=article, position=99, status=Claim.Status.UNVERIFIED)  # no evidence, no links


def _actors():
    for n, texts in _texts(Actor, ["name", "aliases", "description"]):
        ActorFactory(slug=f"actor-{n}", **texts)
    ActorFactory(slug="kazakhstan", name="Kazakhstan", iso_code="KZ", wikidata_id="Q232")
    OrganisationFactory(slug="csto", name="CSTO")


def _memberships():
    # No free text: the key columns and the dates, set and empty, are what travel.
    members, organisations = ActorFactory.create_batch(3), OrganisationFactory.create_batch(2)
    MembershipFactory(member=members[0], organisation=organisations[0], end_date=datetime.date(2012, 6, 28))
    MembershipFactory(member=members[0], organisation=organisations[0], role=Membership.Role.OBSERVER)
    MembershipFactory(member=members[1], organisation=organisations[0], start_date=None)
    MembershipFactory(member=members[2], organisation=organisations[1], role=Membership.Role.PARTNER)
    MembershipFactory(member=organisations[0], organisation=organisations[1])


def _relations():
    hub, *others = ActorFactory.create_batch(len(TRICKY) + 1)
    for n, texts in _texts(Relation, ["summary"]):
        # Every other pair is made the other way round: save() stores each with the lower id first.
        pair = (hub, others[n]) if n % 2 else (others[n], hub)
        RelationFactory(slug=f"relation-{n}", actor_a=pair[0], actor_b=pair[1], **texts)


def _developments():
    actors = ActorFactory.create_batch(4)
    precisions, tones = list(Development.Precision), list(Development.Tone)
    for n, texts in _texts(Development, ["title", "description"]):
        DevelopmentFactory(
            slug=f"development-{n}",
            date=datetime.date(2022, 1, 1) + datetime.timedelta(days=40 * n),
            date_precision=precisions[n % len(precisions)],
            end_date=datetime.date(2024, 2, 29) if n % 2 else None,
            tone=tones[n % len(tones)],
            participants=actors[: 2 + n % 3],
            **texts,
        )


def _authors():
    for n, texts in _texts(Author, ["name", "affiliation", "bio"]):
        # Whose account an author is never travels in the file, and must survive its import.
        AuthorFactory(
            slug=f"author-{n}", user=StaffFactory(username=f"author{n}") if n % 2 else None, **texts
        )


def _topics():
    for n, texts in _texts(Topic, ["name", "description"]):
        TopicFactory(slug=f"topic-{n}", **texts)


@dataclass(frozen=True)
class Case:
    resource: type
    make_rows: object

    @property
    def model(self):
        return self.resource._meta.model

    def __str__(self):
        return self.resource.__name__


CASES = [
    Case(SourceResource, _sources),
    Case(ClaimResource, _claims),
    Case(ActorResource, _actors),
    Case(MembershipResource, _memberships),
    Case(RelationResource, _relations),
    Case(DevelopmentResource, _developments),
    Case(AuthorResource, _authors),
    Case(TopicResource, _topics),
]

# The formats a person can upload: the admin's (its XLSX keeps carriage returns, unlike the library's).
FORMATS = SpreadsheetAdmin.import_formats


# Reading and comparing --------------------------------------------------------------------------


def _file(resource_class, file_format) -> bytes:
    """The export as the bytes of a file."""
    data = file_format().export_data(resource_class().export())
    return data if isinstance(data, bytes) else data.encode("utf-8")


def _read(file_format, data: bytes):
    """A file read back as an upload is: text formats decoded as the import form decodes them."""
    fmt = file_format()
    return fmt.create_dataset(data if fmt.is_binary() else data.decode("utf-8-sig"))


def _snapshot(model, *, volatile=()) -> dict:
    """Every stored value of every row, by primary key: its columns, its links, a claim's evidence."""
    rows = {}
    for obj in model._default_manager.order_by("pk"):
        row = {
            f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if f.name not in volatile
        }
        for m2m in model._meta.many_to_many:
            if m2m.remote_field.through._meta.auto_created:
                row[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
        if model is Claim:
            row["evidence"] = list(
                obj.evidence.order_by("pk").values_list("source__key", "stance", "locator", "passage")
            )
        rows[obj.pk] = row
    return rows


def _differences(before: dict, after: dict) -> list:
    """(row, field, before, after) for every value that is not exactly what it was."""
    assert after.keys() == before.keys(), "rows were added or removed"
    return [
        (pk, name, value, after[pk].get(name))
        for pk, row in before.items()
        for name, value in row.items()
        if type(after[pk].get(name)) is not type(value) or after[pk].get(name) != value
    ]


def _rows_not(outcome: str, result) -> list:
    """(row number, outcome, row) for every row of the file whose outcome is not `outcome`."""
    return [
        (number, row.import_type, row.object_repr)
        for number, row in enumerate(result.rows, 1)
        if row.import_type != outcome
    ]


def _assert_clean(result) -> None:
    errors = [(row.number, row.error_dict) for row in result.invalid_rows]
    errors += [
        (number, [str(e.error) for e in row.errors])
        for number, row in enumerate(result.rows, 1)
        if row.errors
    ]
    errors += [str(e.error) for e in result.base_errors]
    assert errors == []
    assert not result.has_errors() and not result.has_validation_errors()


def _rewriting(resource_class):
    """The resource, but writing every row even when nothing in it changed."""
    meta = type("Meta", (), {"skip_unchanged": False})
    return type(f"Rewriting{resource_class.__name__}", (resource_class,), {"Meta": meta})


def _auto_now(model) -> set[str]:
    """Fields a save sets to now whatever the file says (a relation's updated_at)."""
    return {f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}


# The round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_an_export_imports_back_as_unchanged_and_nothing_stored_changes(db, case, file_format):
    case.make_rows()
    before = _snapshot(case.model)
    data = _file(case.resource, file_format)

    preview = case.resource().import_data(_read(file_format, data), dry_run=True)

    _assert_clean(preview)
    assert len(preview.rows) == len(before)
    assert _rows_not("skip", preview) == []

    result = case.resource().import_data(_read(file_format, data), dry_run=False)

    _assert_clean(result)
    assert len(result.rows) == len(before)
    assert _rows_not("skip", result) == []
    assert _differences(before, _snapshot(case.model)) == []


@pytest.mark.parametrize("file_format", FORMATS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_row_of_an_export_written_back_stores_exactly_what_was_there(db, case, file_format):
    case.make_rows()
    volatile = _auto_now(case.model)
    before = _snapshot(case.model, volatile=volatile)
    data = _file(case.resource, file_format)

    result = _rewriting(case.resource)().import_data(_read(file_format, data), dry_run=False)

    _assert_clean(result)
    assert len(result.rows) == len(before)
    assert _rows_not("update", result) == []
    assert _differences(before, _snapshot(case.model, volatile=volatile)) == []
