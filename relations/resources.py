"""Spreadsheet import and export of actors, memberships, relations and developments, keyed by slug."""

from django.core.exceptions import ValidationError
from import_export import fields

from common.resources import IsoDateWidget, SlugListWidget, SlugWidget, SpreadsheetResource

from .models import Actor, Development, Membership, Relation
from .state import development_participants_check


class ActorResource(SpreadsheetResource):
    """Actors keyed by slug."""

    class Meta:
        model = Actor
        fields = ("slug", "name", "kind", "aliases", "iso_code", "wikidata_id", "description")
        import_id_fields = ("slug",)

    example = {"slug": "kazakhstan", "name": "Kazakhstan", "kind": "state", "aliases": "Kazakh\nAstana",
               "iso_code": "KZ", "wikidata_id": "Q232"}  # fmt: skip


class MembershipResource(SpreadsheetResource):
    """Who belongs to which organisation, and as what: one row per member, organisation and role."""

    member = fields.Field(attribute="member", column_name="member", widget=SlugWidget(Actor))
    organisation = fields.Field(
        attribute="organisation", column_name="organisation", widget=SlugWidget(Actor)
    )
    start_date = fields.Field(attribute="start_date", column_name="start_date", widget=IsoDateWidget())
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=IsoDateWidget())

    class Meta:
        model = Membership
        fields = ("member", "organisation", "role", "start_date", "end_date")
        import_id_fields = ("member", "organisation", "role")

    example = {"member": "kazakhstan", "organisation": "csto", "role": "member", "start_date": "1992-05-15"}


class RelationResource(SpreadsheetResource):
    """A pair of actors, keyed by slug; the pair may be written in either order."""

    actor_a = fields.Field(attribute="actor_a", column_name="actor_a", widget=SlugWidget(Actor))
    actor_b = fields.Field(attribute="actor_b", column_name="actor_b", widget=SlugWidget(Actor))
    assessed_on = fields.Field(attribute="assessed_on", column_name="assessed_on", widget=IsoDateWidget())

    class Meta:
        model = Relation
        fields = ("slug", "actor_a", "actor_b", "state", "assessed_on", "summary")
        import_id_fields = ("slug",)

    example = {
        "slug": "china-kazakhstan",
        "actor_a": "china",
        "actor_b": "kazakhstan",
        "state": "cooperative",
        "assessed_on": "2023-03-09",
        "summary": "Trade and transit deepen; Astana balances Beijing against Moscow.",
    }

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:  # stored with the lower id first, so a pair in the other order is the same pair
            if instance.actor_a_id and instance.actor_b_id and instance.actor_a_id > instance.actor_b_id:
                instance.actor_a, instance.actor_b = instance.actor_b, instance.actor_a


class DevelopmentResource(SpreadsheetResource):
    """Developments keyed by slug, with their participants by slug."""

    date = fields.Field(attribute="date", column_name="date", widget=IsoDateWidget())
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=IsoDateWidget())
    participants = fields.Field(
        attribute="participants", column_name="participants", widget=SlugListWidget(Actor)
    )

    class Meta:
        model = Development
        fields = ("slug", "title", "date", "date_precision", "end_date", "dimension", "tone", "participants",
                  "description")  # fmt: skip
        import_id_fields = ("slug",)

    example = {
        "slug": "xian-summit-2023",
        "title": "China–Central Asia summit in Xi'an",
        "date": "2023-05-18",
        "date_precision": "day",
        "dimension": "diplomatic",
        "tone": "1",
        "participants": "china,kazakhstan",
    }

    def row_errors(self, instance, row, **kwargs) -> dict:
        errors = super().row_errors(instance, row, **kwargs)
        if "participants" in row and "participants" not in errors:
            try:
                development_participants_check(self.fields["participants"].clean(row, **kwargs))
            except ValidationError as error:
                errors["participants"] = error
        return errors

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("participants")
