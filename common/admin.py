"""Admin pieces both apps use: per-row counts in one query, and spreadsheet import and export."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from import_export.admin import ExportMixin, ImportExportModelAdmin
from import_export.forms import ImportForm, SelectableFieldsExportForm

from .exports import StreamingExportMixin
from .formats import CSV, JSON, TSV, XLSX
from .imports import REPORT_ROWS, import_job_confirm, import_job_create, progress_of
from .models import ImportJob
from .uploads import RefusedUpload, check_upload, limits_from_settings


def count_of(model, field: str):
    """How many `model` rows point at each listed row through `field`, as one subquery (no per-row query)."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


# What each kind of row result is called on the page.
ROW_KINDS = {"new": "new", "update": "changed", "skip": "unchanged", "invalid": "invalid", "error": "error"}


def format_name(file_format) -> str:
    """csv, xlsx, tsv or json, for a format class or instance."""
    format_class = file_format if isinstance(file_format, type) else type(file_format)
    return format_class.__name__.lower()


class SpreadsheetImportForm(ImportForm):
    """The import form: a file is checked before anything parses it, then read once to count its rows."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.file_formats = formats
        self.dataset = None

    def clean(self):
        cleaned = super().clean()
        upload, index = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or index in (None, ""):
            return cleaned
        file_format = self.file_formats[int(index)]()
        data = b"".join(upload.chunks())
        try:
            check_upload(
                data, name=upload.name, format_name=format_name(file_format), limits=limits_from_settings()
            )
            self.dataset = file_format.create_dataset(
                data if file_format.is_binary() else data.decode("utf-8-sig")
            )
        except RefusedUpload as refusal:
            self.add_error("import_file", str(refusal))
        except Exception as error:  # noqa: BLE001  (any parser's complaint, said to the user)
            self.add_error(
                "import_file",
                f"“{upload.name}” could not be read as {file_format.get_title()}: {error}. "
                "Check that the format chosen below is the file's.",
            )
        self.data_bytes = data
        return cleaned


class SpreadsheetExportForm(SelectableFieldsExportForm):
    """The export form, with its "select all" toggle wired from a file: CSP blocks inline handlers."""

    @property
    def media(self):
        return super().media + forms.Media(js=["admin/js/export_select_all.js"])


class SpreadsheetExportMixin(StreamingExportMixin, ExportMixin):
    """Export only, for what comes in another way (articles come in as papers)."""

    export_formats = [CSV, XLSX, TSV, JSON]
    export_form_class = SpreadsheetExportForm


class SpreadsheetAdmin(StreamingExportMixin, ImportExportModelAdmin):
    """Import and export through CSV, Excel, TSV or JSON; the model's import_/export_ permissions guard
    each, and every row imported also needs the right to add or change it.

    A file of more than FOOTNOTE_IMPORT_INLINE_ROWS rows is checked and imported by the background
    worker; its page shows a progress bar, then the report, and keeps it.
    """

    import_formats = [CSV, XLSX, TSV, JSON]
    export_formats = [CSV, XLSX, TSV, JSON]
    import_form_class = SpreadsheetImportForm
    export_form_class = SpreadsheetExportForm
    import_template_name = "admin/import_export/import.html"

    def has_import_permission(self, request):
        return super().has_import_permission(request) and self.may_write_rows(request)

    def may_write_rows(self, request) -> bool:
        """Importing writes rows: it needs the right to add or change them too (each row is checked)."""
        return self.has_add_permission(request) or self.has_change_permission(request)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            path(
                "import/jobs/<uuid:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="{}_{}_import_job".format(*info),
            ),
        ]
        return own + super().get_urls()

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        context["template_formats"] = [format_name(f) for f in self.get_import_formats()]
        context["inline_rows"] = f"{settings.FOOTNOTE_IMPORT_INLINE_ROWS:,}"
        return context

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid() and len(form.dataset) > settings.FOOTNOTE_IMPORT_INLINE_ROWS:
                return self._import_in_background(request, form)
        response = super().import_action(request, **kwargs)
        if isinstance(response, TemplateResponse):
            response.context_data["recent_jobs"] = self._recent_jobs(request.user)
            response.context_data["fields_list"] = [  # what an import reads, not the columns only exported
                (resource_class().get_display_name(), resource_class.template_dataset().headers)
                for resource_class in self.get_import_resource_classes(request)
            ]
        return response

    def _recent_jobs(self, user) -> list:
        jobs = (
            ImportJob.objects.filter(model=self.opts.label_lower, user=user)
            .exclude(state=ImportJob.State.UPLOADED)
            .defer("data", "report")[:5]
        )
        return [(job, self._job_url(job)) for job in jobs]

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except ImportJob.DoesNotExist:  # confirmed twice, or after the file was let go
            messages.error(
                request,
                "This file is no longer kept: it was imported already, or previewed more than "
                f"{settings.FOOTNOTE_IMPORT_KEEP_HOURS} hours ago. Upload it again to import it.",
            )
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))

    def _import_in_background(self, request, form):
        upload = form.cleaned_data["import_file"]
        file_format = form.file_formats[int(form.cleaned_data["format"])]
        job = import_job_create(
            user=request.user,
            model_label=self.opts.label_lower,
            resource_class=self.choose_import_resource_class(form, request),
            file_name=upload.name,
            file_format=format_name(file_format),
            data=form.data_bytes,
            rows=len(form.dataset),
        )
        return HttpResponseRedirect(self._job_url(job))

    def _job_url(self, job):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_job", args=[job.pk])

    def import_template_view(self, request):
        """A file to start from: the columns an import reads, and one example row."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        formats = {format_name(f): f for f in self.get_import_formats()}
        file_format = formats.get(request.GET.get("format", "csv"))
        if file_format is None:
            raise Http404("No such format.")
        resource = self.get_import_resource_classes(request)[0]()
        data = file_format().export_data(resource.template_dataset())
        response = HttpResponse(data, content_type=file_format().get_content_type())
        name = f"{self.opts.verbose_name_plural.replace(' ', '-')}-template.{file_format().get_extension()}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def import_job_view(self, request, job_id):
        """A background import's progress, then its report; where it was checked, the button to import."""
        job = get_object_or_404(ImportJob, pk=job_id, model=self.opts.label_lower)
        if not self.has_import_permission(request) or not (
            job.user_id == request.user.pk or request.user.is_superuser
        ):
            raise PermissionDenied
        if request.method == "POST":
            try:
                job = import_job_confirm(job=job, user=request.user)
            except ValueError as refusal:
                messages.error(request, str(refusal))
            return HttpResponseRedirect(self._job_url(job))
        done = progress_of(job)
        if request.GET.get("format") == "json":
            return JsonResponse(
                {"state": job.state, "label": job.get_state_display(), "done": done, "rows": job.rows}
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Import of “{job.file_name}”",
            "job": job,
            "done": done,
            "totals": [
                (label, job.totals[kind]) for kind, label in ROW_KINDS.items() if job.totals.get(kind)
            ],
            "report": [
                {**entry, "label": ROW_KINDS.get(entry["kind"], entry["kind"])} for entry in job.report
            ],
            "report_cut": any(job.totals.get(kind, 0) > limit for kind, limit in REPORT_ROWS.items()),
        }
        return TemplateResponse(request, "admin/import_export/import_job.html", context)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Every large import, for administrators: who brought in which file, and how it ended."""

    list_display = ["file_name", "model", "user", "state", "rows", "created_at", "report_link"]
    list_filter = ["state", "model"]
    list_select_related = ["user"]
    fields = list_display[:-1] + ["finished_at", "error"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(state=ImportJob.State.UPLOADED).defer("data", "report")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="report")
    def report_link(self, job):
        app_label, model_name = job.model.split(".")
        url = reverse(f"admin:{app_label}_{model_name}_import_job", args=[job.pk])
        return format_html('<a href="{}">Open</a>', url)
