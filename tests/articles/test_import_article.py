"""`manage.py import_article`: one line per file, bad files reported, the others imported."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, ClaimSuggestion, Source

pytestmark = pytest.mark.django_db

PAPER = Path(__file__).resolve().parents[1] / "papers" / "a-year-on.md"
SLUG = "central-asia-one-year-into-russias-war"


def _run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_article", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_importing_the_seed_prints_one_line_with_what_was_made():
    out, err = _run(PAPER)
    assert out == (
        f"{SLUG}: created, 19 notes (0 new sources, 0 existing, 19 link missing), 9 repairs, "
        f"{ClaimSuggestion.objects.count()} suggested claims, 0 actors\n"
    )
    assert err == ""
    assert Article.objects.get().status == "draft"


def test_publish_makes_the_article_public_at_the_papers_date():
    _run(PAPER, "--publish")
    assert Article.objects.published().get().slug == SLUG


def test_a_dry_run_saves_nothing():
    out, _ = _run(PAPER, "--dry-run")
    assert out.startswith(f"[dry run] {SLUG}: created")
    assert (Article.objects.count(), Source.objects.count()) == (0, 0)


def test_one_bad_file_in_a_batch_is_reported_the_others_imported_and_the_command_fails(tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("")
    undated = tmp_path / "undated.md"
    undated.write_text("A title\n\nBody text without a date.\n")
    good = tmp_path / "good.md"
    good.write_text("Commentary\nMay 2, 2024\n\nA good paper\n\nBy Aida Nurlanova\n\nIt [says](#) things.\n")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 of 4 files could not be imported"):
        call_command(
            "import_article", str(empty), str(PAPER), str(undated), str(good), stdout=out, stderr=err
        )
    assert err.getvalue().splitlines() == [
        f"{empty}: the file is empty.",
        f"{undated}, line 1: no publication date was found above the text: "
        "add a line such as “March 7, 2023”.",
    ]
    assert len(out.getvalue().splitlines()) == 2
    assert set(Article.objects.values_list("slug", flat=True)) == {SLUG, "a-good-paper"}


def test_a_missing_file_and_a_file_over_the_limit_are_reported(tmp_path, settings):
    settings.FOOTNOTE_MAX_ARTICLE_IMPORT_BYTES = 100
    big = tmp_path / "big.md"
    big.write_text("x" * 200)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_article", str(tmp_path / "nowhere.md"), str(big), stdout=StringIO(), stderr=err)
    lines = [" ".join(line.split()) for line in err.getvalue().splitlines()]
    assert lines == [
        f"{tmp_path / 'nowhere.md'}: No such file or directory",
        f"{big}: the file is 200 bytes; a paper to import can be at most 100 bytes.",
    ]


def test_an_unforeseen_failure_of_one_file_does_not_stop_the_batch(tmp_path, monkeypatch):
    from articles.management.commands import import_article

    real = import_article.read_file
    broken = tmp_path / "broken.md"
    broken.write_text("x")

    def read(data, *, name, **kwargs):
        if name == str(broken):
            raise RuntimeError("the disk hiccuped")
        return real(data, name=name, **kwargs)

    monkeypatch.setattr(import_article, "read_file", read)
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 2 files"):
        call_command("import_article", str(broken), str(PAPER), stdout=StringIO(), stderr=err)
    assert err.getvalue() == f"{broken}: could not be imported (RuntimeError: the disk hiccuped)\n"
    assert Article.objects.count() == 1
