"""Admin pieces both apps use: per-row counts in one query, and spreadsheet import and export."""

from django import forms
from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, TSV, XLSX
from import_export.forms import ImportForm, SelectableFieldsExportForm


def count_of(model, field: str):
    """How many `model` rows point at each listed row through `field`, as one subquery (no per-row query)."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


class SpreadsheetImportForm(ImportForm):
    """The import form, refusing files too large to be a curated spreadsheet."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.FOOTNOTE_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}; files to import can be at most "
                f"{filesizeformat(limit)}. Split it into smaller files."
            )
        return upload


class SpreadsheetExportForm(SelectableFieldsExportForm):
    """The export form, with its "select all" toggle wired from a file: CSP blocks inline handlers."""

    @property
    def media(self):
        return super().media + forms.Media(js=["admin/js/export_select_all.js"])


class SpreadsheetAdmin(ImportExportModelAdmin):
    """Import and export through CSV, Excel or TSV; the model's import_/export_ permissions guard each."""

    import_formats = [CSV, XLSX, TSV]
    export_formats = [CSV, XLSX, TSV]
    import_form_class = SpreadsheetImportForm
    export_form_class = SpreadsheetExportForm
