import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from articles.models import Article
from common.paging import decode_cursor, encode_cursor, keyset_page
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

MOMENT = timezone.now() - datetime.timedelta(days=3)


def _page(**params):
    request = RequestFactory().get("/", params)
    return keyset_page(request, Article.objects.order_by("-published_at", "-id"), per_page=4)


def test_walking_older_then_newer_visits_every_row_once_even_when_times_are_equal():
    articles = [ArticleFactory(published_at=MOMENT, render=False) for _ in range(10)]
    expected = sorted(articles, key=lambda a: a.pk, reverse=True)
    seen, page = [], _page()
    while True:
        seen += page.object_list
        if not page.older:
            break
        page = _page(older=page.older)
    assert seen == expected
    back = []
    while page.newer:
        page = _page(newer=page.newer)
        back = page.object_list + back
    assert back == expected[:8]


def test_the_first_page_has_no_newer_link_and_the_last_no_older_one():
    ArticleFactory(published_at=MOMENT, render=False)
    page = _page()
    assert (page.newer, page.older, page.has_other_pages) == ("", "", False)


def test_a_cursor_names_a_moment_and_a_row():
    assert decode_cursor(encode_cursor(MOMENT, 42)) == (MOMENT, 42)


def test_keys_first_pages_hold_the_rows_a_plain_paginator_gives_in_the_same_order():
    from django.core.paginator import Paginator

    from common.paging import KeysFirstPaginator

    for _ in range(11):
        ArticleFactory(published_at=MOMENT, render=False)
    ordered = Article.objects.order_by("-published_at", "-id")
    plain, keys_first = Paginator(ordered, 4, orphans=1), KeysFirstPaginator(ordered, 4, orphans=1)
    assert keys_first.num_pages == plain.num_pages == 3
    for number in plain.page_range:
        assert list(keys_first.page(number)) == list(plain.page(number))
