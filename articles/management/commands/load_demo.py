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
"""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from articles.links import normalise_url
from articles.models import Article, Claim, Source
from articles.services import article_render
from relations.models import Actor, Development, Relation

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo.yaml"

RELATIONS_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo-relations.yaml"


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
        with transaction.atomic():
            self._check_source_addresses(rows, keys["articles.source"])
            call_command("loaddata", str(FIXTURE), verbosity=0)
            for source in Source.objects.filter(key__in=keys["articles.source"]):
                source.save()
            self._load_relations(relations)
            articles = Article.objects.filter(slug__in=keys["articles.article"])
            for article in articles:
                article_render(article=article)

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
            relation.save()  # Relation.save() stores the pair with the lower id first.
