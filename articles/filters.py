"""What readers narrow the article list and the claims index by, written in the address with slugs.

Every choice is something public: topics, authors and actors of published articles and claims, the
years articles came out in. A value that is not a choice (an unknown or unpublished slug, a year
without articles, a kind that does not exist) is an error the page shows, never a filter silently
dropped. The filters check values against the choice lists the form shows, so filtering costs no
query beyond reading those lists, whichever filters are set.
"""

from dataclasses import dataclass

import django_filters
from django.http import QueryDict

from common.paging import CURSORS

from .models import Article, Claim
from .selectors import (
    actors_in_published_articles,
    actors_in_published_claims,
    article_years_published,
    authors_published,
    topics_published,
)

NO_TOPIC = "There is no published topic “%(value)s”."


@dataclass(frozen=True)
class ActiveFilter:
    label: str  # what is filtered: "Topic"
    value: str  # by what, as readers read it: "Energy" (the value as given when it is not a choice)
    remove: str  # the query string without this filter, from the first page
    valid: bool


def slug_filter(field_name: str, label: str, empty_label: str, unknown: str):
    return django_filters.ChoiceFilter(
        field_name=field_name,
        label=label,
        empty_label=empty_label,
        error_messages={"invalid_choice": unknown},
    )


class PublicFilterSet(django_filters.FilterSet):
    """A FilterSet whose choice lists are read once per request, from `public_choices`."""

    def __init__(self, data: QueryDict | None = None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        for name, choices in self.public_choices().items():
            self.filters[name].extra["choices"] = choices

    def public_choices(self) -> dict[str, list[tuple]]:
        return {}

    def active(self) -> list[ActiveFilter]:
        """The filters the address sets, in the form's order, each with the address that removes it."""
        if self.data is None:
            return []
        self.is_valid()
        found = []
        for name, field in self.form.fields.items():
            given = self.data.get(name, "")
            if not given:
                continue
            valid = name not in self.form.errors
            shown = dict((str(value), label) for value, label in field.choices).get(given, given)
            found.append(ActiveFilter(str(field.label), str(shown), self.query_without(name), valid))
        return found

    def query_without(self, *names: str) -> str:
        query = self.data.copy()
        for name in (*names, *CURSORS):
            query.pop(name, None)
        return f"?{query.urlencode()}"

    def problems(self) -> list[str]:
        """Why the address's filters cannot be applied, one sentence each."""
        return [error for errors in self.form.errors.values() for error in errors]


class ArticleFilter(PublicFilterSet):
    topic = slug_filter("topics__slug", "Topic", "Any topic", NO_TOPIC)
    actor = slug_filter("actors__slug", "Mentions", "Any actor", "No published article mentions “%(value)s”.")
    author = slug_filter(
        "bylines__author__slug", "Author", "Any author", "No author “%(value)s” has published articles."
    )
    kind = django_filters.ChoiceFilter(
        choices=Article.Kind.choices,
        label="Kind",
        empty_label="Any kind",
        error_messages={"invalid_choice": "“%(value)s” is not a kind of article."},
    )
    year = django_filters.ChoiceFilter(
        field_name="published_at",
        lookup_expr="year",
        label="Year",
        empty_label="Any year",
        error_messages={"invalid_choice": "No articles were published in “%(value)s”."},
    )

    class Meta:
        model = Article
        fields = []

    def public_choices(self):
        return {
            "topic": [(topic.slug, topic.name) for topic in topics_published()],
            "actor": [(actor.slug, actor.name) for actor in actors_in_published_articles()],
            "author": [(author.slug, author.name) for author in authors_published()],
            "year": [(str(year), str(year)) for year in article_years_published()],
        }


class ClaimFilter(PublicFilterSet):
    status = django_filters.ChoiceFilter(
        choices=Claim.Status.choices,
        label="Status",
        empty_label="Any status",
        error_messages={"invalid_choice": "“%(value)s” is not a status a claim can have."},
    )
    actor = slug_filter("actors__slug", "Concerns", "Any actor", "No published claim concerns “%(value)s”.")
    topic = slug_filter("article__topics__slug", "Topic", "Any topic", NO_TOPIC)

    class Meta:
        model = Claim
        fields = []

    def public_choices(self):
        return {
            "actor": [(actor.slug, actor.name) for actor in actors_in_published_claims()],
            "topic": [(topic.slug, topic.name) for topic in topics_published()],
        }
