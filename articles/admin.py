"""The analysts' desk: articles with their bylines, notes, claims and corrections; sources; claims."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import ngettext

from common.admin import SpreadsheetAdmin, SpreadsheetExportMixin, count_of
from common.paging import KeysFirstPaginator
from common.revisions import RestorableRevisionAdmin, RevisionAdmin, StaleSaveForm

from . import admin_views
from .admin_filters import ClaimCurationFilter, GradeFilter, SourceCurationFilter
from .importer import article_suggest_claims
from .links import web_address
from .models import (
    Article,
    ArticleAuthor,
    Author,
    Citation,
    Claim,
    ClaimEvidence,
    ClaimLink,
    ClaimReview,
    ClaimSuggestion,
    Correction,
    Credibility,
    MissingLink,
    Origin,
    Reliability,
    Source,
    SourceAssessment,
    Topic,
)
from .rendering import key_target, sanitise_html
from .resources import (
    ArticleResource,
    AuthorResource,
    ClaimResource,
    NoteResource,
    SourceResource,
    TopicResource,
)
from .rules import may_edit, may_publish
from .search import narrowed_by_index
from .search_index import ARTICLES, CLAIMS
from .services import (
    NoteChoice,
    RenderReport,
    article_render,
    article_set_note_sources,
    claim_anchor,
    claim_suggestion_accept,
    claim_suggestion_reject,
    source_change_key,
)
from .tasks import archive_sources, check_links_of_sources
from .workflow import (
    GRADE_FIELDS,
    article_publish,
    article_restore,
    article_withdraw,
    claim_set_status,
    source_assess,
)

BACKGROUND_CHECKS = 5_000  # sources checked at once from the list; the nightly command checks them all
BACKGROUND_ARCHIVES = 50  # the archive is slow and rate-limited
INLINE_NOTES = 50  # notes without an address picked on the article's own page
CLAIMS_SHOWN = 200  # on the article's page; the claims list has them all
CHECKERS_LISTED = 100
# Changed only by the desk's steps (workflow.py), never by a form.
PUBLICATION_FIELDS = [
    "status",
    "published_at",
    "first_published_at",
    "updated_for_readers_at",
    "created_by",
    "created_at",
    "updated_at",
]
TEXT_FIELDS = ["body", "body_html", "body_text", "search_document"]  # never shown in a list


def _is_list(request) -> bool:
    """Whether the request is for a changelist (or autocomplete): rows shown by title, not text."""
    name = getattr(request.resolver_match, "url_name", "") or ""
    return name.endswith(("_changelist", "autocomplete"))


def _without_article_text(queryset):
    return queryset.defer(*(f"article__{field}" for field in TEXT_FIELDS))


class IndexedSearchMixin:
    """Changelist and autocomplete search read the search index, not `LIKE` over every row; the
    plain `search_fields` serve only where there is no index. Deep pages find their rows by key."""

    search_index = None
    paginator = KeysFirstPaginator

    def get_search_results(self, request, queryset, search_term):
        narrowed = narrowed_by_index(queryset, self.search_index, search_term)
        if narrowed is None:
            return super().get_search_results(request, queryset, search_term)
        return narrowed, False


class ArticleFilter(admin.SimpleListFilter):
    """Claims of one article. It never lists the articles to choose from (there can be a hundred
    thousand): an article's page links here, and the filter shows the one chosen."""

    title = "article"
    parameter_name = "article"

    def lookups(self, request, model_admin):
        value = self.value() or ""
        chosen = Article.objects.filter(pk=value).values_list("pk", "title") if value.isdigit() else []
        return [(str(pk), title) for pk, title in chosen]

    def queryset(self, request, queryset):
        value = self.value() or ""
        if not value:
            return queryset
        return queryset.filter(article_id=value) if value.isdigit() else queryset.none()


class MineFilter(admin.SimpleListFilter):
    """Articles the user started or is on the byline of: an analyst's own desk."""

    title = "whose"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "Mine")]

    def queryset(self, request, queryset):
        if self.value() != "1":
            return queryset
        own = Q(created_by=request.user) | Q(bylines__author__user=request.user)
        return queryset.filter(pk__in=Article.objects.filter(own).values("pk"))


class ArticleKindFilter(admin.SimpleListFilter):
    """Claims by the kind of article that makes them."""

    title = "article kind"
    parameter_name = "article_kind"

    def lookups(self, request, model_admin):
        return Article.Kind.choices

    def queryset(self, request, queryset):
        return queryset.filter(article__kind=self.value()) if self.value() else queryset


class StatusFilter(admin.SimpleListFilter):
    """Articles by where they stand, telling scheduled ones from those readers can see."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Article.Status.choices[:2], ("scheduled", "Scheduled"), *Article.Status.choices[2:]]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "scheduled":
            return queryset.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        if self.value() == Article.Status.PUBLISHED:
            return queryset.filter(status=Article.Status.PUBLISHED, published_at__lte=now)
        return queryset.filter(status=self.value()) if self.value() else queryset


class CheckerFilter(admin.SimpleListFilter):
    """Claims by who checked them, by the name kept with each claim (it outlives the account)."""

    title = "checked by"
    parameter_name = "checker"

    def lookups(self, request, model_admin):
        names = Claim.objects.exclude(checked_by_name="").order_by().values_list("checked_by_name", flat=True)
        return [(name, name) for name in sorted(set(names.distinct()[:CHECKERS_LISTED]))]

    def queryset(self, request, queryset):
        return queryset.filter(checked_by_name=self.value()) if self.value() else queryset


SHORT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


@admin.register(Author)
class AuthorAdmin(SpreadsheetAdmin):
    resource_classes = [AuthorResource]
    list_display = ["name", "affiliation", "user", "article_count"]
    list_select_related = ["user"]
    search_fields = ["name", "slug", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    fields = ["name", "slug", "affiliation", "bio", "user"]

    def get_readonly_fields(self, request, obj=None):
        # Whose account an author is decides whose drafts they are: an editor's decision.
        return [] if may_publish(request.user) else ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=count_of(ArticleAuthor, "author"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Topic)
class TopicAdmin(SpreadsheetAdmin):
    resource_classes = [TopicResource]
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=count_of(Article.topics.through, "topic"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


class PickOnlyInline(admin.TabularInline):
    """An inline whose related rows are picked here but not deleted from here (they are protected)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield.widget, "can_delete_related"):
            formfield.widget.can_delete_related = False
        return formfield


class BylineInline(PickOnlyInline):
    model = ArticleAuthor
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name_plural = "byline (in order of position)"


class NotesWithoutAddressInline(PickOnlyInline):
    """Notes whose address was lost, each citing a placeholder: pick the source it really cites.

    The pick is written into the note's link in the text (`source:KEY`), never kept by note number.
    """

    model = Citation
    fields = ["number", "anchor_text", "source"]
    readonly_fields = ["number", "anchor_text"]
    autocomplete_fields = ["source"]
    extra = 0
    verbose_name = "note without an address"
    verbose_name_plural = (
        "notes without an address (pick the source each cites: the choice is written into the text)"
    )

    def get_queryset(self, request):
        notes = super().get_queryset(request).filter(source__placeholder=True).select_related("source")
        # Beyond a screenful the form would outgrow what a request may carry: the missing links page
        # takes them one at a time instead.
        return notes if notes.count() <= INLINE_NOTES else notes.none()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is not None and may_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.display(description="article", ordering="article__title")
def article_title(row) -> str:
    return Truncator(row.article.title).chars(60)


@admin.display(description="quoted words", ordering="orphaned")
def in_text(claim: Claim) -> str:
    """Whether the claim's quoted words are still in the article: a tick would read as the opposite."""
    if not claim.quote:
        return "no quote"
    return "gone from the text (orphaned)" if claim.orphaned else "in the text"


class HistoryInline(admin.TabularInline):
    """Rows written once by a service and shown as they were: never added, changed or deleted here."""

    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CorrectionInline(HistoryInline):
    """Corrections are public and dated: added with the desk's “Correct” step, never edited here."""

    model = Correction
    fields = ["published_at", "text"]
    verbose_name_plural = "corrections (add one with “Correct” at the top of the page)"


def apply_to_each(model_admin, request, rows, write) -> int:
    """Call the service `write` for each row, saying which rows it refused and why; how many it took."""
    done = 0
    for row in rows:
        try:
            write(row)
        except ValidationError as error:
            model_admin.message_user(request, f"“{row}”: {' '.join(error.messages)}", messages.WARNING)
            continue
        done += 1
    return done


def _note_choices(formsets) -> list[NoteChoice]:
    """The sources picked in the notes-without-an-address inline, with what each note named before."""
    forms = [
        form
        for formset in formsets
        if formset.model is Citation
        for form in formset.forms
        if form.has_changed()
    ]
    earlier = Source.objects.in_bulk([form.initial["source"] for form in forms])
    return [
        NoteChoice(
            number=form.instance.number,
            target=key_target(earlier[form.initial["source"]].key),
            source=form.cleaned_data["source"],
        )
        for form in forms
        if form.initial["source"] in earlier
    ]


def _tell(request, article: Article, report: RenderReport) -> None:
    """Say what saving the text did that an analyst should follow up."""
    if placeholders := len(report.placeholders_created):
        missing = reverse("admin:articles_missinglink_changelist") + "?" + urlencode({"article": article.pk})
        messages.warning(
            request,
            format_html(
                "{} without an address now {} a placeholder source. Pick the real sources under “Notes "
                'without an address” or on the <a href="{}">missing links page</a>.',
                ngettext("%d link", "%d links", placeholders) % placeholders,
                ngettext("cites", "each cite", placeholders),
                missing,
            ),
        )
    if orphaned := len(report.orphaned_claims):
        claims = (
            reverse("admin:articles_claim_changelist")
            + "?"
            + urlencode({"article": article.pk, "orphaned__exact": 1})
        )
        messages.warning(
            request,
            format_html(
                '{} no longer in the text: <a href="{}">re-anchor or retire {}</a>.',
                ngettext("The quoted words of %d claim are", "The quoted words of %d claims are", orphaned)
                % orphaned,
                claims,
                ngettext("it", "them", orphaned),
            ),
        )


@admin.register(Article)
class ArticleAdmin(IndexedSearchMixin, SpreadsheetExportMixin, RestorableRevisionAdmin):
    resource_classes = [ArticleResource]
    list_display = ["title", "kind", "where", "published_at", "byline", "citation_count", "claim_count"]
    list_filter = [MineFilter, StatusFilter, "kind", "topics"]
    search_fields = ["title", "dek"]
    search_index = ARTICLES
    show_full_result_count = False
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics", "actors", "developments"]
    readonly_fields = ["rendered_body", "notes", "claims_table", *PUBLICATION_FIELDS]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "kind"]}),
        ("Text", {"fields": ["body", "summary"]}),
        (
            "Notes",
            {
                "fields": ["notes"],
                "classes": ["collapse"],
                "description": "Made from the links in the text each time the article is saved.",
            },
        ),
        (
            "As readers will see it",
            {
                "fields": ["rendered_body"],
                "classes": ["collapse"],
                "description": "Rendered and sanitised from the body each time the article is saved.",
            },
        ),
        ("What it is about", {"fields": ["topics", "actors", "developments"]}),
        (
            "Claims",
            {
                "fields": ["claims_table"],
                "description": "Each claim is edited on its own page, so an article's form stays small.",
            },
        ),
        (
            "Publication",
            {
                "fields": PUBLICATION_FIELDS,
                "description": "Changed only by the desk's steps at the top of the page.",
            },
        ),
    ]
    inlines = [BylineInline, NotesWithoutAddressInline, CorrectionInline]
    actions = ["publish_now", "withdraw", "suggest_claims"]
    change_form_template = "admin/articles/article/change_form.html"

    def get_urls(self):
        import_text = self.admin_site.admin_view(admin_views.ArticleImportView.as_view(model_admin=self))
        step = self.admin_site.admin_view(admin_views.ArticleStepView.as_view(model_admin=self))
        return [
            path("import-text/", import_text, name="articles_article_import_text"),
            path("<int:object_id>/step/<slug:action>/", step, name="articles_article_step"),
            *super().get_urls(),
        ]

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return may_edit(request.user, obj)

    def has_publish_permission(self, request):
        return may_publish(request.user)

    def may_restore(self, request, obj) -> bool:
        return may_edit(request.user, obj)

    def restore_warning(self, obj) -> str:
        if Article.objects.published().filter(pk=obj.pk).exists():
            return "This article is published: readers will see the restored text at once."
        return ""

    def restore(self, request, obj, version) -> None:
        article_restore(article=obj, version=version, user=request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["desk"] = admin_views.desk_panel(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        bylines = Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author"))
        return (
            super()
            .get_queryset(request)
            .annotate(citation_count=count_of(Citation, "article"), claim_count=count_of(Claim, "article"))
            .prefetch_related(bylines)
            .defer(*(TEXT_FIELDS if _is_list(request) else ["search_document"]))
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        rows = {"body": 24, "summary": 3}.get(db_field.name)
        if rows:
            kwargs["widget"] = forms.Textarea(attrs={"rows": rows, "class": "vLargeTextField"})
        elif db_field.name in {"title", "slug", "dek"}:
            kwargs["widget"] = forms.TextInput(attrs={"class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        if formset.model is Citation:  # note sources are written into the text by save_related
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        else:
            super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inlines: picks for notes without an address go into the text, then it is rendered.
        choices = _note_choices(formsets)
        try:
            report = article_set_note_sources(article=form.instance, choices=choices, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            report = article_render(article=form.instance)
        _tell(request, form.instance, report)

    @admin.display(description="status", ordering="status")
    def where(self, obj):
        return "Scheduled" if obj.is_scheduled else obj.get_status_display()

    @admin.display(description="authors")
    def byline(self, obj):
        return ", ".join(byline.author.name for byline in obj.bylines.all())

    @admin.display(description="notes", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count

    @admin.display(description="notes")
    def notes(self, obj):
        if obj.pk is None:
            return "Made when the article is saved."
        rows = format_html_join(
            "",
            '<tr><td>{}</td><td>{}</td><td><a href="{}">{}</a></td><td>{}</td></tr>',
            (
                (
                    citation.number,
                    citation.anchor_text,
                    reverse("admin:articles_source_change", args=[citation.source_id]),
                    citation.source.key,
                    "link missing" if citation.source.placeholder else citation.source.url or "no address",
                )
                for citation in obj.citations.select_related("source")
            ),
        )
        if not rows:
            return "No links in the text."
        header = "<tr><th>note</th><th>linked words</th><th>source</th><th>address</th></tr>"
        return format_html('<table class="notes-table">{}{}</table>', mark_safe(header), rows)  # noqa: S308

    @admin.display(description="claims")
    def claims_table(self, obj):
        if obj.pk is None:
            return "Add claims once the article is saved."
        claims = obj.claims.only("pk", "article_id", "position", "statement", "status", "quote", "orphaned")
        rows = format_html_join(
            "",
            '<tr><td>{}</td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td></tr>',
            (
                (
                    claim.position,
                    reverse("admin:articles_claim_change", args=[claim.pk]),
                    Truncator(claim.statement).chars(160),
                    claim.get_status_display(),
                    in_text(claim),
                )
                for claim in claims[:CLAIMS_SHOWN]
            ),
        )
        listed = reverse("admin:articles_claim_changelist") + "?" + urlencode({"article": obj.pk})
        added = reverse("admin:articles_claim_add") + "?" + urlencode({"article": obj.pk})
        table = format_html(
            '<table class="notes-table"><tr><th>position</th><th>statement</th><th>status</th>'
            "<th>quoted words</th></tr>{}</table>",
            rows,
        )
        return format_html(
            '{}<p><a href="{}">All {} claims in the claims list</a> · <a href="{}">Add a claim</a></p>',
            table if rows else "",
            listed,
            claims.count(),
            added,
        )

    @admin.display(description="rendered text")
    def rendered_body(self, obj):
        if not obj.body_html:
            return "Not rendered yet: save the article."
        # Sanitised when rendered; sanitised again here so nothing else written there can run.
        return mark_safe(f'<div class="rendered-body">{sanitise_html(obj.body_html)}</div>')  # noqa: S308

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_now(self, request, queryset):
        self._take_step(request, queryset, article_publish, "published")

    @admin.action(description="Withdraw selected articles", permissions=["publish"])
    def withdraw(self, request, queryset):
        self._take_step(request, queryset, article_withdraw, "withdrawn")

    def _take_step(self, request, articles, step, done: str) -> None:
        taken = apply_to_each(
            self, request, articles, lambda article: step(article=article, user=request.user)
        )
        text = ngettext("%d article %s.", "%d articles %s.", taken) % (taken, done)
        self.message_user(request, text, messages.SUCCESS if taken else messages.WARNING)

    @admin.action(description="Suggest claims and find actors in the text", permissions=["change"])
    def suggest_claims(self, request, queryset):
        pending = actors = 0
        for article in queryset:
            if not may_edit(request.user, article):
                self.message_user(request, f"“{article}”: you may not change this article.", messages.WARNING)
                continue
            suggestions, found = article_suggest_claims(article=article)
            pending += sum(1 for line in suggestions if line.state in {"new", "kept"})
            actors += len(found)
        changelist = reverse("admin:articles_claimsuggestion_changelist") + "?state__exact=pending"
        self.message_user(
            request,
            format_html(
                '<a href="{}">{} suggested claims</a> to review; {} actors mentioned.',
                changelist,
                pending,
                actors,
            ),
            messages.SUCCESS,
        )


class AssessmentHistoryInline(HistoryInline):
    """Every grading of the source, newest first: written by the grade fields, never edited."""

    model = SourceAssessment
    fields = ["at", "grade", "origin", "state_affiliated", "user_name", "note"]
    verbose_name_plural = "grading history"


class SourceForm(StaleSaveForm):
    """The bibliographic record, with the grades beside it: a changed grade goes through
    `source_assess`, which keeps it in the source's grading history."""

    grade_reliability = forms.ChoiceField(
        choices=[("", "not graded"), *Reliability.choices], required=False, label="reliability"
    )
    grade_credibility = forms.TypedChoiceField(
        choices=[("", "not graded"), *Credibility.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label="credibility",
    )
    grade_origin = forms.ChoiceField(
        choices=[("", "not said"), *Origin.choices], required=False, label="origin"
    )
    grade_state_affiliated = forms.BooleanField(label="state-affiliated outlet", required=False)
    grade_note = forms.CharField(
        label="why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="With a new grade: kept in the grading history below.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in GRADE_FIELDS:
            self.initial.setdefault(f"grade_{name}", getattr(self.instance, name))

    def clean(self):
        cleaned = super().clean()
        if self.grade_changed() and not (
            cleaned.get("grade_reliability") and cleaned.get("grade_credibility")
        ):
            raise ValidationError("A grade needs both a reliability (A–F) and a credibility (1–6).")
        return cleaned

    def grade_changed(self) -> bool:
        return any(f"grade_{name}" in self.changed_data for name in GRADE_FIELDS)

    def grades(self) -> dict:
        return {name: self.cleaned_data[f"grade_{name}"] for name in GRADE_FIELDS}


@admin.register(Source)
class SourceAdmin(RevisionAdmin, SpreadsheetAdmin):
    form = SourceForm
    resource_classes = [SourceResource]
    actions = ["check_links", "archive_pages"]
    paginator = KeysFirstPaginator
    list_display = [
        "title",
        "key",
        "short_publisher",
        "kind",
        "grade",
        "link",
        "citation_count",
        "evidence_count",
    ]
    list_filter = [SourceCurationFilter, "placeholder", "kind", GradeFilter, "link_status", "language"]
    search_fields = ["key", "title", "publisher", "url"]
    date_hierarchy = "published_on"
    readonly_fields = [
        "normalised_url",
        "created_at",
        "link_status",
        "link_checked_at",
        "link_target",
        "link_error",
        "assessed_at",
    ]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [AssessmentHistoryInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "key",
                    "kind",
                    "title",
                    "container_title",
                    "author",
                    "publisher",
                    ("published_on", "accessed_on"),
                    "language",
                    "doi",
                ],
                "description": "Changing the citation key rewrites every link in the articles that names it.",
            },
        ),
        (
            "Assessment",
            {
                "fields": [
                    ("grade_reliability", "grade_credibility"),
                    "grade_origin",
                    "grade_state_affiliated",
                    "grade_note",
                    "assessed_at",
                ],
                "description": (
                    "The Admiralty grades: how reliable the source is (A–F) and how credible this "
                    "information is (1–6). Readers see the grades; the reasons stay on the desk."
                ),
            },
        ),
        (
            "Address",
            {
                "fields": [
                    "url",
                    "normalised_url",
                    ("archive_url", "archived_at"),
                    "link_status",
                    "link_checked_at",
                    "link_target",
                    "link_error",
                    "placeholder",
                ],
                "description": "The link state is written by `manage.py check_links`.",
            },
        ),
        ("Record", {"fields": ["created_at"], "classes": ["collapse"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if request.user.has_perm("articles.assess_source"):
            return self.fieldsets
        return [(name, options) for name, options in self.fieldsets if name != "Assessment"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not request.user.has_perm("articles.assess_source"):
            for name in [*(f"grade_{name}" for name in GRADE_FIELDS), "grade_note"]:
                form.base_fields.pop(name)
        return form

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.grade_changed() and request.user.has_perm("articles.assess_source"):
            graded = source_assess(
                source=form.instance, user=request.user, note=form.cleaned_data["grade_note"], **form.grades()
            )
            form.instance.assessed_at = graded.assessed_at

    @admin.display(description="grade", ordering="reliability")
    def grade(self, obj):
        return obj.grade

    @admin.action(
        description="Check the links of the selected sources now (in the background)", permissions=["change"]
    )
    def check_links(self, request, queryset):
        self._in_background(request, queryset, check_links_of_sources, BACKGROUND_CHECKS, "checked")

    @admin.action(
        description="Ask the web archive to save the selected pages (in the background)",
        permissions=["change"],
    )
    def archive_pages(self, request, queryset):
        self._in_background(
            request, queryset, archive_sources, BACKGROUND_ARCHIVES, "sent to the web archive"
        )

    def _in_background(self, request, queryset, work, most: int, done: str) -> None:
        ids = list(queryset.exclude(url="").order_by("pk").values_list("pk", flat=True)[: most + 1])
        if len(ids) > most:
            self.message_user(
                request, f"Select at most {most:,} sources with an address at once.", messages.WARNING
            )
            return
        transaction.on_commit(lambda: work.enqueue(ids))
        self.message_user(
            request,
            ngettext(
                "%(n)d page will be %(done)s in a moment; the source shows the result.",
                "%(n)d pages will be %(done)s in a moment; each source shows its result.",
                len(ids),
            )
            % {"n": len(ids), "done": done},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        if change and "key" in form.changed_data:
            try:
                source_change_key(source=obj, old_key=form.initial["key"])
            except ValidationError as error:
                obj.key = form.initial["key"]
                super().save_model(request, obj, form, change)
                self.message_user(
                    request, f"The key was not changed: {' '.join(error.messages)}", messages.ERROR
                )
        else:
            super().save_model(request, obj, form, change)

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "citation":  # picking a note's source: not another placeholder
            queryset = queryset.filter(placeholder=False)
        return queryset, duplicates

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                citation_count=count_of(Citation, "source"), evidence_count=count_of(ClaimEvidence, "source")
            )
        )

    @admin.display(description="publisher", ordering="publisher")
    def short_publisher(self, obj):
        return Truncator(obj.publisher).chars(50)

    @admin.display(description="link", ordering="url")
    def link(self, obj):
        """The address, or "link missing"; a link found broken or redirected says so. Only a
        validated web address becomes a link: anything else is shown, never followed."""
        if not obj.url:
            return "link missing"
        if not web_address(obj.url):
            return Truncator(obj.url).chars(36)
        shown = Truncator(obj.url.split("//", 1)[-1].removeprefix("www.")).chars(36)
        anchor = format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.url, shown)
        if obj.link_status in {Source.LinkStatus.BROKEN, Source.LinkStatus.REDIRECTED}:
            return format_html("{} ({})", anchor, obj.get_link_status_display().lower())
        return anchor

    @admin.display(description="notes", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count

    @admin.display(description="evidence", ordering="evidence_count")
    def evidence_count(self, obj):
        return obj.evidence_count


class EvidenceInline(PickOnlyInline):
    model = ClaimEvidence
    fields = ["source", "stance", "locator", "passage", "source_grade"]
    readonly_fields = ["source_grade"]
    autocomplete_fields = ["source"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}
    extra = 1

    @admin.display(description="grade")
    def source_grade(self, obj):
        return obj.source.grade if obj.source_id else ""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class ClaimLinkInline(admin.TabularInline):
    model = ClaimLink
    fk_name = "from_claim"
    fields = ["kind", "to_claim", "note"]
    autocomplete_fields = ["to_claim"]
    extra = 0
    verbose_name = "link to another claim"
    verbose_name_plural = "links to other claims (this claim … that claim)"


class ReviewHistoryInline(HistoryInline):
    """Every status change of the claim, newest first: written by the status field, never edited."""

    model = ClaimReview
    fields = ["at", "from_status", "to_status", "user_name", "note"]
    verbose_name_plural = "review history"


class ClaimForm(StaleSaveForm):
    review_note = forms.CharField(
        label="why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="With a change of status: kept in the review history, never shown to readers.",
    )


class ReviewNoteForm(forms.Form):
    note = forms.CharField(
        label="Why (kept in each claim's review history, never shown to readers)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
    )


@admin.register(Claim)
class ClaimAdmin(IndexedSearchMixin, RevisionAdmin, SpreadsheetAdmin):
    resource_classes = [ClaimResource]
    in_text = staticmethod(in_text)
    article_title = staticmethod(article_title)
    list_display = [
        "short_statement",
        "article_title",
        "status",
        "checked",
        "evidence_count",
        "in_text",
    ]
    list_filter = [
        ClaimCurationFilter,
        "status",
        "orphaned",
        ArticleFilter,
        CheckerFilter,
        ("actors", admin.RelatedFieldListFilter),
        ArticleKindFilter,
    ]
    list_select_related = ["article"]
    search_fields = ["statement", "quote"]
    ordering = ["-pk"]  # newest first, straight from the primary key: no sort of every claim
    search_index = CLAIMS
    show_full_result_count = False
    form = ClaimForm
    autocomplete_fields = ["article", "actors", "developments", "derived_from", "claimant_actor"]
    readonly_fields = ["uid", "checker", "checked_at", "in_text", "bearing_on_this"]
    fieldsets = [
        (None, {"fields": ["article", "position", "statement"]}),
        (
            "Who claims it",
            {
                "fields": ["claimant_actor", "claimant_name"],
                "description": (
                    "Leave both empty when the claim is the article's own assessment. The sources that "
                    "report it are its evidence, below."
                ),
            },
        ),
        (
            "Where the article says it",
            {
                "fields": ["quote_prefix", "quote", "quote_suffix", "in_text"],
                "description": (
                    "The quote is found in the article again whenever the text changes; a claim whose "
                    "words are gone is flagged orphaned, never moved or deleted."
                ),
            },
        ),
        (
            "Verification",
            {
                "fields": ["status", "review_note", "checker", "checked_at"],
                "description": (
                    "Changing the status records you as the checker, now, in the review history below."
                ),
            },
        ),
        (
            "Quantity",
            {
                "fields": [
                    "quantity_approximation",
                    ("quantity_value", "quantity_unit"),
                    ("quantity_lower", "quantity_upper"),
                    ("quantity_period_start", "quantity_as_of", "quantity_time_precision"),
                    "quantity_period",
                    "derived_from",
                ],
                "description": "Bounds, when the figure is a range or an estimate with a margin.",
            },
        ),
        ("What it concerns", {"fields": ["actors", "developments", "bearing_on_this"]}),
        ("Stable ID", {"fields": ["uid"], "classes": ["collapse"]}),
    ]
    formfield_overrides = SHORT_TEXT
    inlines = [EvidenceInline, ClaimLinkInline, ReviewHistoryInline]
    actions = ["mark_verified"]

    def get_queryset(self, request):
        claims = super().get_queryset(request).annotate(evidence_count=count_of(ClaimEvidence, "claim"))
        return _without_article_text(claims).defer("search_document")

    def get_readonly_fields(self, request, obj=None):
        # A claim stays with the article it was made for: moving it could hide it in a draft.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "article"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        status = obj.status
        if "status" in form.changed_data:
            obj.status = form.initial.get("status", Claim.Status.UNVERIFIED)
        super().save_model(request, obj, form, change)
        if status != obj.status:
            note = form.cleaned_data.get("review_note", "")
            checked = claim_set_status(claim=obj, status=status, user=request.user, note=note)
            obj.status, obj.checked_by, obj.checked_by_name, obj.checked_at = (
                checked.status,
                checked.checked_by,
                checked.checked_by_name,
                checked.checked_at,
            )
        if {"article", "quote", "quote_prefix", "quote_suffix"} & set(form.changed_data):
            claim_anchor(claim=obj)

    @admin.display(description="other claims about this one")
    def bearing_on_this(self, obj):
        """Links made from other claims to this one, and figures derived from it: the inline shows
        only the links this claim makes."""
        rows = [
            (link.from_claim_id, link.from_claim, link.get_kind_display())
            for link in obj.links_in.select_related("from_claim")
        ] + [(figure.pk, figure, "is derived from") for figure in obj.derived_figures.all()]
        if not rows:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a> {} this claim',
            ((reverse("admin:articles_claim_change", args=[pk]), claim, kind) for pk, claim, kind in rows),
        )

    @admin.display(description="statement", ordering="statement")
    def short_statement(self, obj):
        return Truncator(obj.statement).chars(160)

    @admin.display(description="checked", ordering="checked_at")
    def checked(self, obj):
        if obj.checked_at is None:
            return ""
        return f"{self.checker(obj)}, {date_format(timezone.localtime(obj.checked_at), 'j M Y')}"

    @admin.display(description="checked by", ordering="checked_by_name")
    def checker(self, obj):
        return obj.checked_by_name or ("not recorded" if obj.checked_at else "")

    @admin.display(description="evidence", ordering="evidence_count")
    def evidence_count(self, obj):
        return obj.evidence_count

    def has_delete_permission(self, request, obj=None):
        # A reviewed claim is kept, marked outdated or false, never deleted: its history is evidence.
        if obj is not None and obj.reviews.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deleting one at a time checks each claim's history
        return actions

    @admin.action(description="Mark selected claims verified, with a note", permissions=["change"])
    def mark_verified(self, request, queryset):
        form = ReviewNoteForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            shown, count = list(queryset[:CLAIMS_SHOWN]), queryset.count()
            context = {
                **self.admin_site.each_context(request),
                "title": "Mark claims verified",
                "opts": self.opts,
                "claims": shown,
                "count": count,
                "more": count - len(shown),
                "select_across": request.POST.get("select_across", "0"),
                "form": form,
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "action": "mark_verified",
            }
            return TemplateResponse(request, "admin/articles/claim/mark_verified.html", context)
        note = form.cleaned_data["note"]
        done = apply_to_each(
            self,
            request,
            queryset,
            lambda claim: claim_set_status(
                claim=claim, status=Claim.Status.VERIFIED, user=request.user, note=note
            ),
        )
        self.message_user(
            request,
            ngettext("%d claim marked verified.", "%d claims marked verified.", done) % done,
            messages.SUCCESS,
        )
        return None


@admin.register(ClaimSuggestion)
class ClaimSuggestionAdmin(admin.ModelAdmin):
    """Sentences the importer found worth checking: accept (it becomes a claim), edit first, or reject."""

    list_display = ["short_quote", "article", "quantity", "state"]
    list_filter = ["state", ArticleFilter]
    list_select_related = ["article"]
    search_fields = ["quote", "statement"]
    autocomplete_fields = ["sources", "actors"]
    readonly_fields = ["article", "quote_in_context", "state", "claim_link", "decided_by", "decided_at"]
    fieldsets = [
        (None, {"fields": ["article", "quote_in_context", "statement"]}),
        (
            "Quantity",
            {"fields": ["quantity_approximation", "quantity_value", "quantity_unit", "quantity_period"]},
        ),
        ("Evidence and actors", {"fields": ["sources", "actors"]}),
        ("Decision", {"fields": ["state", "claim_link", "decided_by", "decided_at"]}),
    ]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 80})}}
    actions = ["accept", "reject"]

    def get_queryset(self, request):
        return _without_article_text(super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # suggestions come from imported texts

    def has_accept_permission(self, request):
        return request.user.has_perm("articles.add_claim")

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_accept"] = self.has_accept_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)

    def response_change(self, request, obj):
        decision = next((name for name in ("_accept", "_reject") if name in request.POST), None)
        if decision is None:
            return super().response_change(request, obj)
        if decision == "_accept" and not self.has_accept_permission(request):
            raise PermissionDenied
        self._decide(request, [obj], accept=decision == "_accept")
        changelist = reverse("admin:articles_claimsuggestion_changelist")
        filters = self.get_preserved_filters(request)
        return HttpResponseRedirect(
            add_preserved_filters({"preserved_filters": filters, "opts": self.opts}, changelist)
        )

    @admin.action(description="Accept selected suggestions as claims", permissions=["accept"])
    def accept(self, request, queryset):
        self._decide(request, queryset, accept=True)

    @admin.action(description="Reject selected suggestions", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, accept=False)

    def _decide(self, request, suggestions, *, accept: bool) -> None:
        service = claim_suggestion_accept if accept else claim_suggestion_reject
        done = apply_to_each(
            self, request, suggestions, lambda row: service(suggestion=row, user=request.user)
        )
        if accept:
            text = ngettext("%d suggestion accepted as a claim.", "%d suggestions accepted as claims.", done)
        else:
            text = ngettext("%d suggestion rejected.", "%d suggestions rejected.", done)
        self.message_user(request, text % done, messages.SUCCESS)

    @admin.display(description="sentence", ordering="quote")
    def short_quote(self, obj):
        return Truncator(obj.quote).chars(120)

    @admin.display(description="quantity")
    def quantity(self, obj):
        if obj.quantity_value is None:
            return ""
        wording = (
            "" if obj.quantity_approximation == "exact" else obj.get_quantity_approximation_display() + " "
        )
        return f"{wording}{obj.quantity_value.normalize():,f} {obj.quantity_unit}"

    @admin.display(description="in the article")
    def quote_in_context(self, obj):
        return format_html("…{}<mark>{}</mark>{}…", obj.quote_prefix, obj.quote, obj.quote_suffix)

    @admin.display(description="claim")
    def claim_link(self, obj):
        if obj.claim_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:articles_claim_change", args=[obj.claim_id]), obj.claim
        )


class MadeFromTextsMixin:
    """Notes are made from the links in the articles' texts: never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Citation)
class NoteAdmin(MadeFromTextsMixin, SpreadsheetAdmin):
    """Every note of every article, read-only: notes are made from the links in the text. Their
    sources can be picked wholesale in a spreadsheet (export, fill in the keys, import)."""

    resource_classes = [NoteResource]
    list_display = ["article_title", "number", "anchor_text", "source", "address"]
    article_title = staticmethod(article_title)
    list_select_related = ["article", "source"]
    list_filter = [("source__placeholder", admin.BooleanFieldListFilter), ArticleFilter]
    search_fields = ["anchor_text", "article__title", "source__key", "source__title"]
    ordering = ["-pk"]  # newest first, from the primary key: no sort of every note
    paginator = KeysFirstPaginator

    def get_queryset(self, request):
        return _without_article_text(super().get_queryset(request))

    def may_write_rows(self, request):
        # Importing notes changes the articles' texts.
        return request.user.has_perm("articles.change_article")

    @admin.display(description="address")
    def address(self, obj):
        return "link missing" if obj.source.placeholder else obj.source.url or "no address"


@admin.register(MissingLink)
class MissingLinkAdmin(MadeFromTextsMixin, admin.ModelAdmin):
    """The missing links page: every note still citing a placeholder, one step per note to its source."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("articles.change_article")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        return admin_views.MissingLinksView.as_view(model_admin=self)(request)
