"""Actors and their memberships, curated relations between pairs, and the developments between actors."""

from django import forms
from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from common.admin import SpreadsheetAdmin, count_of

from .models import Actor, Development, Membership, Relation
from .resources import ActorResource, DevelopmentResource, MembershipResource, RelationResource
from .selectors import with_verified_claim
from .state import development_participants_check


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "member"
    fields = ["organisation", "role", "start_date", "end_date"]
    autocomplete_fields = ["organisation"]
    extra = 0
    verbose_name_plural = "memberships of international organisations"


@admin.register(Actor)
class ActorAdmin(SpreadsheetAdmin):
    resource_classes = [ActorResource]
    list_display = ["name", "kind", "slug", "iso_code", "wikidata_id", "claim_count"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "aliases", "iso_code", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "description"]}),
        ("Other names and identifiers", {"fields": ["aliases", "iso_code", "wikidata_id"]}),
    ]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=count_of(Actor.claims.through, "actor"))

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count


@admin.register(Membership)
class MembershipAdmin(SpreadsheetAdmin):
    """Every membership at once, for spreadsheets; one actor's are edited on its page."""

    resource_classes = [MembershipResource]
    list_display = ["member", "organisation", "role", "start_date", "end_date"]
    list_filter = ["role", "organisation"]
    list_select_related = ["member", "organisation"]
    search_fields = ["member__name", "organisation__name"]
    autocomplete_fields = ["member", "organisation"]


class RelationAdminForm(forms.ModelForm):
    """Puts the pair in canonical order before validation, so the constraints see what will be saved."""

    class Meta:
        model = Relation
        fields = ["actor_a", "actor_b", "slug", "state", "assessed_on", "summary"]
        help_texts = {
            "assessed_on": "The day an analyst judged the state. Save a changed state, or a new "
            "relation, without changing this date and it becomes today. The public page's “as of” "
            "date is this or the latest development, whichever is later.",
        }

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("actor_a"), cleaned.get("actor_b")
        if first and second and first.pk > second.pk:
            cleaned["actor_a"], cleaned["actor_b"] = second, first
        return cleaned


@admin.register(Relation)
class RelationAdmin(SpreadsheetAdmin):
    resource_classes = [RelationResource]
    form = RelationAdminForm
    list_display = ["__str__", "slug", "state", "assessed_on", "updated_at"]
    list_select_related = ["actor_a", "actor_b"]
    list_filter = ["state"]
    search_fields = ["slug", "actor_a__name", "actor_b__name", "summary"]
    autocomplete_fields = ["actor_a", "actor_b"]
    readonly_fields = ["timeline", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": ["actor_a", "actor_b", "slug"],
                "description": "The pair is stored in one order whichever way round you enter it.",
            },
        ),
        ("Now", {"fields": [("state", "assessed_on"), "summary", "updated_at"]}),
        ("Timeline", {"fields": ["timeline"]}),
    ]

    def save_model(self, request, obj, form, change):
        # A new state (or a new relation's first) is a new assessment: dated today unless given.
        stated = not change or "state" in form.changed_data
        if stated and "assessed_on" not in form.changed_data:
            obj.assessed_on = timezone.localdate()
        super().save_model(request, obj, form, change)

    @admin.display(description="developments with both actors")
    def timeline(self, obj):
        if obj.pk is None:
            return "Shown once the relation is saved."
        rows = format_html_join(
            "",
            '<li>{} — <a href="{}">{}</a></li>',
            (
                (dev.date_display, reverse("admin:relations_development_change", args=[dev.pk]), dev.title)
                for dev in obj.developments()
            ),
        )
        return format_html("<ul>{}</ul>", rows) if rows else "None yet."


class DevelopmentAdminForm(forms.ModelForm):
    class Meta:
        model = Development
        fields = [
            "title",
            "slug",
            "date",
            "date_precision",
            "end_date",
            "participants",
            "dimension",
            "tone",
            "description",
        ]

    def clean_participants(self):
        participants = self.cleaned_data["participants"]
        development_participants_check(participants)
        return participants


class EvidenceFilter(admin.SimpleListFilter):
    """The curation list "developments without verified evidence", and its complement, by the rule
    the public page applies: a verified claim in a draft confirms nothing yet."""

    title = "evidence"
    parameter_name = "evidence"

    def lookups(self, request, model_admin):
        return [
            ("verified", "confirmed (a verified claim in a published article)"),
            ("unverified", "without verified evidence (unconfirmed)"),
        ]

    def queryset(self, request, queryset):
        verified = with_verified_claim()
        if self.value() == "verified":
            return queryset.filter(verified)
        if self.value() == "unverified":
            return queryset.filter(~verified)
        return queryset


@admin.register(Development)
class DevelopmentAdmin(SpreadsheetAdmin):
    resource_classes = [DevelopmentResource]
    form = DevelopmentAdminForm
    list_display = [
        "title",
        "date",
        "date_precision",
        "dimension",
        "tone",
        "participant_names",
        "claim_count",
    ]
    list_filter = [EvidenceFilter, "dimension", "tone", "date_precision"]
    search_fields = ["title", "slug", "description"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["participants"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "participants", "dimension", "tone"]}),
        ("When", {"fields": ["date", "date_precision", "end_date"]}),
        (None, {"fields": ["description"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(claim_count=count_of(Development.claims.through, "development"))
            .prefetch_related(Prefetch("participants", queryset=Actor.objects.order_by("name")))
        )

    @admin.display(description="participants")
    def participant_names(self, obj):
        return ", ".join(actor.name for actor in obj.participants.all())

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count
