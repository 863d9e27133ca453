"""Importing a paper as an article: one service for the command line and the admin page.

`article_import` saves what `ingest.read_file` read from a paper: the article (matched by slug, so
importing the same paper again updates it), its byline and the authors' biographies, its notes and
sources, suggested claims and the actors it mentions. `article_import_preview` does the same and
rolls everything back, so the preview shows exactly what confirming will do.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator, slugify

from relations.models import Actor
from relations.selectors import actor_finder

from .anchoring import find_quote
from .ingest import Document, Repair
from .models import Article, ArticleAuthor, Author, Citation, ClaimSuggestion
from .rendering import RenderedBody, render_body
from .rules import may_edit, may_publish
from .services import RenderReport, article_render, body_with_earlier_sources
from .suggestions import SentenceDraft, suggest_sentences
from .workflow import article_publish

DEFAULT_UNIT = "count"  # a figure with no noun after it ("close to half a million."): to edit


@dataclass(frozen=True)
class NoteLine:
    number: int
    words: str
    source_key: str
    source_title: str
    address: str
    state: str  # "new", "existing" or "placeholder"


@dataclass(frozen=True)
class AuthorLine:
    name: str
    new: bool
    bio: str
    bio_changed: bool


@dataclass(frozen=True)
class SuggestionLine:
    position: int
    quote: str
    quantity: str
    notes: tuple[int, ...]
    actors: tuple[str, ...]
    state: str  # "new", "kept" or the decision that keeps it out ("rejected", "accepted")


@dataclass
class ImportReport:
    """What importing one paper created, re-used, repaired and suggested."""

    name: str
    slug: str
    title: str
    kind: str
    status: str
    published_at: datetime.datetime | None
    created: bool
    article_id: int | None = None
    changed: list[str] = field(default_factory=list)
    authors: list[AuthorLine] = field(default_factory=list)
    notes: list[NoteLine] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    suggestions: list[SuggestionLine] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    orphaned_claims: list[str] = field(default_factory=list)
    body_html: str = ""
    state_before: str = "new"
    title_before: str = ""

    def count(self, items: str, state: str) -> int:
        return sum(1 for item in getattr(self, items) if item.state == state)

    def sources(self, state: str) -> int:
        """How many sources the notes cite that are new, existing or placeholders."""
        return len({note.source_key for note in self.notes if note.state == state})

    @property
    def summary(self) -> str:
        """One line: the slug and what was created, re-used and repaired."""
        notes = (
            f"{len(self.notes)} notes ({self.sources('new')} new sources, "
            f"{self.sources('existing')} existing, {self.sources('placeholder')} link missing)"
        )
        suggested = f"{self.count('suggestions', 'new') + self.count('suggestions', 'kept')} suggested claims"
        parts = [
            "created" if self.created else "updated",
            notes,
            f"{sum(repair.made for repair in self.repairs)} repairs",
            suggested,
            f"{len(self.actors)} actors",
        ]
        if self.warnings:
            parts.append(f"{len(self.warnings)} warnings")
        return f"{self.slug}: {', '.join(parts)}"


def article_import_preview(*, document: Document, publish: bool = False, user=None) -> ImportReport:
    """What importing `document` would do, with nothing saved."""
    with transaction.atomic():
        report = article_import(document=document, publish=publish, user=user)
        transaction.set_rollback(True)
    report.article_id = None if report.created else report.article_id
    return report


def article_slug(document: Document) -> str:
    """The slug the paper's article has: importing the same paper again finds the same article.
    A title with no letters a slug can hold gets one from its date and a digest of its words."""
    slug = slugify(document.title)[: Article._meta.get_field("slug").max_length].strip("-")
    digest = hashlib.sha256(document.title.encode()).hexdigest()[:8]
    return slug or f"article-{document.published_on:%Y-%m-%d}-{digest}"


def article_state(*, slug: str) -> str:
    """What the article with `slug` is now ("new" if there is none), to tell whether it changed
    between a preview and the import that confirms it."""
    updated = Article.objects.filter(slug=slug).values_list("pk", "updated_at").first()
    return f"{updated[0]}:{updated[1].isoformat()}" if updated else "new"


@reversion.create_revision()
def article_import(*, document: Document, publish: bool = False, user=None) -> ImportReport:
    """Save `document` as an article, or update the article with its slug.

    An article readers can see is only replaced when `publish` says so. A `user` (the admin's
    door) may replace only an article they may edit, publish only if an editor, and needs the
    right to add authors for a new byline name and to change authors for a new biography; the
    command line has every right.
    """
    slug = article_slug(document)
    article = Article.objects.select_for_update().filter(slug=slug).first()
    if publish and not may_publish(user):
        raise PermissionDenied("Only editors may publish: import it as a draft and submit it for review.")
    if article is not None and not may_edit(user, article):
        raise PermissionDenied(
            f"“{article}” is not yours to replace while it is {article.get_status_display().lower()}."
        )
    if article is not None and not publish and Article.objects.published().filter(pk=article.pk).exists():
        raise ValidationError(
            f"“{article}” is published: importing this paper would change what readers see. Import it "
            "with “publish” to replace it."
        )
    if user is not None:
        reversion.set_user(user)
    reversion.set_comment(f"Imported from {document.name}.")
    report = ImportReport(
        name=document.name,
        slug=slug,
        title="",
        kind="",
        status="",
        published_at=None,
        created=article is None,
        repairs=list(document.repairs),
        warnings=list(document.warnings),
    )
    report.state_before = article_state(slug=slug)
    report.title_before = article.title if article else ""
    article = _save_article(article or Article(slug=slug, created_by=user), document, report)
    report.authors = _save_byline(article, document, user, report)
    rendered_report = article_render(article=article)
    if publish and article.status != Article.Status.PUBLISHED:
        article = article_publish(article=article, user=user, at=article.published_at)
    report.status, report.published_at = article.get_status_display(), article.published_at
    rendered = rendered_report.rendered
    report.notes = _note_lines(article, rendered_report)
    report.orphaned_claims = [str(claim) for claim in rendered_report.orphaned_claims]
    report.suggestions, report.actors = _suggest(article, rendered)
    report.body_html = article.body_html
    return report


@transaction.atomic
def article_suggest_claims(*, article: Article) -> tuple[list[SuggestionLine], list[str]]:
    """Suggest claims from the article's sentences and link it to the actors its text mentions;
    the suggestions and the names of the actors found."""
    return _suggest(article, render_body(article.body))


def _suggest(article: Article, rendered: RenderedBody) -> tuple[list[SuggestionLine], list[str]]:
    mentions = _mentions(article, rendered)
    return _save_suggestions(article, rendered, mentions), sorted(mentions.names.values())


def _save_article(article: Article, document: Document, report: ImportReport) -> Article:
    before = {name: getattr(article, name) for name in ("title", "kind", "published_at", "status", "body")}
    midnight = datetime.datetime.combine(document.published_on, datetime.time())
    article.title = Truncator(document.title).chars(Article._meta.get_field("title").max_length)
    article.kind = document.kind
    if article.status != Article.Status.PUBLISHED:  # the paper's date, until the desk publishes it
        article.published_at = timezone.make_aware(midnight)
    article.body = body_with_earlier_sources(before["body"], document.body) if article.pk else document.body
    article.clean_fields(exclude=["body"])  # the body is checked as it is rendered
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        raise ValidationError(
            "The same paper was imported at the same moment by someone else: import it again to update it."
        ) from None
    if not report.created and before["body"] != article.body:
        report.warnings.append(
            "The article's text is replaced with this paper's: changes made to it since it was imported "
            "are lost. Sources picked for its notes, its claims and decisions on suggestions are kept."
        )
    if article.pk and not report.created:
        report.changed = [
            Article._meta.get_field(name).verbose_name
            for name, value in before.items()
            if getattr(article, name) != value
        ]
    report.article_id, report.title, report.kind = article.pk, article.title, article.get_kind_display()
    return article


def _save_byline(article: Article, document: Document, user, report: ImportReport) -> list[AuthorLine]:
    lines, authors = [], []
    for name in document.authors:
        author = Author.objects.filter(Q(slug=slugify(name)) | Q(name__iexact=name)).first()
        new = author is None
        if new and user is not None and not user.has_perm("articles.add_author"):
            raise ValidationError(f"“{name}” is not an author yet, and you may not add authors.")
        author = author or Author(name=name, slug=_free_author_slug(name))
        bio = document.bios.get(name, "")
        bio_changed = bool(bio) and bio != author.bio
        if bio_changed and not new and user is not None and not user.has_perm("articles.change_author"):
            report.warnings.append(
                f"The biography of {author.name} was left as it is: you may not change authors."
            )
            bio_changed = False
        if new or bio_changed:
            author.bio = bio if bio_changed else author.bio
            author.save()
        authors.append(author)
        lines.append(AuthorLine(name=author.name, new=new, bio=author.bio, bio_changed=bio_changed))
    article.bylines.all().delete()
    ArticleAuthor.objects.bulk_create(
        ArticleAuthor(article=article, author=author, position=position)
        for position, author in enumerate(authors)
    )
    return lines


def _free_author_slug(name: str) -> str:
    base = slugify(name)[:190] or "author"
    taken = set(Author.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    return next(
        slug for n in range(1, len(taken) + 2) if (slug := base if n == 1 else f"{base}-{n}") not in taken
    )


def _note_lines(article: Article, rendered: RenderReport) -> list[NoteLine]:
    new = {source.pk for source in rendered.sources_created}
    lines = []
    for citation in Citation.objects.filter(article=article).select_related("source").order_by("number"):
        source = citation.source
        state = "placeholder" if source.placeholder else "new" if source.pk in new else "existing"
        lines.append(
            NoteLine(
                number=citation.number,
                words=citation.anchor_text,
                source_key=source.key,
                source_title=source.title,
                address=source.url,
                state=state,
            )
        )
    return lines


@dataclass
class _Mentions:
    by_position: list[tuple[int, int]]  # (start in the text, actor id)
    names: dict[int, str]


def _mentions(article: Article, rendered: RenderedBody) -> _Mentions:
    """Link the article to the actors its text mentions (adding, never removing)."""
    found = actor_finder().find(rendered.text)
    names = dict(
        Actor.objects.filter(pk__in={mention.actor_id for mention in found}).values_list("pk", "name")
    )
    article.actors.add(*names)
    return _Mentions(by_position=[(mention.start, mention.actor_id) for mention in found], names=names)


def _claimed_spans(article: Article, text: str) -> list[tuple[int, int]]:
    """Where the article's existing claims sit in the text: their sentences need no suggestion."""
    spans = []
    for claim in article.claims.exclude(quote=""):
        anchor = find_quote(text, claim.quote, prefix=claim.quote_prefix, suffix=claim.quote_suffix)
        if anchor:
            spans.append((anchor.start, anchor.end))
    return spans


def _save_suggestions(article: Article, rendered: RenderedBody, mentions: _Mentions) -> list[SuggestionLine]:
    """Suggest each sentence with a note or a figure, keeping earlier decisions: a rejected sentence
    stays rejected, an edited suggestion keeps its edits; suggestions whose sentence is gone go."""
    earlier = {suggestion.fingerprint: suggestion for suggestion in article.claim_suggestions.all()}
    claimed = _claimed_spans(article, rendered.text)
    citations = dict(Citation.objects.filter(article=article).values_list("number", "source_id"))
    lines, saved, seen = [], [], set()
    for draft in suggest_sentences(rendered):
        if draft.fingerprint in seen or any(
            start < draft.end and draft.start < end for start, end in claimed
        ):
            continue  # a sentence said twice is suggested once
        seen.add(draft.fingerprint)
        suggestion = earlier.pop(draft.fingerprint, None)
        if suggestion is not None and suggestion.state != ClaimSuggestion.State.PENDING:
            lines.append(_suggestion_line(draft, suggestion.state, ()))
            continue
        state = "new" if suggestion is None else "kept"
        suggestion = _fill_suggestion(
            suggestion or ClaimSuggestion(article=article, statement=draft.quote), draft
        )
        saved.append((suggestion, draft, state))
    gone = [s.pk for s in earlier.values() if s.state == ClaimSuggestion.State.PENDING]
    ClaimSuggestion.objects.filter(pk__in=gone).delete()
    ClaimSuggestion.objects.bulk_create([suggestion for suggestion, _, state in saved if state == "new"])
    ClaimSuggestion.objects.bulk_update(
        [suggestion for suggestion, _, state in saved if state == "kept"],
        [*_SUGGESTION_FIELDS, "position", "fingerprint"],
        batch_size=500,
    )
    actors = _set_suggestion_links(saved, citations, mentions)
    lines += [_suggestion_line(draft, state, actors[suggestion.pk]) for suggestion, draft, state in saved]
    return sorted(lines, key=lambda line: line.position)


_SUGGESTION_FIELDS = [
    "quote",
    "quote_prefix",
    "quote_suffix",
    "quantity_value",
    "quantity_unit",
    "quantity_approximation",
    "quantity_period",
]


def _fill_suggestion(suggestion: ClaimSuggestion, draft: SentenceDraft) -> ClaimSuggestion:
    suggestion.position, suggestion.fingerprint = draft.position, draft.fingerprint
    suggestion.quote, suggestion.quote_prefix, suggestion.quote_suffix = (
        draft.quote,
        draft.prefix,
        draft.suffix,
    )
    figure = draft.quantity
    suggestion.quantity_value = figure.value if figure else None
    suggestion.quantity_unit = Truncator((figure.unit or DEFAULT_UNIT) if figure else "").chars(50)
    suggestion.quantity_approximation = (
        figure.approximation if figure else ClaimSuggestion._meta.get_field("quantity_approximation").default
    )
    suggestion.quantity_period = Truncator(figure.period if figure else "").chars(100)
    return suggestion


def _set_suggestion_links(
    pairs, citations: dict[int, int], mentions: _Mentions
) -> dict[int, tuple[str, ...]]:
    """Each suggestion's sources (those of its notes) and actors (those its sentence mentions)."""
    sources_through = ClaimSuggestion.sources.through
    actors_through = ClaimSuggestion.actors.through
    ids = [suggestion.pk for suggestion, _, _ in pairs]
    sources_through.objects.filter(claimsuggestion_id__in=ids).delete()
    actors_through.objects.filter(claimsuggestion_id__in=ids).delete()
    source_rows, actor_rows, names = [], [], {}
    for suggestion, draft, _ in pairs:
        for source_id in {citations[number] for number in draft.note_numbers if number in citations}:
            source_rows.append(sources_through(claimsuggestion_id=suggestion.pk, source_id=source_id))
        actor_ids = {actor for start, actor in mentions.by_position if draft.start <= start < draft.end}
        actor_rows += [
            actors_through(claimsuggestion_id=suggestion.pk, actor_id=actor) for actor in actor_ids
        ]
        names[suggestion.pk] = tuple(sorted(mentions.names[actor] for actor in actor_ids))
    sources_through.objects.bulk_create(source_rows)
    actors_through.objects.bulk_create(actor_rows)
    return names


def _suggestion_line(draft: SentenceDraft, state: str, actors: tuple[str, ...]) -> SuggestionLine:
    figure = draft.quantity
    return SuggestionLine(
        position=draft.position,
        quote=draft.quote,
        quantity=figure.text if figure else "",
        notes=draft.note_numbers,
        actors=actors,
        state=state,
    )
