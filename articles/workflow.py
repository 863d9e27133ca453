"""The desk's writes: an article's way from draft to readers, a claim's verification and a source's
grading.

Each is one atomic step that checks the user's right to take it, locks the row it changes,
keeps a revision and records who took the step. Nothing else changes an article's status or
publish time, or a claim's status and checker. `user=None` is the operator at the command line.
"""

import datetime

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from reversion.models import Version

from common.tombstones import no_longer_public, tombstones_record

from .models import (
    Article,
    ArticleStep,
    Author,
    Claim,
    ClaimReview,
    Correction,
    Source,
    SourceAssessment,
    Topic,
)
from .rules import may_edit, may_publish, may_submit
from .services import article_render, body_restorable

Status = Article.Status
Action = ArticleStep.Action
RESTORABLE_FIELDS = ["title", "dek", "kind", "body", "summary"]
GRADE_FIELDS = ["reliability", "credibility", "origin", "state_affiliated"]


def user_name(user) -> str:
    return "" if user is None else (user.get_full_name() or user.get_username())


def _require(allowed: bool, doing: str) -> None:
    if not allowed:
        raise PermissionDenied(f"You may not {doing}.")


def _locked(article: Article) -> Article:
    """The article as stored now, locked until the step is taken: two steps at once take turns."""
    return Article.objects.select_for_update().get(pk=article.pk)


def _is_live(article: Article, now: datetime.datetime) -> bool:
    return article.status == Status.PUBLISHED and article.published_at <= now


def _record(article: Article, action: str, user, note: str = "") -> ArticleStep:
    if user is not None:
        reversion.set_user(user)
    label = Action(action).label
    reversion.set_comment(f"{label}: {note}" if note else label)
    reversion.add_to_revision(article)
    return ArticleStep.objects.create(
        article=article, action=action, status=article.status, note=note, user=user, user_name=user_name(user)
    )


def _move(article: Article, status: str, fields: dict, action: str, user, note: str) -> Article:
    for name, value in {"status": status, **fields}.items():
        setattr(article, name, value)
    article.save(update_fields=["status", *fields, "updated_at"])
    _record(article, action, user, note)
    return article


@reversion.create_revision()
def article_submit(*, article: Article, user, note: str = "") -> Article:
    """Hand a draft to the editors for review, with a note for them."""
    article = _locked(article)
    _require(may_submit(user, article), "submit this article")
    if article.status != Status.DRAFT:
        raise ValidationError(
            f"Only a draft can be submitted; this article is {article.get_status_display()}."
        )
    return _move(article, Status.IN_REVIEW, {}, Action.SUBMITTED, user, note.strip())


@reversion.create_revision()
def article_send_back(*, article: Article, user, note: str) -> Article:
    """Return an article in review to its analyst as a draft, saying what to change."""
    article = _locked(article)
    _require(may_publish(user), "send articles back")
    if article.status != Status.IN_REVIEW:
        raise ValidationError("Only an article in review can be sent back.")
    if not note.strip():
        raise ValidationError("Say what should change before it comes back.")
    return _move(article, Status.DRAFT, {}, Action.SENT_BACK, user, note.strip())


@reversion.create_revision()
def article_publish(
    *, article: Article, user, at: datetime.datetime | None = None, note: str = ""
) -> Article:
    """Publish now, or at `at`: a time to come schedules the article, which goes live then with
    nobody acting. An article already live is not published again (mark it updated instead)."""
    article = _locked(article)
    _require(may_publish(user), "publish articles")
    now = timezone.now()
    if _is_live(article, now):
        raise ValidationError("This article is published already.")
    if not article.title.strip() or not article.body.strip():
        raise ValidationError("An article needs a title and a text before it can be published.")
    at = at or now
    first = article.first_published_at
    fields = {
        "published_at": at,
        "first_published_at": at if first is None or first > now else first,
        "withdrawn_at": None,
        "withdrawal_notice": "",
    }
    action = Action.SCHEDULED if at > now else Action.PUBLISHED
    return _move(article, Status.PUBLISHED, fields, action, user, note.strip())


@reversion.create_revision()
def article_unschedule(*, article: Article, user, note: str = "") -> Article:
    """Take a scheduled article off the schedule, back into review."""
    article = _locked(article)
    _require(may_publish(user), "change the schedule")
    if not article.is_scheduled:
        raise ValidationError("This article is not scheduled.")
    first = None if article.first_published_at == article.published_at else article.first_published_at
    return _move(article, Status.IN_REVIEW, {"first_published_at": first}, Action.UNSCHEDULED, user, note)


@reversion.create_revision()
def article_withdraw(*, article: Article, user, note: str = "") -> Article:
    """Take a published or scheduled article off the site, its feeds, the API and search. Its address
    then tells readers it was withdrawn, when, and `note`: why."""
    article = _locked(article)
    _require(may_publish(user), "withdraw articles")
    if article.status != Status.PUBLISHED:
        raise ValidationError("Only a published or scheduled article can be withdrawn.")
    fields = {"withdrawn_at": timezone.now(), "withdrawal_notice": note.strip()}
    was_live = _is_live(article, fields["withdrawn_at"])
    article = _move(article, Status.WITHDRAWN, fields, Action.WITHDRAWN, user, note.strip())
    if was_live:
        _record_withdrawal(article)
    return article


def _record_withdrawal(article: Article) -> None:
    """Tombstones for the article, its claims, and the sources, authors and topics that only it
    made public, so partners copying the site through the API remove them too."""
    tombstones_record(model=Article, rows=[article])
    tombstones_record(model=Claim, rows=article.claims.all())
    linked = [
        (
            Source,
            Source.objects.filter(Q(citations__article=article) | Q(claims__article=article)).distinct(),
        ),
        (Author, Author.objects.filter(bylines__article=article)),
        (Topic, article.topics.all()),
    ]
    for model, rows in linked:
        tombstones_record(model=model, rows=no_longer_public(model, rows))


def _require_live(article: Article, doing: str) -> datetime.datetime:
    now = timezone.now()
    if not _is_live(article, now):
        raise ValidationError(f"Only an article readers can see can be {doing}.")
    return now


@reversion.create_revision()
def article_correct(*, article: Article, user, text: str) -> Correction:
    """Add a dated public correction under a published article."""
    article = _locked(article)
    _require(may_publish(user), "correct articles")
    now = _require_live(article, "corrected")
    if not text.strip():
        raise ValidationError("Write the correction readers will see.")
    correction = Correction.objects.create(article=article, published_at=now, text=text.strip())
    _record(article, Action.CORRECTED, user, text.strip())
    return correction


@reversion.create_revision()
def article_mark_updated(*, article: Article, user, note: str = "") -> Article:
    """Show readers that the published article was updated today: not every save is an update."""
    article = _locked(article)
    _require(may_publish(user), "mark articles as updated")
    now = _require_live(article, "marked as updated")
    article.updated_for_readers_at = now
    article.save(update_fields=["updated_for_readers_at", "updated_at"])
    _record(article, Action.UPDATED, user, note.strip())
    return article


@reversion.create_revision()
def article_restore(*, article: Article, version: Version, user) -> Article:
    """Bring back what an earlier revision said: its title, line, kind, text and summary. The
    article keeps its place on the desk; restoring is itself a new revision."""
    article = _locked(article)
    _require(may_edit(user, article), "edit this article")
    if version.object_id != str(article.pk) or version.content_type.model_class() is not Article:
        raise ValidationError("That revision belongs to another article.")
    saved = version.field_dict
    current_body = article.body
    for name in RESTORABLE_FIELDS:
        setattr(article, name, saved.get(name, getattr(article, name)))
    article.body = body_restorable(article.body, current_body)
    article.save(update_fields=[*RESTORABLE_FIELDS, "updated_at"])
    article_render(article=article)
    when = timezone.localtime(version.revision.date_created)
    _record(article, Action.RESTORED, user, f"the revision of {when:%-d %B %Y, %H:%M}")
    return article


@reversion.create_revision()
def claim_set_status(*, claim: Claim, status: str, user, note: str = "") -> Claim:
    """Set a claim's verification status, recording who checked it, when, and why, in its history.

    Setting the same status again is a review too: the claim was checked again.
    """
    _require(user is None or user.has_perm("articles.change_claim"), "check claims")
    if status not in Claim.Status.values:
        raise ValidationError(f"“{status}” is not a verification status.")
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    review = ClaimReview.objects.create(
        claim=claim,
        from_status=claim.status,
        to_status=status,
        note=note,
        user=user,
        user_name=user_name(user),
    )
    claim.status = status
    claim.checked_by, claim.checked_by_name, claim.checked_at = user, review.user_name, review.at
    claim.save(update_fields=["status", "checked_by", "checked_by_name", "checked_at"])
    if user is not None:
        reversion.set_user(user)
    reversion.set_comment(f"Marked {claim.get_status_display().lower()}.")
    return claim


@transaction.atomic
def source_assess(
    *,
    source: Source,
    reliability: str,
    credibility: int,
    user,
    origin: str = "",
    state_affiliated: bool = False,
    note: str = "",
) -> Source:
    """Grade a source on the Admiralty scales, keeping the grading in its history."""
    _require(user is None or user.has_perm("articles.assess_source"), "grade sources")
    assessment = SourceAssessment(
        source=source,
        reliability=reliability,
        credibility=credibility,
        origin=origin,
        state_affiliated=state_affiliated,
        note=note,
        user=user,
        user_name=user_name(user),
    )
    assessment.full_clean(exclude=["source", "user"])
    source = Source.objects.select_for_update().get(pk=source.pk)
    assessment.source = source
    assessment.save()
    for name in GRADE_FIELDS:
        setattr(source, name, getattr(assessment, name))
    source.assessed_at = assessment.at
    source.save(update_fields=[*GRADE_FIELDS, "assessed_at"])
    return source
