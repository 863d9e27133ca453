import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from articles.models import Claim, Source
from articles.resources import ClaimResource, SourceResource
from common.exports import export_response, export_rows
from common.formats import CSV, JSON, TSV, XLSX
from tests.factories import ClaimEvidenceFactory, SourceFactory

TRICKY = "  Кыргызстан 中文\nsecond line "


def _read(response, extension) -> list[list[str]]:
    if extension == "xlsx":
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
        return [
            ["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)
        ]
    text = b"".join(response.streaming_content).decode("utf-8")
    if extension == "json":
        records = json.loads(text)
        return [list(records[0])] + [list(record.values()) for record in records]
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with it
    return list(csv.reader(io.StringIO(text[1:]), delimiter="\t" if extension == "tsv" else ","))


@pytest.mark.parametrize("file_format", [CSV, TSV, JSON, XLSX])
def test_every_format_holds_the_header_and_a_row_per_source_with_text_as_it_is(db, file_format):
    SourceFactory(key="a", title=TRICKY, publisher="=SUM(A1)")
    SourceFactory(key="b", title="plain")
    response = export_response(
        export_rows(SourceResource(), Source.objects.order_by("key")), file_format(), filename="x"
    )

    header, *rows = _read(response, file_format().get_extension())

    assert header == SourceResource().get_export_headers()
    assert [row[header.index("key")] for row in rows] == ["a", "b"]
    assert rows[0][header.index("title")] == TRICKY
    assert rows[0][header.index("publisher")] == "'=SUM(A1)"


def test_the_csv_reads_back_through_the_import_despite_its_byte_order_mark(db):
    SourceFactory(key="a", title=TRICKY)
    response = export_response(export_rows(SourceResource(), Source.objects.all()), CSV(), filename="x")

    dataset = CSV().create_dataset(b"".join(response.streaming_content).decode("utf-8-sig"))
    assert SourceResource().import_data(dataset, dry_run=True).totals["skip"] == 1


@pytest.mark.parametrize("count", [10, 120])
def test_exporting_claims_runs_the_same_queries_however_many_there_are(db, count):
    for _ in range(count):
        ClaimEvidenceFactory()
    with CaptureQueriesContext(connection) as queries:
        rows = list(export_rows(ClaimResource(), Claim.objects.all()))
    assert len(rows) == count + 1
    assert len(queries) <= 8


def test_a_streamed_export_reads_the_database_only_as_it_is_sent(db):
    SourceFactory.create_batch(3)
    response = export_response(export_rows(SourceResource(), Source.objects.all()), CSV(), filename="x")
    chunks = iter(response.streaming_content)

    with CaptureQueriesContext(connection) as queries:
        assert next(chunks) == "\ufeff".encode()
    assert len(queries) == 0


def test_the_admin_export_streams_with_the_usual_file_name(admin_client):
    SourceFactory(key="a")
    response = admin_client.post(
        reverse("admin:articles_source_export"), {"format": "0", "resource": "0", "sourceresource_key": "on"}
    )

    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="Source-')
    assert b"".join(response.streaming_content).decode("utf-8-sig").split() == ["key", "a"]
