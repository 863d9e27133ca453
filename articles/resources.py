"""Spreadsheet import and export of sources, claims and notes, keyed by citation key, claim ID and
article slug with note number.

A claim's evidence travels with it in one `evidence` column, a line per source:
`source-key | supports | p. 3`, and below it the passage quoted from the source on a line starting
`> ` (see `EvidenceWidget`). Importing a claim replaces its evidence with the lines of the file.

A source's grades and a claim's status are imported only through the desk's services, which keep
their history; the link checker's findings and who graded or checked what are exported only.
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
    UuidWidget,
    unescape_formula,
)
from relations.models import Actor, Development

from .links import normalise_url
from .models import (
    Article,
    ArticleAuthor,
    Author,
    Citation,
    Claim,
    ClaimEvidence,
    Source,
    SourceAssessment,
    Topic,
)
from .rendering import render_body
from .rules import may_edit, may_publish
from .services import NoteChoice, article_set_note_sources
from .workflow import GRADE_FIELDS, claim_set_status, source_assess

LOCATOR_MAX_LENGTH = ClaimEvidence._meta.get_field("locator").max_length


def _importing_user(kwargs):
    """The person importing, or None for the command line, which has every right."""
    user = kwargs.get("user")
    return user if getattr(user, "pk", None) else None


def _import_note(kwargs) -> str:
    """Why the history says a status or grade changed: the file it came from, when it is known."""
    name = force_str(kwargs.get("file_name") or "").strip()
    return f"Imported from {name}" if name else "Imported from a spreadsheet"


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
    passage: str = ""


class EvidenceWidget(widgets.Widget):
    """A claim's evidence, one line per source: `source-key | stance | locator` (the locator is optional),
    followed by the quoted passage of the source, if any, on a line of its own starting `> `:

        china-customs-2022 | supports | table 3
        > Total trade reached 70.2 billion dollars.

    The locator and the passage are kept exactly: a line break in either is written `\\n`, a carriage
    return `\\r` and a backslash `\\\\`, and only the one space after the bar or the `>` is taken as
    part of the separator. Bars in the locator need no escape (only the first two split a line), and a
    passage may be anything. Several `>` lines in a row are one passage, a line each, as in an email
    quote. Files from before passages had no `>` lines, and import as they always did.
    """

    separator = " | "
    quote_mark = ">"
    ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}

    def __init__(self):
        super().__init__()
        self.sources = KnownSources()

    def prime(self, cells) -> None:
        keys = set()
        for cell in cells:
            for line in self._lines(unescape_formula(cell)):
                if not line.lstrip().startswith(self.quote_mark):
                    keys.add(line.split("|", 1)[0].strip())
        self.sources.prime(keys)

    def clean(self, value, row=None, **kwargs) -> list[EvidenceLine]:
        lines = self._lines(value)
        parsed = self._parse(lines)
        sources = self.sources.find([key for _, key, _, _, _ in parsed])
        stances = {choice.value for choice in ClaimEvidence.Stance}
        evidence, seen = [], set()
        for number, key, stance, locator, passage in parsed:
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
            evidence.append(
                EvidenceLine(source=sources[key], stance=stance, locator=locator, passage=passage)
            )
        return evidence

    @staticmethod
    def _lines(value) -> list[str]:
        return [line.rstrip("\r") for line in force_str(value or "").split("\n") if line.strip()]

    def _parse(self, lines: list[str]) -> list[tuple[int, str, str, str, str]]:
        """(line number, key, stance, locator, passage) per source, its `>` lines joined as its passage."""
        parsed = []
        for number, line in enumerate(lines, 1):
            quoted = line.lstrip()
            if not quoted.startswith(self.quote_mark):
                parsed.append([*self._split(number, line), None])
                continue
            if not parsed:
                raise ValueError(
                    f"Evidence line {number} (“{line}”): a quoted passage (a line starting “>”) "
                    "follows the line of the source it quotes."
                )
            passage = self._unescape(quoted.removeprefix(self.quote_mark).removeprefix(" "))
            before = parsed[-1][-1]
            parsed[-1][-1] = passage if before is None else f"{before}\n{passage}"
        return [(*item[:-1], item[-1] or "") for item in parsed]

    def _split(self, number: int, line: str) -> tuple[int, str, str, str]:
        parts = line.split("|", 2)
        if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
            stances = " or ".join(sorted(ClaimEvidence.Stance.values))
            raise ValueError(
                f"Evidence line {number} (“{line}”): write `source-key | supports | locator` "
                f"(the stance is {stances}; the locator may be left out), then the quoted passage, "
                "if any, on a line starting “> ”."
            )
        key, stance, locator = (parts + [""])[:3]
        locator = locator.removeprefix(" ")
        return number, key.strip(), stance.strip().lower(), self._unescape(locator)

    def _unescape(self, text: str) -> str:
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m[1], m[1]), text)

    def _escape(self, text: str) -> str:
        return "".join(self.ESCAPES.get(char, char) for char in text)

    def render(self, value, obj=None, **kwargs):
        lines = []
        for item in value or ():
            locator = self._escape(item.locator)
            lines.append(self.separator.join([item.source.key, item.stance] + ([locator] if locator else [])))
            if item.passage:
                lines.append(f"{self.quote_mark} {self._escape(item.passage)}")
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


LINK_FIELDS = ["link_status", "link_checked_at", "link_target", "link_error"]


class SourceResource(SpreadsheetResource):
    """Sources keyed by citation key. The URL is normalised; a URL another source has is a row error.

    The grades (reliability, credibility, origin, state affiliation) come in only through
    `source_assess`, as a grading by the importing user, now, kept in the source's history; only
    those who may grade sources may change them. When it was graded, and what the link checker
    found, are exported for reading and never imported.
    """

    published_on = fields.Field(attribute="published_on", column_name="published_on", widget=IsoDateWidget())
    accessed_on = fields.Field(attribute="accessed_on", column_name="accessed_on", widget=IsoDateWidget())
    archived_at = fields.Field(attribute="archived_at", column_name="archived_at", widget=IsoDateTimeWidget())
    assessed_at = fields.Field(
        attribute="assessed_at", column_name="assessed_at", widget=IsoDateTimeWidget(), readonly=True
    )
    link_status = fields.Field(attribute="link_status", column_name="link_status", readonly=True)
    link_checked_at = fields.Field(
        attribute="link_checked_at", column_name="link_checked_at", widget=IsoDateTimeWidget(), readonly=True
    )
    link_target = fields.Field(attribute="link_target", column_name="link_target", readonly=True)
    link_error = fields.Field(attribute="link_error", column_name="link_error", readonly=True)

    class Meta:
        model = Source
        fields = (
            "key",
            "url",
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
        )
        import_id_fields = ("key",)
        use_bulk = True

    example = {
        "key": "china-customs-2022",
        "url": "https://english.customs.gov.cn/statics/report/trade-2022.html",
        "title": "China's trade with Central Asia, 2022",
        "container_title": "Customs statistics",
        "publisher": "General Administration of Customs of China",
        "published_on": "2023-01-13",
        "accessed_on": "2023-02-01",
        "kind": "dataset",
        "language": "en",
        "reliability": "B",
        "credibility": "2",
        "origin": "primary",
        "state_affiliated": "1",
    }

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._grades_before = {name: getattr(instance, name) for name in GRADE_FIELDS}
        instance._grades_to_set = None

    @staticmethod
    def _grades_change(instance) -> bool:
        return any(getattr(instance, name) != value for name, value in instance._grades_before.items())

    def row_errors(self, instance, row, **kwargs) -> dict:
        errors = super().row_errors(instance, row, **kwargs)
        if not self._grades_change(instance):
            return errors
        user = _importing_user(kwargs)
        if user is not None and not user.has_perm("articles.assess_source"):
            errors["reliability"] = [
                "Only those who grade sources may import a source's grades: leave them as they are stored."
            ]
        elif not instance.reliability or instance.credibility is None:
            errors["reliability"] = [
                "A grading needs both a reliability (A–F) and a credibility (1–6): a grade is replaced "
                "by another, never taken back."
            ]
        else:  # the source's own grade fields are not editable, so nothing else checks them
            grading = SourceAssessment(**{name: getattr(instance, name) for name in GRADE_FIELDS})
            try:
                grading.full_clean(
                    exclude=["source", "user"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as e:
                errors.update(e.message_dict)
        return errors

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if self._grades_change(instance):  # saved as it was; then graded the one way a source is
            instance._grades_to_set = {name: getattr(instance, name) for name in GRADE_FIELDS}
            for name, value in instance._grades_before.items():
                setattr(instance, name, value)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None, **kwargs):
        sources = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        self._assess(sources)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None, **kwargs):
        sources = list(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        self._assess(sources)

    def get_bulk_update_fields(self):
        # What follows from the address is no column of its own: its normal form, and the link state,
        # which a changed address starts afresh (`derive_from_address`). Any other row writes back the
        # state it was read with; a check recorded meanwhile is undone with its time, so the link is
        # due again and checked on the next run.
        return [*super().get_bulk_update_fields(), "normalised_url", *LINK_FIELDS]

    def _assess(self, sources: list[Source]) -> None:
        for source in sources:
            if source.pk is None or source._grades_to_set is None:
                continue
            graded = source_assess(source=source, user=self._user, note=self._note, **source._grades_to_set)
            for name in (*GRADE_FIELDS, "assessed_at"):
                setattr(source, name, getattr(graded, name))

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        self._user, self._note = _importing_user(kwargs), _import_note(kwargs)
        return super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)

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
    A claim names the figure it is derived from by that claim's uid, which may be a claim the same
    file restores: that link is made once every row is saved, so a whole export restores in any order.
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
    quantity_lower = fields.Field(
        attribute="quantity_lower", column_name="quantity_lower", widget=StrictDecimalWidget()
    )
    quantity_upper = fields.Field(
        attribute="quantity_upper", column_name="quantity_upper", widget=StrictDecimalWidget()
    )
    quantity_period_start = fields.Field(
        attribute="quantity_period_start", column_name="quantity_period_start", widget=IsoDateWidget()
    )
    quantity_as_of = fields.Field(
        attribute="quantity_as_of", column_name="quantity_as_of", widget=IsoDateWidget()
    )
    derived_from = fields.Field(
        attribute="derived_from", column_name="derived_from", widget=UuidWidget(Claim)
    )
    claimant_actor = fields.Field(
        attribute="claimant_actor", column_name="claimant_actor", widget=SlugWidget(Actor)
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
        "quantity_approximation": "more_than",
        "quantity_period_start": "2022-01-01",
        "quantity_as_of": "2022-12-31",
        "quantity_time_precision": "year",
        "quantity_period": "2022",
        "claimant_actor": "china",
        "claimant_name": "General Administration of Customs of China",
        "actors": "china,kazakhstan",
        "evidence": (
            "sanctions-outlook-central-asia-2022 | supports | p. 4\n"
            "> Trade with the five states passed $70 billion | a record.\n"
            "china-customs-2022 | context | table 2"
        ),
    }

    # Evidence keeps its model's order (by id), which is the order the cell lists it in.
    RELATED = ("evidence__source", "actors", "developments")
    LINKED = ("article", "derived_from", "claimant_actor")

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
            "quantity_lower",
            "quantity_upper",
            "quantity_unit",
            "quantity_approximation",
            "quantity_period_start",
            "quantity_as_of",
            "quantity_time_precision",
            "quantity_period",
            "derived_from",
            "claimant_actor",
            "claimant_name",
            "actors",
            "developments",
            "evidence",
        )
        import_id_fields = ("uid",)
        use_bulk = True

    def get_queryset(self):
        return Claim.objects.select_related(*self.LINKED).prefetch_related(*self.RELATED)

    def before_import(self, dataset, **kwargs):
        if "uid" not in (dataset.headers or []):  # a file of new claims may leave the column out
            dataset.append_col([""] * len(dataset), header="uid")
        super().before_import(dataset, **kwargs)
        self._uids_in_file = self.unique_values_in("uid", dataset)
        self._derivations: list[Claim] = []

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "derived_from" and field.column_name in row:
            uid = field.widget.key_of(row[field.column_name])
            if uid in self._uids_in_file and not field.widget.known.find([uid]):
                # A claim this file restores under its ID: linked once every row is saved.
                instance.derived_from, instance._derived_from_uid = None, uid
                return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related(*self.LINKED, "checked_by").prefetch_related(*self.RELATED)

    def dehydrate_evidence(self, claim):
        return self.fields["evidence"].widget.render(claim.evidence.all())

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._status_before_import = None if new else instance.status
        instance._article_before = None if new else instance.article_id
        instance._uid_given = bool(force_str(row.get("uid") or "").strip())
        instance._imported_evidence = None
        instance._imported_links = {}
        instance._derived_from_uid = None

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
        if instance._derived_from_uid is not None and instance._derived_from_uid == instance.uid:
            errors["derived_from"] = ["A figure cannot be derived from itself."]
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
        if instance._derived_from_uid is not None:
            return False  # derived from a claim the file adds
        if instance._imported_evidence is not None:
            wanted = [
                (line.source.pk, line.stance, line.locator, line.passage)
                for line in instance._imported_evidence
            ]
            stored = (
                [(e.source_id, e.stance, e.locator, e.passage) for e in instance.evidence.all()]
                if instance.pk
                else []
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
        if instance._derived_from_uid is not None:
            self._derivations.append(instance)

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
            ClaimEvidence(
                claim=claim,
                source=line.source,
                stance=line.stance,
                locator=line.locator,
                passage=line.passage,
            )
            for claim in with_evidence
            for line in claim._imported_evidence
        )
        for claim in claims:
            if claim._status_to_set is not None:
                checked = claim_set_status(
                    claim=claim, status=claim._status_to_set, user=self._user, note=self._note
                )
                for name in ("status", "checked_by", "checked_by_name", "checked_at"):
                    setattr(claim, name, getattr(checked, name))

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self._derivations and not (result.has_errors() or result.has_validation_errors()):
            self._link_derivations()

    def _link_derivations(self) -> None:
        """Point the claims derived from claims this file added at them, now that they are stored."""
        wanted, stored = iter({claim._derived_from_uid for claim in self._derivations}), {}
        while chunk := list(itertools.islice(wanted, 1000)):
            stored.update(Claim.objects.filter(uid__in=chunk).values_list("uid", "pk"))
        claims = [claim for claim in self._derivations if claim.pk is not None]
        for claim in claims:
            if claim._derived_from_uid not in stored:
                raise ValueError(
                    f"The claim {claim._derived_from_uid} that {claim.uid} is derived from was not saved."
                )
            claim.derived_from_id = stored[claim._derived_from_uid]
        Claim.objects.bulk_update(claims, ["derived_from"], batch_size=1000)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        self._user, self._note = _importing_user(kwargs), _import_note(kwargs)
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
