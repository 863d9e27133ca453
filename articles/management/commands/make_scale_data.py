"""`manage.py make_scale_data --articles N`: an archive of generated articles, to see how Footnote scales.

Every article is published, by one or two of a few hundred authors, on one or two topics, about
five notes to a shared pool of sources and five claims with evidence, mentioning actors from a
shared pool, some claims evidence for developments between them. Bodies are rendered by the
project's own renderer; rows are written in bulk. Words follow a skewed distribution, so some are
in most articles ("trade") and one is in about one in a thousand ("zeppelin").

Everything generated is named `scale-…`; the command refuses a database that holds anything else
unless `--force` is given.
"""

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Author, Citation, Claim, ClaimEvidence, Source, Topic
from articles.rendering import key_target, render_body
from common.caching import forget_public_pages
from relations.models import Actor, Development

PREFIX = "scale-"
BATCH = 1000
NOTES, CLAIMS = 5, 5
RARE_WORD, RARE_EVERY = "zeppelin", 1000
TOPICS = ["Security", "Energy", "Migration", "Trade", "Diplomacy", "Water", "Transport", "Finance"]
KINDS = [choice.value for choice in Article.Kind]
STATUSES = [choice.value for choice in Claim.Status]
WORDS = [
    "trade",
    "gas",
    "border",
    "security",
    "migration",
    "sanctions",
    "pipeline",
    "treaty",
    "summit",
    "visit",
    "cooperation",
    "conflict",
    "investment",
    "railway",
    "drones",
    "alliance",
    "customs",
    "exports",
    "imports",
    "remittances",
    "workers",
    "energy",
    "oil",
    "grain",
    "water",
    "dams",
    "corridor",
    "ports",
    "banks",
    "payments",
    "tariffs",
    "agreement",
    "ministry",
    "president",
    "parliament",
    "election",
    "reform",
    "currency",
    "inflation",
    "growth",
    "debt",
    "loans",
    "infrastructure",
    "roads",
    "power",
    "electricity",
    "coal",
    "uranium",
    "cotton",
    "wheat",
    "fertiliser",
    "logistics",
    "transit",
    "airspace",
    "military",
    "exercises",
    "bases",
    "troops",
    "patrols",
    "talks",
    "negotiation",
    "partnership",
    "region",
    "neighbours",
    "capital",
    "officials",
    "statistics",
    "report",
    "estimate",
    "figures",
    "agency",
    "company",
    "contract",
    "tender",
    "licence",
    "mining",
    "copper",
    "gold",
    "silver",
    "aluminium",
    "steel",
    "cement",
    "textiles",
]


class Command(BaseCommand):
    help = "Generate an archive of published articles, notes, claims, sources and actors for scale tests."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True, help="how many articles to generate")
        parser.add_argument("--force", action="store_true", help="add to a database that holds other data")
        parser.add_argument("--seed", type=int, default=2022, help="for the same archive every time")

    def handle(self, *args, articles, force, seed, **options):
        if articles < 1:
            raise CommandError("Give a number of articles of at least 1.")
        if not force and _holds_other_data():
            raise CommandError(
                "This database holds articles, sources or actors that were not generated; "
                "use a scratch database, or --force to add generated ones to it."
            )
        started = time.perf_counter()
        random.seed(seed)
        pools = _pools(articles)
        done = Article.objects.filter(slug__startswith=PREFIX).count()
        for start in range(done, done + articles, BATCH):
            with transaction.atomic():
                _articles(range(start, min(start + BATCH, done + articles)), pools)
                forget_public_pages()  # written in bulk, which sends no signal
            self.stdout.write(f"  {min(start + BATCH, done + articles) - done:,} of {articles:,} articles")
        self.stdout.write(f"Generated {articles:,} articles in {time.perf_counter() - started:.0f} s.")


def _holds_other_data() -> bool:
    return any(
        model.objects.exclude(**{f"{field}__startswith": PREFIX}).exists()
        for model, field in ((Article, "slug"), (Source, "key"), (Actor, "slug"), (Author, "slug"))
    )


class _Pools:
    def __init__(self, authors, topics, actors, developments, sources):
        self.authors, self.topics, self.actors = authors, topics, actors
        self.developments, self.sources = developments, sources


def _pools(articles: int) -> _Pools:
    """The authors, topics, actors, developments and sources the articles share (made once)."""
    authors = _ensure(
        Author,
        [Author(name=f"Analyst {n}", slug=f"{PREFIX}author-{n}") for n in range(max(10, articles // 500))],
    )
    topics = _ensure(
        Topic, [Topic(name=f"{name} (generated)", slug=f"{PREFIX}{name.lower()}") for name in TOPICS]
    )
    actors = _ensure(
        Actor,
        [
            Actor(name=f"State {n}", slug=f"{PREFIX}actor-{n}", kind=Actor.Kind.STATE, aliases=f"Statish {n}")
            for n in range(150)
        ],
    )
    developments = _ensure(
        Development,
        [
            Development(
                title=f"Development {n}",
                slug=f"{PREFIX}development-{n}",
                date=datetime.date(2005 + n % 20, 1 + n % 12, 1 + n % 28),
                dimension=random.choice(list(Development.Dimension)),
                tone=random.randint(-2, 2),
            )
            for n in range(500)
        ],
    )
    for development in developments:
        if not development.participants.exists():
            development.participants.set(random.sample(actors, 2))
    sources = _ensure(
        Source,
        [
            Source(
                key=f"{PREFIX}source-{n}",
                title=f"Report {n} on {random.choice(WORDS)}",
                url=f"https://scale.example.org/source/{n}",
                normalised_url=f"https://scale.example.org/source/{n}",
                publisher=f"Publisher {n % 300}",
                kind=random.choice(list(Source.Kind)),
            )
            for n in range(max(50, articles // 2))
        ],
    )
    return _Pools(authors, topics, actors, developments, sources)


def _ensure(model, rows: list) -> list:
    """The rows, created where they do not exist yet (by slug or key)."""
    field = "key" if model is Source else "slug"
    wanted = [getattr(row, field) for row in rows]
    existing = set(model.objects.filter(**{f"{field}__in": wanted}).values_list(field, flat=True))
    model.objects.bulk_create([row for row in rows if getattr(row, field) not in existing], batch_size=BATCH)
    return list(model.objects.filter(**{f"{field}__in": wanted}).order_by("pk"))


def _sentence(rare: bool = False) -> str:
    # Earlier words are far more common: a few are in most articles, most in a few.
    words = random.choices(
        WORDS, weights=[1 / (rank + 1) for rank in range(len(WORDS))], k=random.randint(8, 16)
    )
    if rare:
        words[len(words) // 2] = RARE_WORD
    return " ".join(words).capitalize() + "."


def _body(number: int, sources: list[Source]) -> str:
    paragraphs = []
    for paragraph in range(NOTES):
        sentences = [
            _sentence(rare=number % RARE_EVERY == 0 and paragraph == 0) for _ in range(random.randint(3, 6))
        ]
        linked = sentences[1].rstrip(".").split()
        words = " ".join(linked[:3])
        sentences[1] = f"[{words}]({key_target(sources[paragraph].key)}) {' '.join(linked[3:])}."
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def _articles(numbers: range, pools: _Pools) -> None:
    now = timezone.now()
    drafts = []
    for number in numbers:
        sources = random.sample(pools.sources, NOTES)
        body = _body(number, sources)
        rendered = render_body(body)
        published = now - datetime.timedelta(minutes=random.randint(60, 20 * 365 * 24 * 60))
        article = Article(
            title=f"{random.choice(TOPICS)} and {random.choice(WORDS)} in Central Asia, part {number}",
            slug=f"{PREFIX}{number}",
            dek=_sentence(),
            kind=random.choice(KINDS),
            body=body,
            body_html=rendered.html,
            body_text=rendered.text,
            summary=_sentence(),
            status=Article.Status.PUBLISHED,
            published_at=published,
            first_published_at=published,
        )
        drafts.append((article, rendered, sources))
    Article.objects.bulk_create([article for article, _, _ in drafts], batch_size=BATCH)
    _related_rows(drafts, pools)


def _related_rows(drafts, pools: _Pools) -> None:
    bylines, topics, actors, citations, claims = [], [], [], [], []
    for article, rendered, sources in drafts:
        for position, author in enumerate(random.sample(pools.authors, random.randint(1, 2))):
            bylines.append(ArticleAuthor(article=article, author=author, position=position))
        topics += [
            Article.topics.through(article_id=article.pk, topic_id=topic.pk)
            for topic in random.sample(pools.topics, random.randint(1, 2))
        ]
        actors += [
            Article.actors.through(article_id=article.pk, actor_id=actor.pk)
            for actor in random.sample(pools.actors, random.randint(2, 4))
        ]
        for link, source in zip(rendered.links, sources, strict=True):
            citations.append(
                Citation(article=article, number=link.number, source=source, anchor_text=link.anchor_text)
            )
        sentences = rendered.text.split(". ")
        for position in range(1, CLAIMS + 1):
            quote = sentences[(position * 3) % len(sentences)].strip().rstrip(".")
            claims.append(
                Claim(
                    article=article,
                    position=position,
                    statement=f"{quote}.",
                    quote=quote,
                    status=random.choice(STATUSES),
                    quantity_value=random.randint(1, 10**9) if position == 1 else None,
                    quantity_unit="USD" if position == 1 else "",
                )
            )
    ArticleAuthor.objects.bulk_create(bylines, batch_size=BATCH)
    Article.topics.through.objects.bulk_create(topics, batch_size=BATCH)
    Article.actors.through.objects.bulk_create(actors, batch_size=BATCH)
    Citation.objects.bulk_create(citations, batch_size=BATCH)
    Claim.objects.bulk_create(claims, batch_size=BATCH)
    _evidence(claims, citations, pools)


def _evidence(claims: list[Claim], citations: list[Citation], pools: _Pools) -> None:
    cited = {}
    for citation in citations:
        cited.setdefault(citation.article_id, []).append(citation.source_id)
    evidence, claim_actors, claim_developments = [], [], []
    for claim in claims:
        evidence.append(ClaimEvidence(claim=claim, source_id=random.choice(cited[claim.article_id])))
        claim_actors += [
            Claim.actors.through(claim_id=claim.pk, actor_id=actor.pk)
            for actor in random.sample(pools.actors, 2)
        ]
        if claim.position == 1:
            claim_developments.append(
                Claim.developments.through(
                    claim_id=claim.pk, development_id=random.choice(pools.developments).pk
                )
            )
    ClaimEvidence.objects.bulk_create(evidence, batch_size=BATCH)
    Claim.actors.through.objects.bulk_create(claim_actors, batch_size=BATCH)
    Claim.developments.through.objects.bulk_create(claim_developments, batch_size=BATCH)
