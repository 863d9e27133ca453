"""`manage.py load_demo`: load (or refresh) Footnote's demo content.

The content lives in fixtures/demo.yaml, named by natural keys, so loading it again updates the same
rows. Three things a fixture cannot do safely are done here with the ORM:

- Sources: loaddata saves rows raw, so Source.save() never runs. Every demo source is saved again so
  its normalised URL (which the renderer uses to find a note's source) and link status come from the
  model, not from a hand-written copy.
- Relations (fixtures/demo-relations.yaml): a relation is stored with the lower actor id first (a CHECK
  constraint). Actor ids depend on the database's history, so a fixture cannot know the order;
  Relation.save() puts the pair in order.
- Notes: each demo article is rendered with article_render, which numbers the notes and links each to
  the source its link names (by address, or by citation key where the address was lost).
- The evidence ledger (fixtures/demo-ledger.yaml): review and grading histories are records of the
  past, each step with its own day, so they are written as they were, once; claim links are made
  unless they exist.
"""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from articles.links import normalise_url
from articles.models import Article, Claim, ClaimLink, ClaimReview, Source, SourceAssessment
from articles.services import article_render
from articles.workflow import GRADE_FIELDS
from relations.models import Actor, Development, Relation

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo.yaml"

RELATIONS_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo-relations.yaml"

LEDGER_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo-ledger.yaml"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _fixture_keys(rows: list[dict]) -> dict[str, list[str]]:
    """The natural keys the fixture names, by model label."""
    fields = {
        "articles.article": "slug",
        "articles.source": "key",
        "articles.claim": "uid",
        "relations.actor": "slug",
        "relations.development": "slug",
    }
    keys: dict[str, list[str]] = {label: [] for label in fields}
    for row in rows:
        field = fields.get(row["model"])
        if field:
            keys[row["model"]].append(str(row["fields"][field]))
    return keys


class Command(BaseCommand):
    help = "Load Footnote's demo content (safe to run again: it updates rather than duplicates)."

    def handle(self, *args, **options):
        with FIXTURE.open(encoding="utf-8") as handle:
            rows = yaml.safe_load(handle)
        keys = _fixture_keys(rows)
        with RELATIONS_FILE.open(encoding="utf-8") as handle:
            relations = yaml.safe_load(handle)
        with LEDGER_FILE.open(encoding="utf-8") as handle:
            ledger = yaml.safe_load(handle)
        with transaction.atomic():
            self._check_source_addresses(rows, keys["articles.source"])
            call_command("loaddata", str(FIXTURE), verbosity=0)
            for source in Source.objects.filter(key__in=keys["articles.source"]):
                source.save()
            self._load_relations(relations)
            articles = Article.objects.filter(slug__in=keys["articles.article"])
            for article in articles:
                article_render(article=article)
            _load_ledger(ledger, keys["articles.claim"])

        counts = [
            _plural(articles.count(), "article"),
            _plural(Source.objects.filter(key__in=keys["articles.source"]).count(), "source"),
            _plural(Claim.objects.filter(uid__in=keys["articles.claim"]).count(), "claim"),
            _plural(Actor.objects.filter(slug__in=keys["relations.actor"]).count(), "actor"),
            _plural(Relation.objects.filter(slug__in=[row["slug"] for row in relations]).count(), "relation"),
            _plural(
                Development.objects.filter(slug__in=keys["relations.development"]).count(), "development"
            ),
        ]
        self.stdout.write(f"Demo content: {', '.join(counts)}.")

    def _check_source_addresses(self, rows: list[dict], demo_keys: list[str]) -> None:
        """Refuse, with a clear message, when a non-demo source already holds a demo source's address."""
        for row in rows:
            if row["model"] != "articles.source" or not row["fields"].get("url"):
                continue
            clash = (
                Source.objects.filter(normalised_url=normalise_url(row["fields"]["url"]))
                .exclude(key__in=demo_keys)
                .first()
            )
            if clash:
                raise CommandError(
                    f"Source {clash.key!r} already has the address {clash.url}, which the demo source "
                    f"{row['fields']['key']!r} uses. Rename or remove one of them and run load_demo again."
                )

    def _load_relations(self, relations: list[dict]) -> None:
        actors = Actor.objects.in_bulk(
            [slug for row in relations for slug in row["actors"]], field_name="slug"
        )
        for row in relations:
            slug, (first, second) = row["slug"], row["actors"]
            pair = Q(actor_a=actors[first], actor_b=actors[second]) | Q(
                actor_a=actors[second], actor_b=actors[first]
            )
            # The same pair may already be curated under another slug: update it rather than clash.
            relation = (
                Relation.objects.filter(slug=slug).first()
                or Relation.objects.filter(pair).first()
                or Relation(slug=slug)
            )
            relation.slug = slug
            relation.actor_a, relation.actor_b = actors[first], actors[second]
            relation.state, relation.summary = row["state"], row["summary"]
            relation.assessed_on = row.get("assessed_on")
            relation.save()  # Relation.save() stores the pair with the lower id first.


def _load_ledger(ledger: dict, claim_uids: list[str]) -> None:
    claims = Claim.objects.in_bulk(claim_uids, field_name="uid")
    claims = {str(uid): claim for uid, claim in claims.items()}
    reviewed = set(ClaimReview.objects.filter(claim__in=claims.values()).values_list("claim_id", flat=True))
    ClaimReview.objects.bulk_create(
        review
        for uid, claim in claims.items()
        if claim.pk not in reviewed
        for review in _reviews(claim, ledger["reviews"].get(uid))
    )
    # loaddata wrote the rows afresh: what a claim and a source keep of their latest review or grade
    # is put back, as claim_set_status and source_assess keep it.
    for review in _latest_reviews(claims.values()):
        Claim.objects.filter(pk=review.claim_id).update(
            checked_by_name=review.user_name, checked_at=review.at
        )
    sources = Source.objects.in_bulk(list(ledger["grades"]), field_name="key")
    for key, grades in ledger["grades"].items():
        _grade(sources[key], grades)
    for uid, kind, other, note in ledger["links"]:
        ClaimLink.objects.get_or_create(
            from_claim=claims[uid], kind=kind, to_claim=claims[other], defaults={"note": note}
        )


def _latest_reviews(claims) -> list[ClaimReview]:
    latest = {}
    for review in ClaimReview.objects.filter(claim__in=claims).order_by("at", "id"):
        latest[review.claim_id] = review
    return list(latest.values())


def _reviews(claim: Claim, steps: list[dict] | None) -> list[ClaimReview]:
    """The claim's history as written in the ledger, or one review from its own status and time."""
    if steps is None:
        if claim.checked_at is None:
            return []
        steps = [{"from": "unverified", "to": claim.status, "at": claim.checked_at, "by": "Eli Editor"}]
    return [
        ClaimReview(
            claim=claim,
            from_status=step["from"],
            to_status=step["to"],
            user_name=step["by"],
            at=step["at"],
            note=step.get("note", "Checked before publication."),
        )
        for step in steps
    ]


def _grade(source: Source, grades: list[dict]) -> None:
    if not source.assessments.exists():
        SourceAssessment.objects.bulk_create(
            SourceAssessment(
                source=source,
                user_name=grade["by"],
                at=grade["at"],
                note=grade["note"],
                **{field: grade[field] for field in GRADE_FIELDS},
            )
            for grade in grades
        )
    latest = source.assessments.first()
    for field in GRADE_FIELDS:
        setattr(source, field, getattr(latest, field))
    source.assessed_at = latest.at
    source.save(update_fields=[*GRADE_FIELDS, "assessed_at"])
