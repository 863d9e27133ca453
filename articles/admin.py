"""The analysts' desk: articles with their bylines, notes, claims and corrections; sources; claims."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import ngettext

from relations.admin import SpreadsheetAdmin, count_of

from .models import (
    Article,
    ArticleAuthor,
    Author,
    Citation,
    Claim,
    ClaimEvidence,
    Correction,
    Source,
    Topic,
)
from .rendering import sanitise_html
from .resources import ClaimResource, SourceResource
from .services import article_render

SHORT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "affiliation", "user", "article_count"]
    list_select_related = ["user"]
    search_fields = ["name", "slug", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    fields = ["name", "slug", "affiliation", "bio", "user"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=count_of(ArticleAuthor, "author"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
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


class CitationInline(PickOnlyInline):
    """Notes are made from the links in the text: only the source of a note can be chosen here."""

    model = Citation
    fields = ["number", "anchor_text", "source", "address"]
    readonly_fields = ["number", "anchor_text", "address"]
    autocomplete_fields = ["source"]
    extra = 0
    verbose_name_plural = "notes (one per link in the text; pick a source where a link lost its address)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="address")
    def address(self, obj):
        if obj.source_id and obj.source.url:
            return format_html('<a href="{0}" rel="noopener noreferrer">{0}</a>', obj.source.url)
        return "link missing"


class ClaimInline(admin.TabularInline):
    model = Claim
    fields = ["position", "statement", "status"]
    readonly_fields = ["status"]
    formfield_overrides = SHORT_TEXT
    show_change_link = True
    extra = 0
    verbose_name_plural = "claims (status, evidence and quantity on each claim's own page)"


class CorrectionInline(admin.TabularInline):
    model = Correction
    fields = ["published_at", "text"]
    formfield_overrides = SHORT_TEXT
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "published_at", "byline", "citation_count", "claim_count"]
    list_filter = ["status", "kind", "topics"]
    search_fields = ["title", "dek", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics", "actors", "developments"]
    readonly_fields = ["rendered_body", "first_published_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "kind"]}),
        ("Text", {"fields": ["body", "summary"]}),
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
            "Publication",
            {"fields": ["status", "published_at", "first_published_at", "created_at", "updated_at"]},
        ),
    ]
    inlines = [BylineInline, CitationInline, ClaimInline, CorrectionInline]
    actions = ["publish_now", "withdraw"]

    def get_queryset(self, request):
        bylines = Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author"))
        return (
            super()
            .get_queryset(request)
            .annotate(citation_count=count_of(Citation, "article"), claim_count=count_of(Claim, "article"))
            .prefetch_related(bylines)
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        rows = {"body": 24, "summary": 3}.get(db_field.name)
        if rows:
            kwargs["widget"] = forms.Textarea(attrs={"rows": rows, "class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inlines: a source chosen for a lost link is kept, and notes follow the links.
        article_render(article=form.instance)

    @admin.display(description="authors")
    def byline(self, obj):
        return ", ".join(byline.author.name for byline in obj.bylines.all())

    @admin.display(description="notes", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count

    @admin.display(description="rendered text")
    def rendered_body(self, obj):
        if not obj.body_html:
            return "Not rendered yet: save the article."
        # Sanitised when rendered; sanitised again here so nothing else written there can run.
        return mark_safe(f'<div class="rendered-body">{sanitise_html(obj.body_html)}</div>')  # noqa: S308

    @admin.action(description="Publish selected articles now", permissions=["change"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        published = 0
        for article in queryset:
            article.status = Article.Status.PUBLISHED
            article.published_at = article.published_at or now
            article.save()
            self.log_change(request, article, "Published.")
            published += 1
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", published) % published,
            messages.SUCCESS,
        )

    @admin.action(description="Withdraw selected articles", permissions=["change"])
    def withdraw(self, request, queryset):
        withdrawn = 0
        for article in queryset.exclude(status=Article.Status.WITHDRAWN):
            article.status = Article.Status.WITHDRAWN
            article.save()
            self.log_change(request, article, "Withdrawn.")
            withdrawn += 1
        self.message_user(
            request,
            ngettext("%d article withdrawn.", "%d articles withdrawn.", withdrawn) % withdrawn,
            messages.SUCCESS,
        )


@admin.register(Source)
class SourceAdmin(SpreadsheetAdmin):
    resource_classes = [SourceResource]
    list_display = ["key", "title", "publisher", "kind", "link", "citation_count", "evidence_count"]
    list_filter = ["kind", "link_status", "language"]
    search_fields = ["key", "title", "publisher", "url"]
    date_hierarchy = "published_on"
    readonly_fields = ["normalised_url", "created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["key", "title", "publisher", "author", "published_on", "kind", "language"]}),
        (
            "Address",
            {"fields": ["url", "normalised_url", "archive_url", "link_status", "link_checked_at"]},
        ),
        ("Record", {"fields": ["created_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                citation_count=count_of(Citation, "source"), evidence_count=count_of(ClaimEvidence, "source")
            )
        )

    @admin.display(description="link", ordering="url")
    def link(self, obj):
        """The address, or "link missing"; a link found broken or redirected says so."""
        if not obj.url:
            return "link missing"
        shown = Truncator(obj.url.split("//", 1)[-1].removeprefix("www.")).chars(36)
        anchor = format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.url, shown)
        if obj.link_status in {Source.LinkStatus.BROKEN, Source.LinkStatus.REDIRECTED}:
            return format_html("{} ({})", anchor, obj.get_link_status_display().lower())
        return anchor

    @admin.display(description="notes", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count

    @admin.display(description="evidence for claims", ordering="evidence_count")
    def evidence_count(self, obj):
        return obj.evidence_count


class EvidenceInline(PickOnlyInline):
    model = ClaimEvidence
    fields = ["source", "stance", "locator"]
    autocomplete_fields = ["source"]
    extra = 1


@admin.register(Claim)
class ClaimAdmin(SpreadsheetAdmin):
    resource_classes = [ClaimResource]
    list_display = ["short_statement", "article", "status", "checked_by", "checked_at", "evidence_count"]
    list_filter = ["status", ("article", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article", "checked_by"]
    search_fields = ["statement", "quote"]
    autocomplete_fields = ["article", "actors", "developments"]
    readonly_fields = ["uid", "checked_by", "checked_at"]
    fieldsets = [
        (None, {"fields": ["article", "position", "statement"]}),
        (
            "Where the article says it",
            {"fields": ["quote_prefix", "quote", "quote_suffix"]},
        ),
        (
            "Verification",
            {
                "fields": ["status", "checked_by", "checked_at"],
                "description": "Changing the status records you as the checker, now.",
            },
        ),
        ("Quantity", {"fields": ["quantity_value", "quantity_unit", "quantity_as_of", "quantity_period"]}),
        ("What it concerns", {"fields": ["actors", "developments"]}),
        ("Stable ID", {"fields": ["uid"], "classes": ["collapse"]}),
    ]
    formfield_overrides = SHORT_TEXT
    inlines = [EvidenceInline]
    actions = ["mark_verified"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(evidence_count=count_of(ClaimEvidence, "claim"))

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.checked_by, obj.checked_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description="statement", ordering="statement")
    def short_statement(self, obj):
        return str(obj)

    @admin.display(description="evidence", ordering="evidence_count")
    def evidence_count(self, obj):
        return obj.evidence_count

    @admin.action(description="Mark selected claims verified", permissions=["change"])
    def mark_verified(self, request, queryset):
        count = queryset.update(
            status=Claim.Status.VERIFIED, checked_by=request.user, checked_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext("%d claim marked verified.", "%d claims marked verified.", count) % count,
            messages.SUCCESS,
        )
