"""The desk's steps: each transition, the ones refused, and who may take them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, ArticleStep, Claim, Correction
from articles.rendering import render_body
from articles.services import NoteChoice, article_set_note_sources
from articles.workflow import (
    article_correct,
    article_mark_updated,
    article_publish,
    article_restore,
    article_send_back,
    article_submit,
    article_unschedule,
    article_withdraw,
    claim_set_status,
    source_assess,
    user_name,
)
from tests.factories import (
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    ClaimFactory,
    SourceFactory,
    StaffFactory,
)
from tests.helpers import future, past

pytestmark = pytest.mark.django_db
Status = Article.Status


def draft(**fields):
    return ArticleFactory(**{"status": Status.DRAFT, "published_at": None, **fields})


def steps(article) -> list[tuple[str, str, str]]:
    return list(
        ArticleStep.objects.filter(article=article)
        .order_by("at", "id")
        .values_list("action", "user_name", "note")
    )


def test_the_whole_way_draft_review_back_review_scheduled_live(analyst_user, editor_user):
    article = draft(created_by=analyst_user)

    article_submit(article=article, user=analyst_user, note="Ready, I think.")
    article_send_back(article=article, user=editor_user, note="Source the trade figure.")
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    article_submit(article=article, user=analyst_user)
    at = future(days=1)
    article = article_publish(article=article, user=editor_user, at=at)

    assert article.status == Status.PUBLISHED and article.is_scheduled
    assert article.published_at == article.first_published_at == at
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert steps(article) == [
        ("submitted", "Ana Lyst", "Ready, I think."),
        ("sent_back", "Ed Itor", "Source the trade figure."),
        ("submitted", "Ana Lyst", ""),
        ("scheduled", "Ed Itor", ""),
    ]


def test_a_scheduled_article_goes_live_at_its_time_with_nobody_acting(editor_user):
    article = article_publish(
        article=draft(), user=editor_user, at=timezone.now() + datetime.timedelta(seconds=1)
    )
    assert not Article.objects.published().filter(pk=article.pk).exists()
    # Time passes: nothing but the clock changes.
    Article.objects.filter(pk=article.pk).update(published_at=past(days=0) - datetime.timedelta(seconds=1))
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_publishing_now_sets_the_publish_time_now_even_when_a_later_one_was_planned(editor_user):
    article = draft(published_at=future(days=3))
    article = article_publish(article=article, user=editor_user)
    assert timezone.now() - article.published_at < datetime.timedelta(minutes=1)
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert steps(article)[-1][0] == "published"


def test_republishing_a_withdrawn_article_keeps_its_first_publication(editor_user):
    article = ArticleFactory(published_at=past(days=10))
    first = article.first_published_at
    article_withdraw(article=article, user=editor_user, note="Legal review.")
    article = article_publish(article=article, user=editor_user)
    assert article.first_published_at == first
    assert article.published_at > first


def test_unscheduling_puts_the_article_back_in_review_and_forgets_its_first_time(editor_user):
    article = article_publish(article=draft(), user=editor_user, at=future(days=2))
    article = article_unschedule(article=article, user=editor_user)
    assert article.status == Status.IN_REVIEW
    assert article.first_published_at is None


@pytest.mark.parametrize(
    ("step", "status", "arguments", "message"),
    [
        (article_submit, Status.IN_REVIEW, {}, "Only a draft can be submitted"),
        (article_send_back, Status.DRAFT, {"note": "x"}, "Only an article in review can be sent back"),
        (article_withdraw, Status.DRAFT, {}, "Only a published or scheduled article can be withdrawn"),
        (article_correct, Status.DRAFT, {"text": "x"}, "Only an article readers can see can be corrected"),
        (article_mark_updated, Status.IN_REVIEW, {}, "can be marked as updated"),
        (article_unschedule, Status.DRAFT, {}, "This article is not scheduled"),
    ],
)
def test_a_step_from_the_wrong_state_is_refused_and_changes_nothing(step, status, arguments, message):
    article = ArticleFactory(status=status, published_at=None)
    with pytest.raises(ValidationError, match=message):
        step(article=article, user=None, **arguments)
    article.refresh_from_db()
    assert article.status == status
    assert not ArticleStep.objects.exists()
    assert not Version.objects.exists()


def test_a_live_article_is_not_published_again(editor_user):
    article = ArticleFactory()
    with pytest.raises(ValidationError, match="published already"):
        article_publish(article=article, user=editor_user)


def test_sending_back_needs_a_comment(editor_user):
    article = ArticleFactory(status=Status.IN_REVIEW)
    with pytest.raises(ValidationError, match="Say what should change"):
        article_send_back(article=article, user=editor_user, note="  ")


def test_an_empty_article_cannot_be_published(editor_user):
    with pytest.raises(ValidationError, match="needs a title and a text"):
        article_publish(article=draft(body=""), user=editor_user)


@pytest.mark.parametrize(
    ("step", "status", "arguments"),
    [
        (article_publish, Status.IN_REVIEW, {}),
        (article_send_back, Status.IN_REVIEW, {"note": "x"}),
        (article_withdraw, Status.PUBLISHED, {}),
        (article_correct, Status.PUBLISHED, {"text": "x"}),
        (article_mark_updated, Status.PUBLISHED, {}),
    ],
)
def test_an_analyst_takes_no_editors_step_even_on_their_own_article(analyst_user, step, status, arguments):
    article = ArticleFactory(status=status, created_by=analyst_user)
    with pytest.raises(PermissionDenied):
        step(article=article, user=analyst_user, **arguments)
    article.refresh_from_db()
    assert article.status == status


def test_an_analyst_submits_their_own_drafts_and_only_those(analyst_user):
    author = AuthorFactory(user=analyst_user)
    on_byline, theirs, others = draft(), draft(created_by=analyst_user), draft()
    ArticleAuthorFactory(article=on_byline, author=author)
    article_submit(article=on_byline, user=analyst_user)
    article_submit(article=theirs, user=analyst_user)
    with pytest.raises(PermissionDenied):
        article_submit(article=others, user=analyst_user)
    assert others.status == Status.DRAFT


def test_a_correction_is_dated_now_and_recorded(editor_user):
    article = ArticleFactory()
    correction = article_correct(article=article, user=editor_user, text="The treaty was signed in May.")
    assert timezone.now() - correction.published_at < datetime.timedelta(minutes=1)
    assert list(Correction.objects.values_list("text", flat=True)) == ["The treaty was signed in May."]
    assert steps(article) == [("corrected", "Ed Itor", "The treaty was signed in May.")]


def test_marking_as_updated_sets_the_readers_date_and_nothing_else(editor_user):
    article = ArticleFactory(published_at=past(days=3))
    published_at = article.published_at
    article = article_mark_updated(article=article, user=editor_user, note="2023 figures")
    assert timezone.now() - article.updated_for_readers_at < datetime.timedelta(minutes=1)
    assert article.published_at == published_at


def test_each_step_keeps_a_revision_with_who_and_what(editor_user):
    article = ArticleFactory(status=Status.IN_REVIEW)
    article_send_back(article=article, user=editor_user, note="Shorter, please.")
    [version] = Version.objects.get_for_object(article)
    assert version.revision.user == editor_user
    assert version.revision.comment == "Sent back: Shorter, please."
    assert version.field_dict["status"] == Status.DRAFT


def test_restoring_brings_back_the_text_and_is_itself_a_revision(editor_user):
    article = ArticleFactory(title="First title", body="First [words](https://example.org/a).")
    article_mark_updated(article=article, user=editor_user)  # a first revision
    first = Version.objects.get_for_object(article).get()
    article.title, article.body = "Second title", "Second text."
    article.save()
    article_mark_updated(article=article, user=editor_user)

    article = article_restore(article=article, version=first, user=editor_user)

    assert (article.title, article.body) == ("First title", "First [words](https://example.org/a).")
    assert article.citations.get().anchor_text == "words"  # rendered again
    assert article.status == Status.PUBLISHED  # restoring never moves it on the desk
    newest = Version.objects.get_for_object(article).first()
    assert newest.field_dict["title"] == "First title"
    assert newest.revision.comment.startswith("Revision restored: the revision of")


def test_a_revision_of_another_article_is_not_restored(editor_user):
    one, other = ArticleFactory(), ArticleFactory(title="Other")
    article_mark_updated(article=other, user=editor_user)
    with pytest.raises(ValidationError, match="another article"):
        article_restore(article=one, version=Version.objects.get_for_object(other).get(), user=editor_user)


def test_setting_a_claims_status_records_the_checker_by_name_too(analyst_user):
    claim = claim_set_status(claim=ClaimFactory(), status=Claim.Status.VERIFIED, user=analyst_user)
    assert (claim.status, claim.checked_by, claim.checked_by_name) == ("verified", analyst_user, "Ana Lyst")
    assert Version.objects.get_for_object(claim).get().revision.comment == "Marked verified."


def test_who_checked_a_claim_outlives_their_account(analyst_user, admin_client):
    claim = claim_set_status(claim=ClaimFactory(), status=Claim.Status.VERIFIED, user=analyst_user)
    analyst_user.delete()
    claim.refresh_from_db()
    assert claim.checked_by is None
    assert claim.checked_by_name == "Ana Lyst"
    assert claim.checked_at is not None
    page = admin_client.get(reverse("admin:articles_claim_change", args=[claim.pk])).content.decode()
    assert "Ana Lyst" in page


def test_every_status_change_is_a_review_in_the_claims_history(analyst_user, editor_user):
    claim = ClaimFactory(status=Claim.Status.UNVERIFIED)
    claim_set_status(claim=claim, status=Claim.Status.VERIFIED, user=analyst_user, note="Customs tables.")
    claim_set_status(claim=claim, status=Claim.Status.DISPUTED, user=editor_user, note="Ministry disagrees.")
    claim = claim_set_status(claim=claim, status=Claim.Status.DISPUTED, user=None)

    history = [
        (review.from_status, review.to_status, review.user, review.user_name, review.note)
        for review in claim.reviews.order_by("at", "id")
    ]
    assert history == [
        ("unverified", "verified", analyst_user, "Ana Lyst", "Customs tables."),
        (
            "verified",
            "disputed",
            editor_user,
            user_name(editor_user),
            "Ministry disagrees.",
        ),
        ("disputed", "disputed", None, "", ""),
    ]
    latest = claim.reviews.first()
    assert (claim.checked_at, claim.checked_by_name) == (latest.at, latest.user_name)


def test_a_refused_status_change_leaves_no_review(analyst_user):
    claim = ClaimFactory()
    with pytest.raises(ValidationError):
        claim_set_status(claim=claim, status="probably", user=analyst_user)
    with pytest.raises(PermissionDenied):
        claim_set_status(claim=claim, status="verified", user=StaffFactory())
    assert not claim.reviews.exists()


def test_grading_a_source_keeps_every_grade_in_its_history(analyst_user):
    source = SourceFactory()
    source_assess(source=source, reliability="C", credibility=3, user=analyst_user, note="One report.")
    source = source_assess(
        source=source,
        reliability="B",
        credibility=2,
        origin="primary",
        state_affiliated=True,
        user=analyst_user,
        note="Confirmed by customs.",
    )
    source.refresh_from_db()
    assert (source.grade, source.origin, source.state_affiliated) == ("B2", "primary", True)
    assert [(a.grade, a.note, a.user_name) for a in source.assessments.all()] == [
        ("B2", "Confirmed by customs.", "Ana Lyst"),
        ("C3", "One report.", "Ana Lyst"),
    ]
    assert source.assessed_at == source.assessments.first().at


@pytest.mark.parametrize(
    "grades", [{"reliability": "G", "credibility": 2}, {"reliability": "A", "credibility": 7}]
)
def test_a_grade_off_the_scales_is_refused_and_nothing_is_kept(analyst_user, grades):
    source = SourceFactory()
    with pytest.raises(ValidationError):
        source_assess(source=source, user=analyst_user, **grades)
    source.refresh_from_db()
    assert (source.grade, source.assessments.count()) == ("", 0)


def test_grading_needs_the_right_to_grade():
    with pytest.raises(PermissionDenied):
        source_assess(source=SourceFactory(), reliability="A", credibility=1, user=StaffFactory())


def test_an_unknown_status_is_refused(analyst_user):
    with pytest.raises(ValidationError, match="not a verification status"):
        claim_set_status(claim=ClaimFactory(), status="probably", user=analyst_user)


def test_restoring_a_text_whose_placeholder_was_replaced_cites_what_the_same_words_cite_now(editor_user):
    article = ArticleFactory(title="First", body="Migrants [came](#) in 2022.")
    article_mark_updated(article=article, user=editor_user)
    first = Version.objects.get_for_object(article).get()
    placeholder = article.citations.get().source
    ministry = SourceFactory(key="interior-ministry")
    article_set_note_sources(
        article=article, choices=[NoteChoice(number=1, target=f"source:{placeholder.key}", source=ministry)]
    )
    article.title = "Second"
    article.save()

    article = article_restore(article=article, version=first, user=editor_user)

    assert article.title == "First"
    assert [link.target for link in render_body(article.body).links] == ["source:interior-ministry"]
    assert article.citations.get().source == ministry
