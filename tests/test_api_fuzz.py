"""The API fuzzed from its own OpenAPI schema, over the demo and articles the public must not see.

Schemathesis reads /api/v1/schema/ as the site serves it, so an endpoint added to the API is fuzzed here
without a change to this file. Requests go through Django's WSGI handler in the test's own thread, inside
its transaction. Every answer must not be a server error, must be documented by the schema (status code,
content type, body) and must not carry a word of a draft, a scheduled or a withdrawn article.
"""

import datetime
from io import StringIO
from urllib.parse import unquote

import pytest
import schemathesis
from django.apps import apps
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from articles.models import Article, Source
from tests.factories import (
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    CitationFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    CorrectionFactory,
    SourceFactory,
    TopicFactory,
)

SCHEMA_URL = "/api/v1/schema/"
EXAMPLES = 25  # per operation and kind of data, valid and invalid
# Every word of an unpublished article below holds this, so no published text can contain it by chance.
MARK = "quillwort"
NOW = timezone.now()
UNPUBLISHED = {
    "draft": {"status": Article.Status.DRAFT, "published_at": None},
    "scheduled": {"status": Article.Status.PUBLISHED, "published_at": NOW + datetime.timedelta(days=3)},
    "withdrawn": {
        "status": Article.Status.WITHDRAWN,
        "published_at": NOW - datetime.timedelta(days=9),
        "first_published_at": NOW - datetime.timedelta(days=9),
        "withdrawn_at": NOW - datetime.timedelta(days=2),
    },
}


def unpublished_article(state: str) -> list[str]:
    """An article in `state` with its author, topic, notes, claim, evidence and correction, each named
    only here; returns every identifier and text of it that the public must never read."""
    name = f"{MARK} {state}"
    slug = f"{MARK}-{state}"
    article = ArticleFactory(
        title=f"The {name} memorandum",
        slug=f"{slug}-memorandum",
        dek=f"A {name} dek.",
        summary=f"A {name} summary.",
        body="",
        render=False,
        **UNPUBLISHED[state],
    )
    author = AuthorFactory(name=f"Ada {name}", slug=f"ada-{slug}")
    ArticleAuthorFactory(article=article, author=author)
    topic = TopicFactory(name=f"Topic {name}", slug=f"topic-{slug}")
    article.topics.add(topic)
    cited = SourceFactory(
        key=f"{slug}-cited", title=f"Cited {name} report", url=f"https://{slug}.example/cited"
    )
    CitationFactory(article=article, number=1, source=cited, anchor_text=f"{name} linked words")
    claim = ClaimFactory(article=article, statement=f"The {name} claim holds.", quote=f"{name} quote")
    evidence = SourceFactory(
        key=f"{slug}-evidence", title=f"Evidence {name} report", url=f"https://{slug}.example/evidence"
    )
    ClaimEvidenceFactory(claim=claim, source=evidence, passage=f"The {name} passage.")
    correction = CorrectionFactory(article=article, text=f"A {name} correction.")
    return [
        *(article.title, article.slug, article.dek, article.summary),
        *(author.name, author.slug, topic.name, topic.slug),
        *(cited.key, cited.title, cited.url, evidence.key, evidence.title, evidence.url),
        *(claim.statement, claim.quote, f"The {name} passage.", f"{name} linked words", correction.text),
    ]


def known_identifiers() -> tuple[list[str], int]:
    """Every slug and source key in the database, published or not, and the highest primary key: what a
    path or filter may name, so that generated requests reach real rows and not only 404s."""
    slugs = [Source.objects.values_list("key", flat=True)]
    highest = 1
    for model in [
        *apps.get_app_config("articles").get_models(),
        *apps.get_app_config("relations").get_models(),
    ]:
        if any(field.name == "slug" for field in model._meta.fields):
            slugs.append(model.objects.values_list("slug", flat=True))
        highest = max(highest, *model.objects.values_list("pk", flat=True), 1)
    return sorted({slug for rows in slugs for slug in rows}), highest


def with_known_identifiers(slugs: list[str], highest: int):
    """A hook that now and then swaps a generated string for a real slug, and a generated integer in the
    path for a real primary key."""

    def swap(value, *, in_path: bool):
        if isinstance(value, str):
            return st.one_of(st.just(value), st.sampled_from(slugs))
        if in_path and isinstance(value, int) and not isinstance(value, bool):
            return st.one_of(st.just(value), st.integers(1, highest))
        return st.just(value)

    def hook(strategy, *, in_path: bool):
        def choose(generated):
            if not isinstance(generated, dict):
                return st.just(generated)
            return st.fixed_dictionaries(
                {key: swap(value, in_path=in_path) for key, value in generated.items()}
            )

        return strategy.flatmap(choose)

    return hook


@pytest.fixture
def unpublished_words(db):
    call_command("load_demo", stdout=StringIO())
    return [word for state in UNPUBLISHED for word in unpublished_article(state)]


@pytest.fixture
def in_test_transaction():
    """Django's WSGI handler without closing the connection as each request starts and ends (as
    django.test.Client does too): the requests then read the rows of the test's own transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def without_rate_limit(settings):
    """The API's throttle reads its rates per request: with none, hundreds of requests a minute pass."""
    rest_framework = settings.REST_FRAMEWORK
    rates = {scope: None for scope in rest_framework.get("DEFAULT_THROTTLE_RATES", {})}
    settings.REST_FRAMEWORK = {**rest_framework, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def api_schema(unpublished_words, in_test_transaction, without_rate_limit):
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, in_test_transaction)
    hook = with_known_identifiers(*known_identifiers())
    schema.hook("before_generate_path_parameters")(lambda context, strategy: hook(strategy, in_path=True))
    schema.hook("before_generate_query")(lambda context, strategy: hook(strategy, in_path=False))
    return schema


def no_unpublished_words(words: list[str]):
    def no_unpublished_words(ctx, response, case):
        """No word of an unpublished article in the body, unless the request itself sent it."""
        asked = unquote(response.request.url).lower()
        body = response.text.lower()
        leaked = [word for word in words if word.lower() in body and word.lower() not in asked]
        assert not leaked, f"unpublished content in the response: {leaked}"

    return no_unpublished_words


def fuzz(operation, mode: GenerationMode, checks: list) -> None:
    """EXAMPLES requests of `mode` (valid or invalid ones) for `operation`, the same ones every run."""

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode))
    def requests(case):
        # Bodies as sent, not gzipped: the WSGI transport reads what the middleware wrote.
        case.call_and_validate(headers={"Accept-Encoding": "identity"}, checks=checks)

    requests()


def test_every_operation_answers_as_documented_and_shows_nothing_unpublished(api_schema, unpublished_words):
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        no_unpublished_words(unpublished_words),
    ]
    failures = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations
    for operation in operations:
        for mode in GenerationMode:
            try:
                fuzz(operation, mode, checks)
            except Unsatisfiable:  # an operation whose every request is valid has no negative data
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (AssertionError, FailureGroup) as failure:  # every operation is fuzzed, then all reported
                failures[f"{operation.label} ({mode.value} data)"] = failure
    assert not failures, "\n\n".join(f"{label}:\n{failure}" for label, failure in failures.items())
