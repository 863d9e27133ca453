import csv
import datetime
import io
import json

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.models import Source
from articles.resources import SourceResource
from common.imports import (
    DatabaseTmpStorage,
    import_job_confirm,
    import_job_create,
    import_job_run,
    progress_of,
)
from common.models import ImportJob
from tests.factories import SourceFactory

# Every admin list that imports and exports spreadsheets.
SPREADSHEET_MODELS = [
    "articles_source",
    "articles_claim",
    "articles_author",
    "articles_topic",
    "relations_actor",
    "relations_membership",
    "relations_relation",
    "relations_development",
]


def _sources_csv(count: int, *, bad_row: int | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["key", "url", "title"])
    for n in range(count):
        url = "not an address" if n == bad_row else f"https://example.org/{n}"
        writer.writerow([f"source-{n}", url, f"Report {n}"])
    return out.getvalue().encode()


def _job(count=5, **kwargs):
    return import_job_create(
        user=None,
        model_label="articles.source",
        resource_class=SourceResource,
        file_name="sources.csv",
        file_format="csv",
        data=_sources_csv(count, **kwargs),
        rows=count,
    )


# The file between preview and confirm ------------------------------------------------------------


def test_the_file_kept_between_preview_and_confirm_is_read_back_by_name_and_removed(db):
    kept = DatabaseTmpStorage(encoding="utf-8-sig", read_mode="r")
    kept.save(b"key,title\r\nx,Y\r\n")

    elsewhere = DatabaseTmpStorage(name=kept.name, encoding="utf-8-sig", read_mode="r")
    assert elsewhere.read() == "key,title\r\nx,Y\r\n"
    assert DatabaseTmpStorage(name=kept.name, read_mode="rb").read() == b"key,title\r\nx,Y\r\n"

    elsewhere.remove()
    assert not ImportJob.objects.exists()


def test_files_never_confirmed_are_deleted_after_the_time_out(db, settings):
    settings.FOOTNOTE_IMPORT_KEEP_HOURS = 2
    DatabaseTmpStorage().save(b"old")
    ImportJob.objects.update(created_at=timezone.now() - datetime.timedelta(hours=3))
    DatabaseTmpStorage().save(b"new")

    assert list(ImportJob.objects.values_list("data", flat=True)) == [b"new"]


# Background jobs ---------------------------------------------------------------------------------


def test_a_job_checks_every_row_then_imports_only_once_confirmed(db, django_capture_on_commit_callbacks):
    job = _job(5)
    import_job_run(job_id=job.pk)
    job.refresh_from_db()

    assert job.state == ImportJob.State.PREVIEWED
    assert job.totals == {"new": 5}
    assert not Source.objects.exists()

    with django_capture_on_commit_callbacks() as callbacks:
        import_job_confirm(job=job, user=None)
    assert len(callbacks) == 1  # the worker is asked once the confirmation is saved
    import_job_run(job_id=job.pk)
    job.refresh_from_db()

    assert job.state == ImportJob.State.IMPORTED
    assert Source.objects.count() == 5
    assert bytes(job.data) == b""  # the file goes, the report stays
    assert job.totals == {"new": 5}


def test_a_job_with_an_invalid_row_reports_it_by_row_and_cell_and_cannot_be_confirmed(db):
    job = _job(5, bad_row=3)
    job = import_job_run(job_id=job.pk)

    assert job.state == ImportJob.State.FAILED
    [invalid] = [entry for entry in job.report if entry["kind"] == "invalid"]
    assert invalid["row"] == 4
    assert "url" in invalid["errors"]
    with pytest.raises(ValueError, match="cannot be imported now"):
        import_job_confirm(job=job, user=None)
    assert not Source.objects.exists()


def test_a_job_confirmed_twice_is_imported_once(db):
    job = import_job_run(job_id=_job(3).pk)
    import_job_confirm(job=job, user=None)

    with pytest.raises(ValueError):
        import_job_confirm(job=job, user=None)


def test_progress_is_read_from_the_shared_cache_while_a_job_runs(db):
    from django.core.cache import caches

    job = _job(3)
    caches["jobs"].set(f"import-job-progress:{job.pk}", 2)
    assert progress_of(job) == 2
    finished = import_job_run(job_id=job.pk)
    assert progress_of(finished) == 3


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_job(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = _job(4)  # queued when its transaction commits

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    job.refresh_from_db()
    assert job.state == ImportJob.State.PREVIEWED
    assert job.totals == {"new": 4}


# In the admin ------------------------------------------------------------------------------------


def _confirmation(preview) -> dict:
    confirm = preview.context["confirm_form"]
    return {name: confirm[name].value() for name in confirm.fields}


def _upload(client, content: bytes, name="sources.csv", format_index="0"):
    return client.post(
        reverse("admin:articles_source_import"),
        {"format": format_index, "import_file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_a_large_file_goes_to_the_worker_and_its_page_shows_progress_then_the_report(admin_client, settings):
    settings.FOOTNOTE_IMPORT_INLINE_ROWS = 3
    response = _upload(admin_client, _sources_csv(10))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_source_import_job", args=[job.pk])
    page = admin_client.get(response["Location"])
    assert page.context["job"].state == ImportJob.State.PREVIEWING
    assert b"<progress" in page.content
    status = json.loads(admin_client.get(response["Location"] + "?format=json").content)
    assert status == {"state": "previewing", "label": "Checking every row", "done": 0, "rows": 10}

    import_job_run(job_id=job.pk)
    page = admin_client.get(response["Location"])
    assert page.context["totals"] == [("new", 10)]
    confirm = admin_client.post(response["Location"])
    assert confirm.status_code == 302
    import_job_run(job_id=job.pk)

    assert Source.objects.count() == 10
    assert admin_client.get(response["Location"]).context["job"].state == ImportJob.State.IMPORTED


def test_a_small_file_is_previewed_at_once_and_its_confirmation_reads_the_file_from_the_database(
    admin_client,
):
    response = _upload(admin_client, _sources_csv(2))
    confirm = _confirmation(response)
    assert ImportJob.objects.filter(pk=confirm["import_file_name"]).exists()

    admin_client.post(reverse("admin:articles_source_process_import"), confirm)

    assert Source.objects.count() == 2
    assert not ImportJob.objects.exists()


def test_another_users_job_is_not_theirs_to_see(admin_client, client, settings, staff_user):
    settings.FOOTNOTE_IMPORT_INLINE_ROWS = 1
    url = _upload(admin_client, _sources_csv(3))["Location"]
    client.force_login(staff_user)

    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "format_index, extension", [("0", "csv"), ("1", "xlsx"), ("2", "tsv"), ("3", "json")]
)
def test_each_template_holds_the_columns_and_an_example_row_that_imports(
    admin_client, format_index, extension
):
    from import_export.formats.base_formats import CSV, JSON, TSV, XLSX

    response = admin_client.get(reverse("admin:articles_source_import_template") + f"?format={extension}")
    assert response.status_code == 200
    assert f'-template.{extension}"' in response["Content-Disposition"]
    file_format = {"csv": CSV, "xlsx": XLSX, "tsv": TSV, "json": JSON}[extension]()
    content = response.content if file_format.is_binary() else response.content.decode()
    dataset = file_format.create_dataset(content)
    assert "key" in dataset.headers and len(dataset) == 1

    preview = _upload(admin_client, response.content, name=f"template.{extension}", format_index=format_index)
    admin_client.post(reverse("admin:articles_source_process_import"), _confirmation(preview))
    assert Source.objects.get().key == SourceResource.example["key"]


def test_a_template_in_an_unknown_format_is_not_found(admin_client):
    assert (
        admin_client.get(reverse("admin:articles_source_import_template") + "?format=exe").status_code == 404
    )


def test_an_unchanged_export_previews_every_row_as_unchanged(admin_client):
    SourceFactory.create_batch(3)
    exported = SourceResource().export().export("csv").encode()

    preview = _upload(admin_client, exported)

    assert preview.context["result"].totals["skip"] == 3
    assert preview.context["result"].totals["update"] == 0


def _xlsx(cells: dict[tuple[int, int], str]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["key", "url", "title"])
    for (row, column), value in cells.items():
        sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, content, format_index, reason",
    [
        ("deep.xlsx", _xlsx({(1_048_576, 1): "x"}), "1", "row 1,048,576"),
        ("wide.xlsx", _xlsx({(2, 16_384): "x"}), "1", "XFD"),
        ("latin.csv", "key,title\nkirguizistan,Rép\xfablica\n".encode("latin-1"), "0", "UTF-8"),
        ("nested.json", b'[{"key": "x", "title": {"nested": "object"}}]', "3", "title"),
    ],
)
def test_a_hostile_file_is_refused_by_name_with_its_reason_and_nothing_is_kept(
    admin_client, name, content, format_index, reason
):
    response = _upload(admin_client, content, name=name, format_index=format_index)

    assert response.status_code == 200
    [error] = response.context["form"].errors["import_file"]
    assert name in error and reason in error
    assert not ImportJob.objects.exists()
    assert not Source.objects.exists()


def test_the_import_page_lists_the_users_recent_large_imports(admin_client, settings):
    settings.FOOTNOTE_IMPORT_INLINE_ROWS = 1
    job_url = _upload(admin_client, _sources_csv(3))["Location"]

    page = admin_client.get(reverse("admin:articles_source_import"))

    assert [url for _, url in page.context["recent_jobs"]] == [job_url]


def test_administrators_see_every_large_import_with_a_link_to_its_report(admin_client, settings):
    settings.FOOTNOTE_IMPORT_INLINE_ROWS = 1
    job_url = _upload(admin_client, _sources_csv(3))["Location"]
    DatabaseTmpStorage().save(b"a small file waiting for its confirmation")

    page = admin_client.get(reverse("admin:common_importjob_changelist"))

    assert [job.file_name for job in page.context["cl"].result_list] == ["sources.csv"]
    assert job_url in page.content.decode()


def test_the_import_permission_alone_does_not_open_the_import_page(client, staff_user):
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(*Permission.objects.filter(codename__in=["view_source", "import_source"]))
    client.force_login(staff_user)

    assert client.get(reverse("admin:articles_source_import")).status_code == 403


def test_the_import_page_lists_the_columns_an_import_reads_and_not_those_only_exported(admin_client):
    page = admin_client.get(reverse("admin:articles_claim_import"))

    [(_, columns)] = page.context["fields_list"]
    assert "evidence" in columns and "status" in columns
    assert not {"checked_by", "checked_by_name", "checked_at"} & set(columns)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _export_everything(client, model: str, format_index: str) -> bytes:
    url = reverse(f"admin:{model}_export")
    form = client.get(url).context["form"]
    fields = {name: "on" for name, field in form.fields.items() if isinstance(field, forms.BooleanField)}
    response = client.post(url, {"format": format_index, "resource": "0", **fields})
    assert response.status_code == 200
    return _body(response)


@pytest.mark.parametrize(
    "format_index, name", [("0", "all.csv"), ("1", "all.xlsx"), ("2", "all.tsv"), ("3", "all.json")]
)
@pytest.mark.parametrize("model", SPREADSHEET_MODELS)
def test_everything_exported_from_the_admin_imports_back_as_unchanged(
    admin_client, model, format_index, name
):
    from tests.factories import (
        ActorFactory,
        AuthorFactory,
        ClaimEvidenceFactory,
        ClaimFactory,
        DevelopmentFactory,
        MembershipFactory,
        OrganisationFactory,
        RelationFactory,
        TopicFactory,
    )

    evidence = ClaimEvidenceFactory(
        claim=ClaimFactory(statement="  Trade\r\nrose 中文 ", quote="=SUM(A1)"), locator="  p. 3\nline"
    )
    kazakhstan, china = ActorFactory(aliases="  A\nB ", description=""), ActorFactory(description="\x0bvt")
    evidence.claim.actors.add(kazakhstan)
    SourceFactory(title="Кыргызстан\r\n", publisher="-3", author="")
    AuthorFactory(bio="  Writes\r\non water. ", affiliation="")
    TopicFactory(description="=1+1")
    MembershipFactory(member=kazakhstan, organisation=OrganisationFactory(), end_date=None)
    RelationFactory(actor_a=china, actor_b=kazakhstan, summary="  tense\nat times ")
    DevelopmentFactory(participants=[kazakhstan, china], description="@mention\r\n")
    exported = _export_everything(admin_client, model, format_index)

    app, model_name = model.split("_")
    preview = admin_client.post(
        reverse(f"admin:{model}_import"),
        {"format": format_index, "import_file": SimpleUploadedFile(name, exported)},
    )

    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == result.total_rows > 0


@pytest.mark.parametrize("model", SPREADSHEET_MODELS)
def test_every_spreadsheet_has_a_template_with_its_columns_and_an_example(admin_client, model):
    response = admin_client.get(reverse(f"admin:{model}_import_template") + "?format=csv")

    [header, example] = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    model_admin = admin.site._registry[apps.get_model(*model.split("_"))]
    resource = model_admin.get_import_resource_classes(None)[0]
    assert header == resource.template_dataset().headers
    assert any(example)


def test_a_confirmation_sent_twice_imports_once_and_then_says_the_file_is_gone(admin_client):
    confirm = _confirmation(_upload(admin_client, _sources_csv(2)))
    admin_client.post(reverse("admin:articles_source_process_import"), confirm)

    again = admin_client.post(reverse("admin:articles_source_process_import"), confirm, follow=True)

    assert Source.objects.count() == 2
    assert any("no longer kept" in str(message) for message in again.context["messages"])
