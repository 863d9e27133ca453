"""Spreadsheet import and export of sources, claims and notes, keyed by citation key, claim ID and
article slug with note number.

A claim's evidence travels with it in one `evidence` column, a line per source:
`source-key | supports | p. 3`. Importing a claim replaces its evidence with the lines of the file.
"""

import itertools
import re
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.encoding import force_str
from import_export import fields, widgets

from common.admin import count_of
from common.resources import (
    IsoDateTimeWidget,
    IsoDateWidget,
    SlugListWidget,
    SlugWidget,
    SpreadsheetResource,
    StrictDecimalWidget,
    unescape_formula,
)
from relations.models import Actor, Development

from .links import normalise_url
from .models import Article, ArticleAuthor, Author, Citation, Claim, ClaimEvidence, Source, Topic
from .rendering import render_body
from .rules import may_edit, may_publish
from .services import NoteChoice, article_set_note_sources
from .workflow import claim_set_status

LOCATOR_MAX_LENGTH = ClaimEvidence._meta.get_field("locator").max_length


def _importing_user(kwargs):
    """The person importing, or None for the command line, which has every right."""
    user = kwargs.get("user")
    return user if getattr(user, "pk", None) else None


class ClaimIdWidget(widgets.Widget):
    """A claim's stable ID. Empty means a new claim, which gets a fresh ID."""

    def clean(self, value, row=None, **kwargs):
        text = force_str(value if value is not None else "").strip()
        if not text:
            return None
        try:
            return uuid.UUID(text)
        except ValueError:
            raise ValueError(
                f"“{text}” is not a claim ID; leave the uid empty to create a new claim."
            ) from None

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


@dataclass(frozen=True)
class EvidenceLine:
    source: Source
    stance: str
    locator: str


class EvidenceWidget(widgets.Widget):
    """A claim's evidence, one line per source: `source-key | stance | locator` (the locator is optional).

    The locator is kept exactly: a line break in it is written `\\n` and a backslash `\\\\`, and only
    the one space after the bar is taken as part of the separator.
    """

    separator = " | "
    ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}

    def __init__(self):
        super().__init__()
        self.sources = KnownSources()

    def prime(self, cells) -> None:
        keys = set()
        for cell in cells:
            for line in self._lines(unescape_formula(cell)):
                keys.add(line.split("|", 1)[0].strip())
        self.sources.prime(keys)

    def clean(self, value, row=None, **kwargs) -> list[EvidenceLine]:
        lines = self._lines(value)
        parsed = [self._split(number, line) for number, line in enumerate(lines, 1)]
        sources = self.sources.find([key for _, key, _, _ in parsed])
        stances = {choice.value for choice in ClaimEvidence.Stance}
        evidence, seen = [], set()
        for number, key, stance, locator in parsed:
            where = f"Evidence line {number} (“{lines[number - 1]}”)"
            if key not in sources:
                raise ValueError(f"{where}: no source has the citation key “{key}”.")
            if stance not in stances:
                raise ValueError(f"{where}: the stance must be one of {', '.join(sorted(stances))}.")
            if len(locator) > LOCATOR_MAX_LENGTH:
                raise ValueError(f"{where}: the locator is longer than {LOCATOR_MAX_LENGTH} characters.")
            if (key, locator) in seen:
                raise ValueError(f"{where}: this source and locator are already listed.")
            seen.add((key, locator))
            evidence.append(EvidenceLine(source=sources[key], stance=stance, locator=locator))
        return evidence

    @staticmethod
    def _lines(value) -> list[str]:
        return [line.rstrip("\r") for line in force_str(value or "").split("\n") if line.strip()]

    def _split(self, number: int, line: str) -> tuple[int, str, str, str]:
        parts = line.split("|", 2)
        if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(
                f"Evidence line {number} (“{line}”): write `source-key | supports | locator` "
                "(the stance is supports or contradicts; the locator may be left out)."
            )
        key, stance, locator = (parts + [""])[:3]
        locator = locator.removeprefix(" ")
        return number, key.strip(), stance.strip().lower(), self._unescape(locator)

    def _unescape(self, text: str) -> str:
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m[1], m[1]), text)

    def render(self, value, obj=None, **kwargs):
        lines = []
        for item in value or ():
            locator = "".join(self.ESCAPES.get(char, char) for char in item.locator)
            lines.append(self.separator.join([item.source.key, item.stance] + ([locator] if locator else [])))
        return "\n".join(lines)


class KnownSources:
    """Sources by citation key, looked up once per file."""

    def __init__(self):
        self.rows = None

    def prime(self, keys) -> None:
        self.rows = {}
        wanted = iter(keys - {""})
        while chunk := list(itertools.islice(wanted, 1000)):
            self.rows.update((source.key, source) for source in Source.objects.filter(key__in=chunk))

    def find(self, keys: list[str]) -> dict:
        if self.rows is None:
            return {source.key: source for source in Source.objects.filter(key__in=keys)}
        return {key: self.rows[key] for key in keys if key in self.rows}


class SourceResource(SpreadsheetResource):
    """Sources keyed by citation key. The URL is normalised; a URL another source has is a row error."""

    published_on = fields.Field(attribute="published_on", column_name="published_on", widget=IsoDateWidget())
    link_checked_at = fields.Field(
        attribute="link_checked_at", column_name="link_checked_at", widget=IsoDateTimeWidget()
    )

    class Meta:
        model = Source
        fields = (
            "key",
            "url",
            "title",
            "publisher",
            "author",
            "published_on",
            "kind",
            "language",
            "archive_url",
            "link_status",
            "link_checked_at",
            "placeholder",
        )
        import_id_fields = ("key",)
        use_bulk = True

    example = {
        "key": "china-customs-2022",
        "url": "https://english.customs.gov.cn/statics/report/trade-2022.html",
        "title": "China's trade with Central Asia, 2022",
        "publisher": "General Administration of Customs of China",
        "published_on": "2023-01-13",
        "kind": "dataset",
        "language": "en",
    }

    def unique_values_in(self, name, dataset):
        if name == "normalised_url" and "url" in (dataset.headers or []):
            return {
                normalise_url(force_str(unescape_formula(url) or "").strip()) for url in dataset["url"]
            } - {""}
        return super().unique_values_in(name, dataset)

    def unique_column(self, name):
        return ("url", "address") if name == "normalised_url" else super().unique_column(name)

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            instance.derive_from_address()
            instance.addresses_checked_in_bulk = True


class ClaimResource(SpreadsheetResource):
    """Claims keyed by their stable ID, with their article, actors, developments and evidence by key.

    Who checked a claim and when are exported for reading and never imported: whoever sets a status
    is its checker, now. So an import that changes a claim's status, or adds a claim that is not
    unverified, records the importing user at the moment of import, through the desk's one write
    path; only editors may do either. A row whose uid the database does not have restores that claim
    under its ID, which is for editors too. Rows are saved in bulk, with their links and evidence.
    """

    uid = fields.Field(attribute="uid", column_name="uid", widget=ClaimIdWidget(), default=uuid.uuid4)
    article = fields.Field(attribute="article", column_name="article", widget=SlugWidget(Article))
    checked_by = fields.Field(
        attribute="checked_by",
        column_name="checked_by",
        widget=SlugWidget(get_user_model(), field=get_user_model().USERNAME_FIELD),
        readonly=True,
    )
    checked_by_name = fields.Field(attribute="checked_by_name", column_name="checked_by_name", readonly=True)
    checked_at = fields.Field(
        attribute="checked_at", column_name="checked_at", widget=IsoDateTimeWidget(), readonly=True
    )
    quantity_value = fields.Field(
        attribute="quantity_value", column_name="quantity_value", widget=StrictDecimalWidget()
    )
    quantity_as_of = fields.Field(
        attribute="quantity_as_of", column_name="quantity_as_of", widget=IsoDateWidget()
    )
    actors = fields.Field(attribute="actors", column_name="actors", widget=SlugListWidget(Actor))
    developments = fields.Field(
        attribute="developments", column_name="developments", widget=SlugListWidget(Development)
    )
    evidence = fields.Field(column_name="evidence", widget=EvidenceWidget())

    example = {
        "article": "central-asia-a-year-into-russias-war",
        "position": "1",
        "statement": "China's trade with Central Asia exceeded $70 billion in 2022.",
        "quote": "exceeded $70 billion",
        "status": "unverified",
        "quantity_value": "70000000000",
        "quantity_unit": "USD",
        "quantity_period": "2022",
        "actors": "china,kazakhstan",
        "evidence": "sanctions-outlook-central-asia-2022 | supports | p. 4",
    }

    # Evidence keeps its model's order (by id), which is the order the cell lists it in.
    RELATED = ("evidence__source", "actors", "developments")

    class Meta:
        model = Claim
        fields = (
            "uid",
            "article",
            "position",
            "statement",
            "quote",
            "quote_prefix",
            "quote_suffix",
            "status",
            "checked_by",
            "checked_by_name",
            "checked_at",
            "quantity_value",
            "quantity_unit",
            "quantity_approximation",
            "quantity_as_of",
            "quantity_period",
            "actors",
            "developments",
            "evidence",
        )
        import_id_fields = ("uid",)
        use_bulk = True

    def get_queryset(self):
        return Claim.objects.select_related("article").prefetch_related(*self.RELATED)

    def before_import(self, dataset, **kwargs):
        if "uid" not in (dataset.headers or []):  # a file of new claims may leave the column out
            dataset.append_col([""] * len(dataset), header="uid")
        super().before_import(dataset, **kwargs)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("article", "checked_by").prefetch_related(*self.RELATED)

    def dehydrate_evidence(self, claim):
        return self.fields["evidence"].widget.render(claim.evidence.all())

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._status_before_import = None if new else instance.status
        instance._article_before = None if new else instance.article_id
        instance._uid_given = bool(force_str(row.get("uid") or "").strip())
        instance._imported_evidence = None
        instance._imported_links = {}

    def row_errors(self, instance, row, **kwargs) -> dict:
        errors = super().row_errors(instance, row, **kwargs)
        user = _importing_user(kwargs)
        if instance.pk is None and instance._uid_given and not may_publish(user):
            errors["uid"] = [
                "No claim has this ID. Leave the uid empty to add a new claim; restoring claims by their "
                "IDs is for editors."
            ]
        if instance._article_before not in {None, instance.article_id}:
            errors["article"] = ["A claim stays with the article it was made for: add a new claim instead."]
        if self._status_changes(instance) and not may_publish(user):
            errors["status"] = ["Only editors may import a claim's status: leave it as it is stored."]
        if "evidence" in row:
            try:
                instance._imported_evidence = self.fields["evidence"].clean(row, **kwargs)
            except ValueError as e:
                errors["evidence"] = [force_str(e)]
        for name in ("actors", "developments"):
            if name in row and name not in errors:
                instance._imported_links[name] = self.fields[name].clean(row, **kwargs)
        return errors

    @staticmethod
    def _status_changes(instance) -> bool:
        before = instance._status_before_import or Claim.Status.UNVERIFIED
        return instance.status != before

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance._imported_evidence is not None:
            wanted = [(line.source.pk, line.stance, line.locator) for line in instance._imported_evidence]
            stored = (
                [(e.source_id, e.stance, e.locator) for e in instance.evidence.all()] if instance.pk else []
            )
            if instance.pk is None or wanted != stored:
                return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        user = _importing_user(kwargs)
        article = instance.article if instance.article_id else None
        if article is not None and not may_edit(user, article):
            raise ValidationError(
                {"article": f"You may not change the claims of “{article}”: it is not a draft of yours."}
            )
        instance._status_to_set = instance.status if self._status_changes(instance) else None
        if instance._status_to_set is not None:  # saved as it was; then set the one way it ever is
            instance.status = instance._status_before_import or Claim.Status.UNVERIFIED
        if instance.pk is None:
            instance.checked_by, instance.checked_by_name, instance.checked_at = None, "", None

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None, **kwargs):
        claims = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        self._save_related(claims, new=True)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None, **kwargs):
        claims = list(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        self._save_related(claims, new=False)

    def _save_related(self, claims: list[Claim], *, new: bool) -> None:
        """After a batch is saved: its actors, developments and evidence, then the statuses it sets."""
        claims = [claim for claim in claims if claim.pk is not None]
        if not claims:
            return
        for name in ("actors", "developments"):
            through = getattr(Claim, name).through
            target = f"{through._meta.get_field(name[:-1]).attname}"
            changed = [claim for claim in claims if name in claim._imported_links]
            if not new:
                through.objects.filter(claim__in=changed).delete()
            through.objects.bulk_create(
                through(claim_id=claim.pk, **{target: linked.pk})
                for claim in changed
                for linked in claim._imported_links[name]
            )
        with_evidence = [claim for claim in claims if claim._imported_evidence is not None]
        if not new:
            ClaimEvidence.objects.filter(claim__in=with_evidence).delete()
        ClaimEvidence.objects.bulk_create(
            ClaimEvidence(claim=claim, source=line.source, stance=line.stance, locator=line.locator)
            for claim in with_evidence
            for line in claim._imported_evidence
        )
        for claim in claims:
            if claim._status_to_set is not None:
                checked = claim_set_status(claim=claim, status=claim._status_to_set, user=self._user)
                for name in ("status", "checked_by", "checked_by_name", "checked_at"):
                    setattr(claim, name, getattr(checked, name))

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        self._user = _importing_user(kwargs)
        return super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)


class AuthorResource(SpreadsheetResource):
    """Authors keyed by slug. Whose account an author is stays an editor's choice in the admin."""

    class Meta:
        model = Author
        fields = ("slug", "name", "affiliation", "bio")
        import_id_fields = ("slug",)

    example = {"slug": "aida-nurlanova", "name": "Aida Nurlanova", "affiliation": "Footnote Institute"}


class TopicResource(SpreadsheetResource):
    """Topics keyed by slug."""

    class Meta:
        model = Topic
        fields = ("slug", "name", "description")
        import_id_fields = ("slug",)

    example = {"slug": "water", "name": "Water", "description": "Rivers, dams and who shares them."}


class ArticleResource(SpreadsheetResource):
    """Articles' details for a spreadsheet, without their text: export only (texts come in as papers)."""

    authors = fields.Field(column_name="authors", readonly=True)
    topics = fields.Field(
        attribute="topics", column_name="topics", widget=SlugListWidget(Topic), readonly=True
    )
    published_at = fields.Field(
        attribute="published_at", column_name="published_at", widget=IsoDateTimeWidget()
    )
    updated_for_readers_at = fields.Field(
        attribute="updated_for_readers_at", column_name="updated_for_readers_at", widget=IsoDateTimeWidget()
    )
    notes = fields.Field(column_name="notes", readonly=True)
    claims = fields.Field(column_name="claims", readonly=True)

    class Meta:
        model = Article
        fields = (
            "slug",
            "title",
            "dek",
            "kind",
            "status",
            "authors",
            "topics",
            "published_at",
            "updated_for_readers_at",
            "summary",
            "notes",
            "claims",
        )
        import_id_fields = ("slug",)

    def filter_export(self, queryset, **kwargs):
        bylines = ArticleAuthor.objects.select_related("author").order_by("position", "id")
        return (
            queryset.defer("body", "body_html", "body_text")
            .annotate(note_count=count_of(Citation, "article"), claim_count=count_of(Claim, "article"))
            .prefetch_related(Prefetch("bylines", queryset=bylines), "topics")
        )

    def dehydrate_authors(self, article):
        return ", ".join(byline.author.slug for byline in article.bylines.all())

    def dehydrate_notes(self, article):
        return getattr(article, "note_count", None)

    def dehydrate_claims(self, article):
        return getattr(article, "claim_count", None)


class NoteResource(SpreadsheetResource):
    """Notes by article and number, for picking many notes' sources in a spreadsheet.

    The linked words travel with each note and must still match: a number alone could mean another
    note once the text changed. Importing changes which source a note cites the one way every
    other door does: by writing the source's key into the note's link in the text. The title and
    address columns are for reading only.
    """

    article = fields.Field(attribute="article", column_name="article", widget=SlugWidget(Article))
    source = fields.Field(attribute="source", column_name="source", widget=SlugWidget(Source, field="key"))
    source_title = fields.Field(column_name="source_title", readonly=True)
    address = fields.Field(column_name="address", readonly=True)

    class Meta:
        model = Citation
        fields = ("article", "number", "anchor_text", "source", "source_title", "address")
        import_id_fields = ("article", "number")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("article", "source")

    def dehydrate_source_title(self, note):
        return note.source.title

    def dehydrate_address(self, note):
        return "link missing" if note.source.placeholder else note.source.url

    def before_import(self, dataset, **kwargs):
        if "anchor_text" not in (dataset.headers or []):
            raise ValueError(
                "The file needs the anchor_text column: a note's number alone could mean another note."
            )
        self._choices: dict[int, list[tuple[Citation, Source]]] = {}
        super().before_import(dataset, **kwargs)

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._words_before_import = None if new else instance.anchor_text
        instance._source_before_import = None if new else instance.source_id

    def row_errors(self, instance, row, **kwargs) -> dict:
        errors = super().row_errors(instance, row, **kwargs)
        if instance._words_before_import is None:
            errors["number"] = ["The article has no note with this number: notes are made from its links."]
        elif instance.anchor_text != instance._words_before_import:
            errors["anchor_text"] = [
                f"Note {instance.number} now links “{instance._words_before_import}”: "
                "export the notes again and pick its source there."
            ]
        changes_source = instance.source_id != instance._source_before_import
        if changes_source and not self._may_change_note(instance, _importing_user(kwargs)):
            errors["source"] = [
                f"You may not change the notes of “{instance.article}”: only pick sources for links whose "
                "address was lost."
            ]
        if instance.source_id and instance.source.placeholder and changes_source:
            errors["source"] = [
                f"“{instance.source.key}” stands in for another note's lost address: pick a real source."
            ]
        return errors

    @staticmethod
    def _may_change_note(note: Citation, user) -> bool:
        if note._source_before_import is None or may_edit(user, note.article):
            return True
        return Source.objects.filter(pk=note._source_before_import, placeholder=True).exists()

    def save_instance(self, instance, is_create, row, **kwargs):
        # Not saved row by row: after_import writes each chosen source into the article's text.
        self._choices.setdefault(instance.article_id, []).append((instance, instance.source))

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return
        for article_id, notes in self._choices.items():
            article = Article.objects.get(pk=article_id)
            links = render_body(article.body).links
            choices = [
                NoteChoice(number=n.number, target=links[n.number - 1].target, source=s) for n, s in notes
            ]
            article_set_note_sources(article=article, choices=choices, user=_importing_user(kwargs))
