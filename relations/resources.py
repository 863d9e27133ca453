"""Spreadsheet import and export of actors."""

from common.resources import SpreadsheetResource

from .models import Actor


class ActorResource(SpreadsheetResource):
    """Actors keyed by slug. Memberships are edited in the admin, not in spreadsheets."""

    class Meta:
        model = Actor
        fields = ("slug", "name", "kind", "aliases", "iso_code", "wikidata_id", "description")
        import_id_fields = ("slug",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
