"""Exports that stream: rows are read from the database a chunk at a time and written out as they come,
so 100,000 rows never sit in memory at once.

CSV, TSV and JSON go out as the rows are written; an XLSX workbook cannot be sent before it is whole, so
it is written row by row in openpyxl's write-only mode to a temporary file, which is then sent.
"""

import csv
import io
import itertools
import json
import tempfile
from collections.abc import Iterable, Iterator

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from import_export.signals import post_export
from openpyxl import Workbook

from .formats import escape_xlsx_text

ROWS_PER_CHUNK = 500


def export_rows(resource, queryset, *, export_fields=None, **kwargs) -> Iterator[list]:
    """The header, then one row per object, each through the resource exactly as its own export."""
    resource.before_export(queryset, **kwargs)
    queryset = resource.filter_export(queryset, **kwargs)
    yield resource.get_export_headers(selected_fields=export_fields)
    for instance in resource.iter_queryset(queryset):
        yield resource.export_resource(instance, selected_fields=export_fields, **kwargs)


def _batches(rows: Iterable[list]) -> Iterator[list[list]]:
    rows = iter(rows)
    while batch := list(itertools.islice(rows, ROWS_PER_CHUNK)):
        yield batch


def delimited_chunks(rows: Iterable[list], *, delimiter: str) -> Iterator[str]:
    """CSV or TSV text, with a byte-order mark first so that Excel reads other scripts right."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for batch in _batches(rows):
        writer.writerows(["" if value is None else value for value in row] for row in batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def json_chunks(rows: Iterable[list]) -> Iterator[str]:
    """A JSON list with one object per row, keyed by column."""
    rows = iter(rows)
    headers = next(rows)
    yield "["
    first = True
    for batch in _batches(rows):
        records = (
            json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False, default=str) for row in batch
        )
        text = ",\n".join(records)
        yield ("\n" if first else ",\n") + text
        first = False
    yield "\n]\n"


def xlsx_file(rows: Iterable[list]):
    """A workbook written row by row to a temporary file, which is returned open at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append([escape_xlsx_text(value) for value in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
    workbook.save(output)
    output.seek(0)
    return output


def export_response(rows: Iterable[list], file_format, *, filename: str):
    """The download of `rows` in `file_format` (CSV, TSV, JSON or XLSX)."""
    extension = file_format.get_extension()
    content_type = file_format.get_content_type()
    if extension == "xlsx":
        return FileResponse(xlsx_file(rows), as_attachment=True, filename=filename, content_type=content_type)
    if extension == "json":
        chunks = json_chunks(rows)
    else:
        chunks = delimited_chunks(rows, delimiter="\t" if extension == "tsv" else ",")
    response = StreamingHttpResponse((chunk.encode("utf-8") for chunk in chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class StreamingExportMixin:
    """For an import-export admin: its exports stream instead of being built in memory first."""

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if not self.has_export_permission(request):
            raise PermissionDenied
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(**self.get_export_resource_kwargs(request, export_form=export_form))
        rows = export_rows(
            resource,
            queryset,
            export_fields=self.get_export_resource_fields_from_form(export_form),
            export_form=export_form,
        )
        filename = self.get_export_filename(request, queryset, file_format)
        response = export_response(rows, file_format, filename=filename)
        post_export.send(sender=None, model=self.model)
        return response
