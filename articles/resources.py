"""Spreadsheet import and export of sources, claims and notes, keyed by citation key, claim ID and
article slug with note number.

A claim's evidence travels with it in one `evidence` column, a line per source:
`source-key | supports | p. 3`. Importing a claim replaces its evidence with the lines of the file.
"""

import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.encoding import force_str
from import_export import fields, widgets

from common.resources import SlugListWidget, SlugWidget, SpreadsheetResource, StrictDecimalWidget
from relations.models import Actor, Development

from .models import Article, Citation, Claim, ClaimEvidence, Source
from .rendering import render_body
from .rules import may_edit, may_publish
from .services import NoteChoice, article_set_note_sources
from .workflow import claim_set_status

LOCATOR_MAX_LENGTH = ClaimEvidence._meta.get_field("locator").max_length


def _importing_user(kwargs):
    """The person importing, or None for the command line, which has every right."""
    user = kwargs.get("user")
    return user if getattr(user, "pk", None) else None


class IsoDateWidget(widgets.Widget):
    """A date written as 2022-11-01."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if hasattr(value, "year"):  # already a date (binary formats)
            return value if not hasattr(value, "hour") else value.date()
        parsed = parse_date(force_str(value).strip())
        if parsed is None:
            raise ValueError(f"“{value}” is not a date: write it as YYYY-MM-DD, e.g. 2022-11-01.")
        return parsed

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class IsoDateTimeWidget(widgets.Widget):
    """A moment written in ISO 8601 (2022-11-01T09:30:00+00:00); without an offset it is local time."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        parsed = value if hasattr(value, "hour") else parse_datetime(force_str(value).strip())
        if parsed is None:
            raise ValueError(f"“{value}” is not a date and time: write e.g. 2022-11-01T09:30:00+00:00.")
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed

    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).isoformat() if value else ""


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
    """A claim's evidence, one line per row: `source-key | stance | locator` (the locator is optional)."""

    separator = " | "

    def clean(self, value, row=None, **kwargs) -> list[EvidenceLine]:
        lines = [line.strip() for line in force_str(value or "").splitlines() if line.strip()]
        parsed = [self._split(number, line) for number, line in enumerate(lines, 1)]
        keys = {key for _, key, _, _ in parsed}
        sources = {source.key: source for source in Source.objects.filter(key__in=keys)}
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

    def _split(self, number: int, line: str) -> tuple[int, str, str, str]:
        parts = [part.strip() for part in line.split("|", 2)]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValueError(
                f"Evidence line {number} (“{line}”): write `source-key | supports | locator` "
                "(the stance is supports or contradicts; the locator may be left out)."
            )
        key, stance, locator = (parts + [""])[:3]
        return number, key, stance.lower(), locator

    def render(self, value, obj=None, **kwargs):
        lines = []
        for item in value or ():
            locator = item.locator.replace("\r", " ").replace("\n", " ")  # one line per row
            parts = [item.source.key, item.stance] + ([locator] if locator else [])
            lines.append(self.separator.join(parts))
        return "\n".join(lines)


class SourceResource(SpreadsheetResource):
    """Sources keyed by citation key. Saving normalises the URL; a URL another source has is a row error."""

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
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class ClaimResource(SpreadsheetResource):
    """Claims keyed by their stable ID, with their article, actors, developments and evidence by key.

    Who checked a claim and when (`checked_by`, `checked_by_name`, `checked_at`) follow the desk's
    rule that whoever sets a status is recorded as its checker:
    - a row for an existing claim keeps the stored record; if it changes the status, the importing
      user is recorded, now;
    - a row without a uid is a new claim: unless it is unverified, the importing user is recorded;
    - a row whose uid is not in the database restores that claim with the record as written, so
      exporting and importing into an empty database loses nothing; only an editor may do that.
    """

    uid = fields.Field(attribute="uid", column_name="uid", widget=ClaimIdWidget(), default=uuid.uuid4)
    article = fields.Field(attribute="article", column_name="article", widget=SlugWidget(Article))
    checked_by = fields.Field(
        attribute="checked_by",
        column_name="checked_by",
        widget=SlugWidget(get_user_model(), field=get_user_model().USERNAME_FIELD),
    )
    checked_at = fields.Field(attribute="checked_at", column_name="checked_at", widget=IsoDateTimeWidget())
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
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import(self, dataset, **kwargs):
        if "uid" not in (dataset.headers or []):  # a file of new claims may leave the column out
            dataset.append_col([""] * len(dataset), header="uid")
        super().before_import(dataset, **kwargs)

    def filter_export(self, queryset, **kwargs):
        evidence = ClaimEvidence.objects.select_related("source").order_by("id")
        return queryset.select_related("article", "checked_by").prefetch_related(
            Prefetch("evidence", queryset=evidence), "actors", "developments"
        )

    def dehydrate_evidence(self, claim):
        return self.fields["evidence"].widget.render(claim.evidence.all())

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._status_before_import = None if new else instance.status
        instance._article_before = None if new else instance.article_id
        instance._uid_given = bool(force_str(row.get("uid") or "").strip())
        instance._imported_evidence = None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute in {"checked_by", "checked_by_name", "checked_at"} and instance.pk is not None:
            return  # the record of who checked an existing claim is kept
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def row_errors(self, instance, row, **kwargs) -> dict:
        errors = super().row_errors(instance, row, **kwargs)
        if instance.pk is None and instance._uid_given and not may_publish(_importing_user(kwargs)):
            errors["uid"] = [
                "No claim has this ID. Leave the uid empty to add a new claim; restoring claims with their "
                "IDs and checkers is for editors."
            ]
        if instance._article_before not in {None, instance.article_id}:
            errors["article"] = ["A claim stays with the article it was made for: add a new claim instead."]
        if "evidence" in row:
            try:
                instance._imported_evidence = self.fields["evidence"].clean(row, **kwargs)
            except ValueError as e:
                errors["evidence"] = [force_str(e)]
        return errors

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance._imported_evidence is not None:
            wanted = [(line.source.pk, line.stance, line.locator) for line in instance._imported_evidence]
            stored = list(
                ClaimEvidence.objects.filter(claim_id=instance.pk)
                .order_by("id")
                .values_list("source_id", "stance", "locator")
            )
            if instance.pk is None or wanted != stored:
                return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def before_save_instance(self, instance, row, **kwargs):
        before = instance._status_before_import
        if before is not None:
            needs_record = instance.status != before
        elif instance._uid_given:
            needs_record = False  # an editor restoring a claim: its record is as written
        else:
            instance.checked_by, instance.checked_by_name, instance.checked_at = None, "", None
            needs_record = instance.status != Claim.Status.UNVERIFIED
        instance._status_to_set = instance.status if needs_record else None
        if needs_record:  # saved as it was; the status is then set the one way it ever is
            instance.status = before or Claim.Status.UNVERIFIED

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if instance._status_to_set is None:
            return
        checked = claim_set_status(
            claim=instance, status=instance._status_to_set, user=_importing_user(kwargs)
        )
        for name in ("status", "checked_by", "checked_by_name", "checked_at"):
            setattr(instance, name, getattr(checked, name))

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if instance._imported_evidence is None:
            return
        if self._is_dry_run(kwargs) and not self._is_using_transactions(kwargs):
            return
        instance.evidence.all().delete()
        ClaimEvidence.objects.bulk_create(
            ClaimEvidence(claim=instance, source=line.source, stance=line.stance, locator=line.locator)
            for line in instance._imported_evidence
        )


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
