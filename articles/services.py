"""Writes that keep an article, its notes, its sources and its claims consistent.

The body is the truth about which source each note cites: every write here that changes a note's
source does so by rewriting the note's link in the body, then renders the body again.
"""

from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Model, OuterRef
from django.utils import timezone
from django.utils.text import Truncator, slugify

from .anchoring import find_quote
from .links import normalise_url, without_tracking
from .models import Article, Citation, Claim, ClaimEvidence, ClaimSuggestion, Source, body_problems
from .rendering import (
    Link,
    LinkRewriteError,
    RenderedBody,
    TargetKind,
    key_target,
    render_body,
    rewrite_link_targets,
)
from .rules import may_edit

KEY_BASE_LENGTH = 60
KEY_QUERY_CHUNK = 500
ANCHOR_FIELDS = ["orphaned", "quote_prefix", "quote_suffix"]
SOURCE_RACE_ATTEMPTS = 3


@dataclass
class RenderReport:
    """What saving an article's body did to its notes, sources and claims."""

    sources_created: list[Source] = field(default_factory=list)
    sources_reused: list[Source] = field(default_factory=list)
    placeholders_created: list[Source] = field(default_factory=list)
    placeholders_removed: list[str] = field(default_factory=list)
    orphaned_claims: list[Claim] = field(default_factory=list)
    rendered: RenderedBody | None = None


@dataclass(frozen=True)
class NoteChoice:
    """An analyst's pick of a source for note `number`, whose link named `target` when they saw it."""

    number: int
    target: str
    source: Source


def _fit(model: type[Model], name: str, text: str) -> str:
    """`text` cut to what the field holds, so long linked words never fail a save."""
    return Truncator(text).chars(model._meta.get_field(name).max_length)


def source_keys_new(*, titles: Sequence[str]) -> list[str]:
    """A free citation key for each title, built from its words: `here`, `here-2`, `here-3`, …

    Candidates are checked in batches against the keys in use, never one query per candidate: each
    round asks for every base still short of free keys at once, and a base whose keys are taken
    gets twice as many candidates next round, so even a base used a thousand times takes a few
    rounds, not a thousand queries.
    """
    bases = [_key_base(title) for title in titles]
    needed = Counter(bases)
    free: dict[str, deque[str]] = {base: deque() for base in needed}
    tried: Counter[str] = Counter()

    def refill(short: Counter[str]) -> None:
        candidates = {
            base: [
                _numbered(base, n)
                for n in range(tried[base] + 1, tried[base] + max(2 * count, tried[base]) + 1)
            ]
            for base, count in short.items()
        }
        taken = _keys_in_use([key for keys in candidates.values() for key in keys])
        for base, keys in candidates.items():
            tried[base] += len(keys)
            free[base].extend(key for key in keys if key not in taken)

    while short := Counter(
        {base: count - len(free[base]) for base, count in needed.items() if len(free[base]) < count}
    ):
        refill(short)
    keys, allocated = [], set()
    for base in bases:
        while not free[base] or free[base][0] in allocated:  # another title's base may have taken it
            if free[base]:
                free[base].popleft()
            else:
                refill(Counter({base: 1}))
        keys.append(free[base].popleft())
        allocated.add(keys[-1])
    return keys


def _key_base(title: str) -> str:
    """The title's words as a slug, cut at a word's end: `…-qosh-tepa`, never `…-qosh-tepa-202`."""
    slug = slugify(title)
    if len(slug) > KEY_BASE_LENGTH:
        cut = slug[: KEY_BASE_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut[:KEY_BASE_LENGTH]
    return slug.strip("-") or "source"


def _numbered(base: str, n: int) -> str:
    return base if n == 1 else f"{base}-{n}"


def _keys_in_use(keys: list[str]) -> set[str]:
    taken = set()
    for start in range(0, len(keys), KEY_QUERY_CHUNK):
        chunk = keys[start : start + KEY_QUERY_CHUNK]
        taken.update(Source.objects.filter(key__in=chunk).values_list("key", flat=True))
    return taken


def _sources_for_addresses(wanted: dict[str, tuple[str, str]], report: RenderReport) -> dict[str, Source]:
    """The source at each normalised address, creating those no source has yet."""
    found = {source.normalised_url: source for source in Source.objects.filter(normalised_url__in=wanted)}
    report.sources_reused += found.values()
    new = [address for address in wanted if address not in found]
    titles = [_fit(Source, "title", wanted[address][1]) for address in new]
    created = Source.objects.bulk_create(
        Source(key=key, url=without_tracking(wanted[address][0]), normalised_url=address, title=title)
        for address, title, key in zip(new, titles, source_keys_new(titles=titles), strict=True)
    )
    report.sources_created += created
    return found | {source.normalised_url: source for source in created}


def _placeholders_for(links: list[Link], report: RenderReport) -> dict[int, Source]:
    """A new placeholder source for each link whose address was lost, titled from the link."""
    titles = [
        _fit(Source, "title", link.title or link.anchor_text or f"Note {link.number}") for link in links
    ]
    created = Source.objects.bulk_create(
        Source(key=key, title=title, placeholder=True, link_status=Source.LinkStatus.MISSING)
        for title, key in zip(titles, source_keys_new(titles=titles), strict=True)
    )
    report.placeholders_created += created
    return {link.number: source for link, source in zip(links, created, strict=True)}


def _sources_for_links(links: list[Link], report: RenderReport) -> dict[int, Source]:
    """The source every note cites, by note number, creating sources for new addresses and lost ones."""
    addresses = {}
    for link in links:
        if link.kind is TargetKind.ADDRESS:
            addresses.setdefault(
                normalise_url(link.url), (link.url, link.title or link.anchor_text or link.url)
            )
    by_address = _sources_for_addresses(addresses, report) if addresses else {}
    by_key = Source.objects.in_bulk({link.key for link in links if link.key}, field_name="key")
    sources = {}
    for link in links:
        if link.kind is TargetKind.ADDRESS:
            sources[link.number] = by_address[normalise_url(link.url)]
        elif link.kind is TargetKind.KEY:
            sources[link.number] = by_key[link.key]
    lost = [link for link in links if link.kind is TargetKind.LOST]
    return sources | (_placeholders_for(lost, report) if lost else {})


def _sources_racing_safely(rendered: RenderedBody) -> tuple[RenderReport, dict[int, Source]]:
    """The sources of the body's links. Another save may create the same address or key at the
    same moment; the loser of that race looks again rather than fail."""
    for attempt in range(1, SOURCE_RACE_ATTEMPTS + 1):
        report = RenderReport(rendered=rendered)
        try:
            with transaction.atomic():
                return report, _sources_for_links(rendered.links, report)
        except IntegrityError:
            if attempt == SOURCE_RACE_ATTEMPTS:
                raise


def _sync_citations(article: Article, links: list[Link], sources: dict[int, Source]) -> None:
    existing = {citation.number: citation for citation in article.citations.all()}
    changed, new = [], []
    for link in links:
        source, words = sources[link.number], _fit(Citation, "anchor_text", link.anchor_text)
        citation = existing.get(link.number)
        if citation is None:
            new.append(Citation(article=article, number=link.number, source=source, anchor_text=words))
        elif (citation.source_id, citation.anchor_text) != (source.pk, words):
            citation.source, citation.anchor_text = source, words
            changed.append(citation)
    article.citations.filter(number__gt=len(links)).delete()
    Citation.objects.bulk_update(changed, ["source", "anchor_text"], batch_size=500)
    Citation.objects.bulk_create(new, batch_size=500)


def _remove_unused_placeholders(candidates: Iterable[int], report: RenderReport) -> None:
    unused = Source.objects.filter(pk__in=list(candidates), placeholder=True).exclude(
        Exists(Citation.objects.filter(source=OuterRef("pk")))
        | Exists(ClaimEvidence.objects.filter(source=OuterRef("pk")))
    )
    report.placeholders_removed += unused.values_list("key", flat=True)
    unused.delete()


def _reanchor(claim: Claim, text: str) -> bool:
    """Find the claim's quote in `text` again, keeping fresh context; whether anything changed."""
    before = (claim.orphaned, claim.quote_prefix, claim.quote_suffix)
    anchor = find_quote(text, claim.quote, prefix=claim.quote_prefix, suffix=claim.quote_suffix)
    claim.orphaned = bool(claim.quote) and anchor is None
    if anchor is not None:
        claim.quote_prefix = _fit(Claim, "quote_prefix", anchor.prefix)
        claim.quote_suffix = _fit(Claim, "quote_suffix", anchor.suffix)
    return (claim.orphaned, claim.quote_prefix, claim.quote_suffix) != before


def _anchor_claims(article: Article, text: str, report: RenderReport) -> None:
    """Find each claim's quote again; a claim whose words are gone is flagged, never moved or deleted."""
    claims = list(article.claims.all())
    changed = [claim for claim in claims if _reanchor(claim, text)]
    report.orphaned_claims += [claim for claim in claims if claim.orphaned]
    Claim.objects.bulk_update(changed, ANCHOR_FIELDS, batch_size=500)


@transaction.atomic
def article_render(*, article: Article) -> RenderReport:
    """Render the body to sanitised HTML, make the numbered notes match its links and re-anchor claims.

    A link with an address cites the source at that address (created if new); `source:KEY` cites
    that source; a link whose address was lost gets a new placeholder source, whose key is written
    into the link, so no later edit can move the note to another source. Placeholders nothing cites
    any more are removed.
    """
    rendered = render_body(article.body)
    if problems := body_problems(article.body, rendered.links, article_id=article.pk):
        raise ValidationError({"body": problems})
    previous = set(article.citations.values_list("source_id", flat=True))
    report, sources = _sources_racing_safely(rendered)
    pinned = {source.pk for source in report.placeholders_created}
    if pinned:
        article.body = _rewritten(
            article.body,
            {number: key_target(source.key) for number, source in sources.items() if source.pk in pinned},
        )
    article.body_html, article.body_text = rendered.html, rendered.text
    article.save(update_fields=["body", "body_html", "body_text"])
    _sync_citations(article, rendered.links, sources)
    _remove_unused_placeholders(previous - {source.pk for source in sources.values()}, report)
    _anchor_claims(article, rendered.text, report)
    return report


def _resolve_choice(links: list[Link], choice: NoteChoice) -> Link:
    """The link an analyst's choice was made for: its note number, if that note still names what the
    analyst saw; otherwise the one link that names it. Never a guess."""
    by_number = links[choice.number - 1] if 0 < choice.number <= len(links) else None
    if by_number is not None and by_number.target == choice.target:
        return by_number
    naming = [link for link in links if link.target == choice.target]
    if len(naming) != 1:
        raise ValidationError(
            f"Note {choice.number} changed while its source was being picked; nothing was changed. "
            "Pick its source again."
        )
    return naming[0]


@reversion.create_revision()
def article_set_note_sources(*, article: Article, choices: Sequence[NoteChoice], user=None) -> RenderReport:
    """Cite each chosen source from its note, by writing the source's key into the note's link.

    A placeholder replaced this way stood in for the chosen source: claims' evidence and suggested
    claims that named the placeholder name the chosen source instead, and the placeholder goes.
    Who may not edit the article may still pick the source of a note whose address was lost.
    """
    links = render_body(article.body).links
    resolved = [_resolve_choice(links, choice) for choice in choices]
    if not may_edit(user, article) and not placeholders_only(resolved):
        raise PermissionDenied(
            f"You may not change the notes of “{article}”, only pick sources for lost links."
        )
    if user is not None:
        reversion.set_user(user)
    reversion.set_comment(
        "Picked the sources of notes " + ", ".join(str(link.number) for link in resolved) + "."
    )
    targets, replaced = {}, {}
    for choice, link in zip(choices, resolved, strict=True):
        if choice.source.placeholder and link.key != choice.source.key:
            raise ValidationError(
                f"“{choice.source.key}” stands in for another note's lost address: pick a real source."
            )
        targets[link.number] = key_target(choice.source.key)
        replaced[link.key] = choice.source
    article.body = _rewritten(article.body, targets)
    for placeholder in Source.objects.filter(key__in=[key for key in replaced if key], placeholder=True):
        _take_over_placeholder(placeholder, replaced[placeholder.key])
    return article_render(article=article)


def placeholders_only(links: Sequence[Link]) -> bool:
    """Whether every one of `links` cites a placeholder for a lost address."""
    keys = {link.key for link in links}
    return None not in keys and Source.objects.filter(key__in=keys, placeholder=True).count() == len(keys)


def _take_over_placeholder(placeholder: Source, source: Source) -> None:
    if placeholder.pk == source.pk:
        return
    for evidence in ClaimEvidence.objects.filter(source=placeholder):
        duplicate = ClaimEvidence.objects.filter(
            claim=evidence.claim_id, source=source, locator=evidence.locator
        )
        if duplicate.exists():
            evidence.delete()
        else:
            evidence.source = source
            evidence.save(update_fields=["source"])
    suggestions = ClaimSuggestion.sources.through.objects
    rows = suggestions.filter(source=placeholder)
    suggestions.bulk_create(
        [suggestions.model(claimsuggestion_id=row.claimsuggestion_id, source=source) for row in rows],
        ignore_conflicts=True,
    )
    rows.delete()


@transaction.atomic
def claim_anchor(*, claim: Claim) -> Claim:
    """Find the claim's quote in its article's text again, after the quote was edited."""
    if _reanchor(claim, render_body(claim.article.body).text):
        claim.save(update_fields=ANCHOR_FIELDS)
    return claim


@transaction.atomic
def claim_suggestion_accept(*, suggestion: ClaimSuggestion, user) -> Claim:
    """Make a suggested claim a claim: unverified, with the sources of its notes as evidence."""
    if suggestion.state != ClaimSuggestion.State.PENDING:
        raise ValidationError(f"This suggestion was {suggestion.get_state_display().lower()} already.")
    last = suggestion.article.claims.order_by("-position").values_list("position", flat=True).first() or 0
    claim = Claim.objects.create(
        article=suggestion.article,
        position=last + 1,
        statement=suggestion.statement,
        quote=suggestion.quote,
        quote_prefix=suggestion.quote_prefix,
        quote_suffix=suggestion.quote_suffix,
        quantity_value=suggestion.quantity_value,
        quantity_unit=suggestion.quantity_unit,
        quantity_approximation=suggestion.quantity_approximation,
        quantity_period=suggestion.quantity_period,
    )
    ClaimEvidence.objects.bulk_create(
        ClaimEvidence(claim=claim, source=source) for source in suggestion.sources.all()
    )
    claim.actors.set(suggestion.actors.all())
    _decide(suggestion, ClaimSuggestion.State.ACCEPTED, user, claim=claim)
    return claim


@transaction.atomic
def claim_suggestion_reject(*, suggestion: ClaimSuggestion, user) -> ClaimSuggestion:
    """Set a suggestion aside for good: importing the article again does not bring it back."""
    if suggestion.state != ClaimSuggestion.State.PENDING:
        raise ValidationError(f"This suggestion was {suggestion.get_state_display().lower()} already.")
    return _decide(suggestion, ClaimSuggestion.State.REJECTED, user)


def _decide(suggestion: ClaimSuggestion, state: str, user, claim: Claim | None = None) -> ClaimSuggestion:
    suggestion.state, suggestion.claim = state, claim
    suggestion.decided_by = user if getattr(user, "pk", None) else None
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["state", "claim", "decided_by", "decided_at"])
    return suggestion


@transaction.atomic
def source_change_key(*, source: Source, old_key: str) -> Source:
    """Save `source`, whose citation key was `old_key`, and rewrite every link that names the old key."""
    source.full_clean()
    source.save()
    old = key_target(old_key)
    for article in Article.objects.filter(citations__source=source).distinct():
        links = render_body(article.body).links
        targets = {link.number: key_target(source.key) for link in links if link.target == old}
        article.body = _rewritten(article.body, targets, article=article)
        article_render(article=article)
    return source


def body_with_earlier_sources(earlier: str, body: str) -> str:
    """`body` with each lost address citing what the same words cited in `earlier`: an analyst may
    have picked the source since. Matched by the linked words, in order, never by number."""
    picked: dict[str, deque[str]] = defaultdict(deque)
    for link in render_body(earlier).links:
        if link.kind is TargetKind.KEY:
            picked[link.anchor_text].append(link.target)
    targets = {
        link.number: picked[link.anchor_text].popleft()
        for link in render_body(body).links
        if link.kind is TargetKind.LOST and picked[link.anchor_text]
    }
    return rewrite_link_targets(body, targets) if targets else body


def body_restorable(earlier: str, current: str) -> str:
    """An earlier revision's body, fit to save now: a note naming a key that no longer exists (a
    placeholder since replaced) cites what the same words cite today, or is marked lost again."""
    links = render_body(earlier).links
    known = set(
        Source.objects.filter(key__in={link.key for link in links if link.key}).values_list("key", flat=True)
    )
    gone = {link.number: "#" for link in links if link.key and link.key not in known}
    return body_with_earlier_sources(current, rewrite_link_targets(earlier, gone)) if gone else earlier


def _rewritten(body: str, targets: dict[int, str], *, article: Article | None = None) -> str:
    """The body with those notes' links pointing at their targets, or a ValidationError saying which
    note could not be changed, so that nothing is saved rather than a guess."""
    try:
        return rewrite_link_targets(body, targets)
    except LinkRewriteError as error:
        where = f"In “{article}”: " if article else ""
        raise ValidationError({"body": [f"{where}{error}"]}) from error
