import datetime
import uuid
from decimal import Decimal

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.utils import timezone
from import_export.formats.base_formats import XLSX
from reversion.models import Version

from articles.models import Article, Claim, ClaimEvidence, ClaimReview, Source, SourceAssessment
from articles.rendering import render_body
from articles.resources import ClaimResource, NoteResource, SourceResource
from articles.services import article_render
from tests.conftest import in_role
from tests.factories import (
    ActorFactory,
    ArticleFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    DevelopmentFactory,
    SourceFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SOURCE_FIELDS = [
    "key",
    "url",
    "normalised_url",
    "title",
    "container_title",
    "publisher",
    "author",
    "published_on",
    "accessed_on",
    "kind",
    "language",
    "doi",
    "archive_url",
    "archived_at",
    "reliability",
    "credibility",
    "origin",
    "state_affiliated",
    "assessed_at",
    "link_status",
    "link_checked_at",
    "link_target",
    "link_error",
    "placeholder",
]
# What only the link checker and the grading service write: exported, never imported.
LINK_FIELDS = ["link_status", "link_checked_at", "link_target", "link_error"]
CLAIM_FIELDS = [
    "uid",
    "article_id",
    "position",
    "statement",
    "quote",
    "quote_prefix",
    "quote_suffix",
    "status",
    "checked_by_id",
    "checked_at",
    "quantity_value",
    "quantity_lower",
    "quantity_upper",
    "quantity_unit",
    "quantity_approximation",
    "quantity_period_start",
    "quantity_as_of",
    "quantity_time_precision",
    "quantity_period",
    "claimant_actor_id",
    "claimant_name",
]


def _sources():
    return {s.key: {f: getattr(s, f) for f in SOURCE_FIELDS} for s in Source.objects.all()}


def _claims():
    snapshot = {}
    for claim in Claim.objects.all():
        row = {f: getattr(claim, f) for f in CLAIM_FIELDS}
        row["actors"] = sorted(claim.actors.values_list("slug", flat=True))
        row["developments"] = sorted(claim.developments.values_list("slug", flat=True))
        row["derived_from"] = claim.derived_from.uid if claim.derived_from_id else None
        row["evidence"] = list(
            claim.evidence.order_by("id").values_list("source__key", "stance", "locator", "passage")
        )
        snapshot[claim.uid] = row
    return snapshot


def _without(snapshot, names):
    return {uid: {k: v for k, v in row.items() if k not in names} for uid, row in snapshot.items()}


def _assert_clean(result):
    assert not result.has_errors(), [e.error for row in result.row_errors() for e in row[1]]
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]


def _changed(dataset, **changes):
    """The one-row `dataset` with some cells changed."""
    row = dict(dataset.dict[0], **changes)
    return tablib.Dataset(list(row.values()), headers=list(row))


def _csv_round(dataset):
    """What a spreadsheet saves: the export written as CSV and read back."""
    return tablib.Dataset().load(dataset.export("csv"), format="csv")


@pytest.fixture
def sources():
    return [
        SourceFactory(
            key="china-customs-2022",
            url="https://www.customs.gov.cn/stats/2022/?utm_source=x",
            title="China–Central Asia trade, 2022",
            published_on=datetime.date(2023, 1, 13),
            kind=Source.Kind.DATASET,
            language="zh",
            container_title="Customs statistics | ежемесячно",
            accessed_on=datetime.date(2023, 2, 1),
            doi="10.1000/xyz-123",
            archive_url="https://web.archive.org/web/2023/https://customs.gov.cn/stats/2022",
            archived_at=timezone.now() - datetime.timedelta(days=300),
            reliability="B",
            credibility=2,
            origin="primary",
            state_affiliated=True,
            assessed_at=timezone.now() - datetime.timedelta(days=30),
            link_status=Source.LinkStatus.REDIRECTED,
            link_checked_at=timezone.now(),
            link_target="https://customs.gov.cn/en/stats/2022",
            link_error="301 Moved Permanently",
        ),
        SourceFactory(key="lost", url="", title="-5 per cent, said @someone", publisher="=1+1", language=""),
        SourceFactory(key="plain", title="Line one\nline two", author="A. Writer"),
    ]


@pytest.fixture
def claims(sources):
    checker = UserFactory(username="checker")
    china, kazakhstan = ActorFactory(slug="china"), ActorFactory(slug="kazakhstan")
    summit = DevelopmentFactory(slug="xian-summit", participants=[china, kazakhstan])
    article = ArticleFactory(slug="china-central-asia")
    trade = ClaimFactory(
        article=article,
        position=1,
        statement="Trade exceeded $70 billion in 2022.",
        quote="exceeded $70 billion",
        quote_prefix="Trade between China and the five states ",
        quote_suffix=" in 2022, up 45 per cent",
        status=Claim.Status.VERIFIED,
        checked_by=checker,
        checked_at=timezone.now() - datetime.timedelta(days=2),
        quantity_value=Decimal("70000000000"),
        quantity_unit="USD",
        quantity_as_of=datetime.date(2022, 12, 31),
        quantity_period="2022",
    )
    trade.actors.set([china, kazakhstan])
    trade.developments.set([summit])
    ClaimEvidenceFactory(claim=trade, source=sources[0], locator="table 3", passage="Total: 70.2 | billion")
    ClaimEvidenceFactory(claim=trade, source=sources[1], stance=ClaimEvidence.Stance.CONTRADICTS, locator="")
    plain = ClaimFactory(
        article=article,
        position=2,
        statement="=Growth slowed.",
        status=Claim.Status.DISPUTED,
        quantity_value=Decimal("45"),
        quantity_lower=Decimal("40"),
        quantity_upper=Decimal("50.5"),
        quantity_unit="%",
        quantity_period_start=datetime.date(2022, 1, 1),
        quantity_as_of=datetime.date(2022, 12, 31),
        quantity_time_precision="year",
        derived_from=trade,
        claimant_actor=china,
        claimant_name="Ministry of Commerce",
    )
    ClaimEvidenceFactory(claim=plain, source=sources[2], locator="p. 3 | footnote 2")
    ClaimEvidenceFactory(
        claim=plain, source=sources[0], stance=ClaimEvidence.Stance.CONTEXT, passage="> quoted\n«Рост» 中文"
    )
    return [trade, plain]


def test_sources_survive_an_export_and_an_import_into_a_database_without_them(sources):
    before = _sources()
    dataset = _csv_round(SourceResource().export())
    Source.objects.all().delete()

    result = SourceResource().import_data(dataset, dry_run=False, file_name="sources.csv")

    _assert_clean(result)
    after = _sources()
    # Grades come back as a grading made by the import, now; what the link checker found does not.
    export_only = ["assessed_at", *LINK_FIELDS]
    assert _without(after, export_only) == _without(before, export_only)
    restored = Source.objects.get(key="china-customs-2022")
    assert restored.link_status == Source.LinkStatus.UNCHECKED and restored.link_target == ""
    assert timezone.now() - restored.assessed_at < datetime.timedelta(minutes=1)
    assessment = restored.assessments.get()
    assert (assessment.grade, assessment.note) == ("B2", "Imported from sources.csv")


def test_claims_survive_an_export_and_an_import_into_a_database_without_them(claims):
    before = _claims()
    dataset = _csv_round(ClaimResource().export())
    Claim.objects.update(derived_from=None)
    Claim.objects.all().delete()
    assert not ClaimEvidence.objects.exists()

    editor = in_role(UserFactory(username="restorer"), "Editor")
    result = ClaimResource().import_data(dataset, dry_run=False, user=editor)

    _assert_clean(result)
    after = _claims()
    checker = ("checked_by_id", "checked_by_name", "checked_at")
    assert _without(after, checker) == _without(before, checker)
    verified = after[claims[0].uid]
    # Who checked a claim and when never comes from a file: whoever restored it, now.
    assert verified["checked_by_id"] == editor.pk
    assert timezone.now() - verified["checked_at"] < datetime.timedelta(minutes=1)
    assert before[claims[0].uid]["evidence"] == [
        ("china-customs-2022", "supports", "table 3", "Total: 70.2 | billion"),
        ("lost", "contradicts", "", ""),
    ]
    # A claim derived from another the same file restores is linked to it, whichever row comes first.
    assert after[claims[1].uid]["derived_from"] == claims[0].uid


@pytest.mark.parametrize("resource_class", [SourceResource, ClaimResource])
def test_an_unchanged_file_imports_without_changes(claims, resource_class):
    before = (_sources(), _claims())
    dataset = _csv_round(resource_class().export())

    result = resource_class().import_data(dataset, dry_run=False)

    _assert_clean(result)
    assert {row.import_type for row in result.rows} == {"skip"}
    assert (_sources(), _claims()) == before


def test_evidence_is_written_one_line_per_source_with_stance_and_locator(claims):
    dataset = ClaimResource().export()
    trade = dataset.dict[0] if dataset.dict[0]["uid"] == str(claims[0].uid) else dataset.dict[1]
    assert trade["evidence"] == (
        "china-customs-2022 | supports | table 3\n> Total: 70.2 | billion\nlost | contradicts"
    )
    assert trade["actors"] == "china,kazakhstan"
    assert trade["article"] == "china-central-asia"
    assert trade["checked_by"] == "checker"
    assert trade["quantity_value"] == "70000000000"
    assert "id" not in dataset.headers


def test_importing_a_claim_replaces_its_evidence(claims):
    trade = claims[0]
    dataset = _changed(
        ClaimResource().export(Claim.objects.filter(pk=trade.pk)), evidence="plain | contradicts | p. 9"
    )

    _assert_clean(ClaimResource().import_data(dataset, dry_run=False))

    assert list(trade.evidence.values_list("source__key", "stance", "locator", "passage")) == [
        ("plain", "contradicts", "p. 9", "")
    ]


def test_a_row_without_uid_creates_a_claim_with_a_fresh_uid(claims):
    dataset = tablib.Dataset(
        ["", "china-central-asia", "New claim.", "unverified", "china", "plain | supports"],
        headers=["uid", "article", "statement", "status", "actors", "evidence"],
    )

    _assert_clean(ClaimResource().import_data(dataset, dry_run=False))

    new = Claim.objects.get(statement="New claim.")
    assert new.uid not in {claim.uid for claim in claims}
    assert isinstance(new.uid, uuid.UUID)
    assert list(new.actors.values_list("slug", flat=True)) == ["china"]
    assert new.evidence.get().source.key == "plain"
    assert new.checked_by is None and new.checked_at is None


def test_an_import_that_changes_a_status_records_the_importer(claims):
    importer = in_role(UserFactory(username="importer"), "Editor")
    trade = claims[0]
    dataset = _changed(
        ClaimResource().export(Claim.objects.filter(pk=trade.pk)),
        status="disputed",
        checked_by="someone-else",  # ignored: the record of an existing claim is kept
    )

    _assert_clean(ClaimResource().import_data(dataset, dry_run=False, user=importer))

    trade.refresh_from_db()
    assert trade.status == Claim.Status.DISPUTED
    assert trade.checked_by == importer
    assert timezone.now() - trade.checked_at < datetime.timedelta(minutes=1)


def test_a_new_claim_imported_as_verified_records_the_importer_as_checker(claims):
    importer = in_role(UserFactory(username="importer"), "Editor")
    dataset = tablib.Dataset(
        ["china-central-asia", "Checked by hand.", "verified", "checker", ""],
        headers=["article", "statement", "status", "checked_by", "checked_at"],
    )

    _assert_clean(ClaimResource().import_data(dataset, dry_run=False, user=importer))

    new = Claim.objects.get(statement="Checked by hand.")
    assert new.checked_by == importer
    assert new.checked_at is not None


def test_a_status_changed_by_an_import_names_the_file_in_the_claims_history(claims, editor_user):
    trade = claims[0]
    dataset = _changed(ClaimResource().export(Claim.objects.filter(pk=trade.pk)), status="disputed")

    _assert_clean(ClaimResource().import_data(dataset, dry_run=False, user=editor_user, file_name="q3.xlsx"))
    unnamed = _changed(dataset, status="verified")
    _assert_clean(ClaimResource().import_data(unnamed, dry_run=False, user=editor_user))

    reviews = ClaimReview.objects.filter(claim=trade).order_by("id")
    assert [(r.from_status, r.to_status, r.note, r.user) for r in reviews] == [
        ("verified", "disputed", "Imported from q3.xlsx", editor_user),
        ("disputed", "verified", "Imported from a spreadsheet", editor_user),
    ]


def test_a_claim_names_what_it_is_derived_from_by_uid_and_its_claimant_by_slug(claims):
    trade, plain = claims
    dataset = _changed(
        ClaimResource().export(Claim.objects.filter(pk=trade.pk)),
        derived_from=f" {plain.uid} ",
        claimant_actor="kazakhstan",
        claimant_name="",
    )

    _assert_clean(ClaimResource().import_data(dataset, dry_run=False))

    trade.refresh_from_db()
    assert trade.derived_from == plain
    assert trade.claimant_actor.slug == "kazakhstan"
    row = ClaimResource().export(Claim.objects.filter(pk=trade.pk)).dict[0]
    assert (row["derived_from"], row["claimant_actor"]) == (str(plain.uid), "kazakhstan")


def test_a_claim_derived_from_itself_is_a_row_error(claims, editor_user):
    trade = claims[0]
    stored = _changed(ClaimResource().export(Claim.objects.filter(pk=trade.pk)), derived_from=str(trade.uid))
    restored = _changed(stored, uid="aaaaaaaa-0000-4000-8000-00000000000a")
    restored = _changed(restored, derived_from=restored.dict[0]["uid"], position="7")

    for dataset in (stored, restored):
        result = ClaimResource().import_data(dataset, dry_run=False, user=editor_user)
        [row] = result.invalid_rows
        assert "cannot be derived from itself" in str(row.error_dict["derived_from"])
    assert Claim.objects.count() == 2
    assert Claim.objects.get(pk=trade.pk).derived_from is None


def test_a_passage_is_kept_exactly_whatever_it_holds(claims):
    trade = claims[0]
    passage = "  «Рост» | 中文 \\n is text\nline two\r\n> not a new source\n  "
    trade.evidence.update(passage=passage, stance=ClaimEvidence.Stance.CONTEXT)
    dataset = _csv_round(ClaimResource().export(Claim.objects.filter(pk=trade.pk)))
    trade.evidence.update(passage="")

    _assert_clean(ClaimResource().import_data(dataset, dry_run=False))

    assert set(trade.evidence.values_list("stance", "passage")) == {("context", passage)}


def test_an_evidence_cell_written_before_passages_imports_as_it_always_did(claims):
    trade = claims[0]
    old = (
        "plain | contradicts | p. 3 | footnote 2\nlost | supports | line\\none\nchina-customs-2022 | supports"
    )
    dataset = _changed(ClaimResource().export(Claim.objects.filter(pk=trade.pk)), evidence=old)

    _assert_clean(ClaimResource().import_data(dataset, dry_run=False))

    assert list(trade.evidence.values_list("source__key", "stance", "locator", "passage")) == [
        ("plain", "contradicts", "p. 3 | footnote 2", ""),
        ("lost", "supports", "line\none", ""),
        ("china-customs-2022", "supports", "", ""),
    ]


def test_a_passage_written_on_several_quoted_lines_is_one_passage(claims):
    trade = claims[0]
    cell = "plain | supports | p. 1\n> first line\n>second line\n  > third line\nlost | context"
    dataset = _changed(ClaimResource().export(Claim.objects.filter(pk=trade.pk)), evidence=cell)

    _assert_clean(ClaimResource().import_data(dataset, dry_run=False))

    assert list(trade.evidence.values_list("source__key", "stance", "passage")) == [
        ("plain", "supports", "first line\nsecond line\nthird line"),
        ("lost", "context", ""),
    ]


def test_the_claims_template_example_shows_the_evidence_format_and_imports(db):
    ArticleFactory(slug="central-asia-a-year-into-russias-war")
    SourceFactory(key="sanctions-outlook-central-asia-2022")
    SourceFactory(key="china-customs-2022")
    ActorFactory(slug="china")
    ActorFactory(slug="kazakhstan")

    _assert_clean(ClaimResource().import_data(ClaimResource.template_dataset(), dry_run=False))

    claim = Claim.objects.get()
    assert (claim.claimant_actor.slug, claim.quantity_time_precision) == ("china", "year")
    assert list(claim.evidence.values_list("source__key", "stance", "locator", "passage")) == [
        (
            "sanctions-outlook-central-asia-2022",
            "supports",
            "p. 4",
            "Trade with the five states passed $70 billion | a record.",
        ),
        ("china-customs-2022", "context", "table 2", ""),
    ]


def test_export_escapes_cells_a_spreadsheet_would_run_as_formulae(sources):
    SourceFactory(key="tab", title="\tindented", publisher="\rreturn", author="+44 20", language="'=x")
    rows = {row["key"]: row for row in SourceResource().export().dict}

    assert rows["lost"]["title"] == "'-5 per cent, said @someone"
    assert rows["lost"]["publisher"] == "'=1+1"
    assert rows["tab"]["title"] == "'\tindented"
    assert rows["tab"]["publisher"] == "'\rreturn"
    assert rows["tab"]["author"] == "'+44 20"
    assert rows["tab"]["language"] == "''=x"  # an apostrophe typed before a formula survives the trip
    assert rows["plain"]["title"] == "Line one\nline two"


def test_claim_export_escapes_formulae_too(claims):
    statements = {row["statement"] for row in ClaimResource().export().dict}
    assert "'=Growth slowed." in statements


def _claim_rows(claims, **changes):
    """Two claim rows for import: a good new one, and a copy of an existing one with `changes`."""
    dataset = ClaimResource().export(Claim.objects.filter(pk=claims[0].pk))
    row = dataset.dict[0]
    good = dict(row, uid="", statement="A good new claim.", evidence="plain | supports")
    bad = dict(row, **changes)
    return tablib.Dataset(list(good.values()), list(bad.values()), headers=list(row))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"evidence": "plain | supports\nno-such-source | supports | p. 1"}, "no-such-source"),
        ({"evidence": "plain | endorses"}, "stance"),
        ({"evidence": "plain"}, "Evidence line 1"),
        ({"quantity_value": "seventy billion"}, "not a number"),
        ({"quantity_unit": ""}, "unit"),
        ({"actors": "china,atlantis"}, "atlantis"),
        ({"article": "no-such-article"}, "no-such-article"),
        ({"uid": "not-a-uuid"}, "not a claim ID"),
        ({"status": "probably"}, "not a valid choice"),
        ({"evidence": "> a passage quoting nothing\nplain | supports"}, "follows the line of the source"),
        ({"quantity_lower": "80000000000"}, "The lower bound is above the value."),
        (
            {"quantity_lower": "9", "quantity_upper": "8", "quantity_value": ""},
            "upper bound is below the lower",
        ),
        ({"quantity_upper": "60000000000"}, "The upper bound is below the value."),
        ({"quantity_unit": "", "quantity_value": "", "quantity_lower": "5"}, "A quantity needs a unit."),
        ({"quantity_period_start": "2023-01-01"}, "A period needs an end on or after its start."),
        ({"quantity_time_precision": "week"}, "not a valid choice"),
        ({"derived_from": "aaaaaaaa-0000-4000-8000-000000000009"}, "No claim has the uid"),
        ({"derived_from": "last-year"}, "is not the ID of a claim"),
        ({"claimant_actor": "atlantis"}, "No actor has the slug “atlantis”"),
    ],
)
def test_a_malformed_row_is_reported_and_nothing_is_saved(claims, changes, message):
    before = _claims()
    dataset = _claim_rows(claims, **changes)

    result = ClaimResource().import_data(dataset, dry_run=False)

    assert result.has_errors() or result.has_validation_errors()
    reported = [str(r.error) for r in result.invalid_rows] + [
        str(e.error) for _, errors in result.row_errors() for e in errors
    ]
    assert any(message in text for text in reported), reported
    assert _claims() == before


def test_a_source_whose_url_another_source_has_is_a_row_error(sources):
    before = _sources()
    dataset = tablib.Dataset(
        ["new-one", "https://example.org/new", "New"],
        ["copy", "http://customs.gov.cn/stats/2022#top", "Same page again"],
        headers=["key", "url", "title"],
    )

    result = SourceResource().import_data(dataset, dry_run=False)

    assert result.has_validation_errors()
    assert "already has this address" in str(result.invalid_rows[0].error)
    assert _sources() == before


def _source_row(sources, **changes) -> tablib.Dataset:
    """The export of the first source, with some cells changed."""
    return _changed(SourceResource().export(Source.objects.filter(pk=sources[0].pk)), **changes)


def _user_with(*codenames):
    """A staff user holding exactly these permissions of the articles app."""
    user = StaffFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)


def test_changed_grades_are_a_grading_by_the_importer_kept_in_the_sources_history(sources, analyst_user):
    source = sources[0]
    dataset = _source_row(sources, reliability="C", credibility="3", origin="secondary", state_affiliated="0")

    result = SourceResource().import_data(dataset, dry_run=False, user=analyst_user, file_name="grades.csv")

    _assert_clean(result)
    source.refresh_from_db()
    assert (source.grade, source.origin, source.state_affiliated) == ("C3", "secondary", False)
    assert timezone.now() - source.assessed_at < datetime.timedelta(minutes=1)
    assessment = SourceAssessment.objects.get(source=source)
    assert (assessment.grade, assessment.origin, assessment.user, assessment.note) == (
        "C3",
        "secondary",
        analyst_user,
        "Imported from grades.csv",
    )


def test_unchanged_grades_write_no_grading(sources):
    before = _sources()
    dataset = _csv_round(SourceResource().export())

    _assert_clean(SourceResource().import_data(dataset, dry_run=False, user=_user_with("change_source")))

    assert _sources() == before
    assert not SourceAssessment.objects.exists()


def test_grades_need_the_right_to_grade_sources_and_nothing_is_saved(sources):
    before = _sources()
    may_edit = _user_with("add_source", "change_source", "import_source")
    dataset = _source_row(sources, title="Retitled", reliability="A")
    new = tablib.Dataset(["graded", "https://example.org/g", "Graded", "E", "5"])
    new.headers = ["key", "url", "title", "reliability", "credibility"]

    for file in (dataset, new):
        result = SourceResource().import_data(file, dry_run=False, user=may_edit)
        [row] = result.invalid_rows
        assert "Only those who grade sources" in str(row.error_dict["reliability"])
    assert _sources() == before
    assert not SourceAssessment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reliability": "", "credibility": ""}, "never taken back"),
        ({"credibility": "7"}, "not a valid choice"),
        ({"reliability": "G"}, "not a valid choice"),
        ({"doi": "https://doi.org/10.1000/xyz"}, "A DOI such as"),
        ({"accessed_on": "yesterday"}, "is not a date"),
    ],
)
def test_a_wrong_grade_or_record_is_a_row_error(sources, changes, message):
    before = _sources()

    result = SourceResource().import_data(_source_row(sources, **changes), dry_run=False)

    [row] = result.invalid_rows
    assert message in str(row.error), row.error
    assert _sources() == before


def test_what_the_link_checker_and_the_grading_wrote_is_never_imported(sources):
    before = _sources()
    dataset = _source_row(
        sources,
        link_status="broken",
        link_checked_at="2020-01-01T00:00:00+00:00",
        link_target="https://example.org/elsewhere",
        link_error="404",
        assessed_at="2020-01-01T00:00:00+00:00",
        title="Retitled",
    )

    _assert_clean(SourceResource().import_data(dataset, dry_run=False))

    after = _sources()
    assert after["china-customs-2022"].pop("title") == "Retitled"
    before["china-customs-2022"].pop("title")
    assert after == before
    assert "link_status" not in SourceResource.template_dataset().headers


def test_an_address_changed_by_an_import_changes_its_normal_form_and_starts_unchecked(sources):
    Source.objects.filter(pk=sources[0].pk).update(
        link_status=Source.LinkStatus.BROKEN, link_checked_at=timezone.now(), link_error="404 Not Found"
    )
    dataset = _source_row(sources, url="https://WWW.Example.org/moved/?utm_source=x")

    _assert_clean(SourceResource().import_data(dataset, dry_run=False))

    sources[0].refresh_from_db()
    assert sources[0].normalised_url == "https://example.org/moved"
    assert (sources[0].link_status, sources[0].link_checked_at, sources[0].link_error) == (
        "unchecked",
        None,
        "",
    )


def test_an_address_removed_by_an_import_is_a_missing_link(sources):
    Source.objects.filter(pk=sources[0].pk).update(
        link_status=Source.LinkStatus.OK, link_checked_at=timezone.now()
    )

    _assert_clean(SourceResource().import_data(_source_row(sources, url=""), dry_run=False))

    sources[0].refresh_from_db()
    assert (sources[0].link_status, sources[0].link_checked_at) == ("missing", None)


def test_two_rows_with_the_same_address_in_one_file_are_an_error(db):
    dataset = tablib.Dataset(
        ["a", "https://example.org/page", "A"],
        ["b", "https://www.example.org/page/", "B"],
        headers=["key", "url", "title"],
    )
    result = SourceResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert not Source.objects.exists()


def test_imported_source_urls_are_normalised_and_missing_links_marked(db):
    dataset = tablib.Dataset(
        ["new", "https://WWW.Example.org/a/?utm_medium=x&b=2&a=1", "New", "2022-11-01"],
        ["no-link", "", "No link", ""],
        headers=["key", "url", "title", "published_on"],
    )

    _assert_clean(SourceResource().import_data(dataset, dry_run=False))

    new = Source.objects.get(key="new")
    assert new.normalised_url == "https://example.org/a?a=1&b=2"
    assert new.published_on == datetime.date(2022, 11, 1)
    assert Source.objects.get(key="no-link").link_status == Source.LinkStatus.MISSING


def test_claims_survive_a_round_trip_through_an_excel_file(claims):
    before = _claims()
    xlsx = XLSX()
    workbook = xlsx.export_data(ClaimResource().export())
    Claim.objects.update(derived_from=None)
    Claim.objects.all().delete()

    result = ClaimResource().import_data(xlsx.create_dataset(workbook), dry_run=False)

    _assert_clean(result)
    checker = ("checked_by_id", "checked_by_name", "checked_at")
    assert _without(_claims(), checker) == _without(before, checker)


@pytest.fixture
def notes():
    article = ArticleFactory(
        slug="trade", body="Trade [grew](#), migrants [came](#), [data](https://example.org/d)."
    )
    return article


def test_notes_export_with_their_words_source_and_address(notes):
    dataset = NoteResource().export()
    assert dataset.dict == [
        {"article": "trade", "number": "1", "anchor_text": "grew", "source": "grew", "source_title": "grew",
         "address": "link missing"},
        {"article": "trade", "number": "2", "anchor_text": "came", "source": "came", "source_title": "came",
         "address": "link missing"},
        {"article": "trade", "number": "3", "anchor_text": "data", "source": "data", "source_title": "data",
         "address": "https://example.org/d"},
    ]  # fmt: skip


def test_importing_notes_writes_each_chosen_source_into_the_text(notes):
    SourceFactory(key="trade-stats")
    dataset = NoteResource().export()
    dataset[0] = ("trade", "1", "grew", "trade-stats", "", "")
    result = NoteResource().import_data(dataset, dry_run=False)
    _assert_clean(result)
    notes.refresh_from_db()
    assert [link.target for link in render_body(notes.body).links] == [
        "source:trade-stats",
        "source:came",
        "https://example.org/d",
    ]
    assert not Source.objects.filter(key="grew").exists()  # the placeholder nothing cites any more


def test_a_note_whose_words_changed_since_the_export_is_a_row_error_and_nothing_changes(notes):
    SourceFactory(key="trade-stats")
    dataset = NoteResource().export()
    notes.body = "Trade [rose](source:grew), migrants [came](source:came), [data](https://example.org/d)."
    article_render(article=notes)
    dataset[0] = ("trade", "1", "grew", "trade-stats", "", "")
    result = NoteResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    [row] = result.invalid_rows
    assert "now links “rose”" in str(row.error_dict["anchor_text"])
    assert notes.citations.get(number=1).source.key == "grew"


def test_a_note_the_article_does_not_have_is_a_row_error(notes):
    dataset = tablib.Dataset(headers=["article", "number", "anchor_text", "source"])
    dataset.append(["trade", "9", "words", "grew"])
    result = NoteResource().import_data(dataset, dry_run=False)
    [row] = result.invalid_rows
    assert "no note with this number" in str(row.error_dict["number"])


def test_a_notes_file_without_the_linked_words_is_refused(notes):
    dataset = tablib.Dataset(headers=["article", "number", "source"])
    dataset.append(["trade", "1", "data"])
    result = NoteResource().import_data(dataset, dry_run=False)
    assert result.has_errors()
    assert "anchor_text column" in str(result.base_errors[0].error)
    assert notes.citations.get(number=1).source.key == "grew"


def test_a_notes_file_cannot_cite_another_notes_placeholder(notes):
    ArticleFactory(slug="draft", body="[secret](#)", status="draft", published_at=None)
    dataset = tablib.Dataset(headers=["article", "number", "anchor_text", "source"])
    dataset.append(["trade", "1", "grew", "secret"])
    result = NoteResource().import_data(dataset, dry_run=False)
    [row] = result.invalid_rows
    assert "stands in for another note" in str(row.error_dict["source"])
    assert notes.citations.get(number=1).source.key == "grew"


# What an analyst may not do through a spreadsheet


def test_an_analyst_may_pick_sources_for_lost_links_of_a_published_article_but_not_change_its_notes(
    notes, analyst_user
):
    SourceFactory(key="trade-stats")
    SourceFactory(key="other-data", url="https://example.org/other")
    dataset = NoteResource().export()
    dataset[2] = ("trade", "3", "data", "other-data", "", "")
    refused = NoteResource().import_data(dataset, dry_run=False, user=analyst_user)
    [row] = refused.invalid_rows
    assert "You may not change the notes of" in str(row.error_dict["source"])
    assert [link.target for link in render_body(Article.objects.get(slug="trade").body).links][2] == (
        "https://example.org/d"
    )

    dataset = NoteResource().export()
    dataset[0] = ("trade", "1", "grew", "trade-stats", "", "")
    _assert_clean(NoteResource().import_data(dataset, dry_run=False, user=analyst_user))
    notes.refresh_from_db()
    assert render_body(notes.body).links[0].target == "source:trade-stats"
    assert Version.objects.get_for_object(notes).first().revision.user == analyst_user


def test_a_forged_status_checker_and_date_are_refused_and_nothing_is_saved(claims, analyst_user):
    published = ArticleFactory(slug="published", status=Article.Status.PUBLISHED)
    UserFactory(username="ed")
    dataset = tablib.Dataset(
        ["aaaaaaaa-0000-4000-8000-000000000001", "published", "Made up.", "verified", "ed", "2020-01-01"],
        ["", "published", "Also made up.", "verified", "ed", "2020-01-01T09:00:00+00:00"],
        headers=["uid", "article", "statement", "status", "checked_by", "checked_at"],
    )

    result = ClaimResource().import_data(dataset, dry_run=False, user=analyst_user)

    restored, added = result.invalid_rows
    assert "restoring claims by their IDs is for editors" in str(restored.error_dict["uid"])
    assert "Only editors may import a claim's status" in str(added.error_dict["status"])
    assert not published.claims.exists()


def test_an_analyst_adds_claims_to_their_own_draft_and_the_file_never_names_the_checker(claims, analyst_user):
    draft = ArticleFactory(slug="my-draft", created_by=analyst_user, status=Article.Status.DRAFT)
    UserFactory(username="ed")
    dataset = tablib.Dataset(
        ["", "my-draft", "Also made up.", "unverified", "ed", "2020-01-01T09:00:00+00:00"],
        headers=["uid", "article", "statement", "status", "checked_by", "checked_at"],
    )

    _assert_clean(ClaimResource().import_data(dataset, dry_run=False, user=analyst_user))

    added = draft.claims.get()
    assert (added.checked_by, added.checked_by_name, added.checked_at) == (None, "", None)


def test_an_analyst_may_not_add_claims_to_anothers_article(claims, analyst_user):
    dataset = tablib.Dataset(["", "china-central-asia", "Not mine."], headers=["uid", "article", "statement"])

    result = ClaimResource().import_data(dataset, dry_run=False, user=analyst_user)

    [row] = result.invalid_rows
    assert "You may not change the claims of" in str(row.error_dict["article"])
    assert not Claim.objects.filter(statement="Not mine.").exists()
