"""Addresses written from a template per view are the addresses `reverse()` gives."""

import uuid

import pytest
from django.urls import reverse, set_script_prefix

from common.addresses import path_for


@pytest.mark.parametrize(
    ("view_name", "kwarg", "value"),
    [
        ("articles:article-detail", "slug", "central-asia-a-year-into-russias-war"),
        ("articles:claim-detail", "pk", 4021),
        ("articles:source-detail", "pk", 7),
        ("relations:actor-detail", "slug", "marker-state"),
        ("api:claim-detail", "uid", uuid.UUID("b5b475ef-275b-4e90-9943-b97bf7635692")),
        ("api:source-detail", "key", "china-customs-2022"),
    ],
)
@pytest.mark.parametrize("prefix", ["/", "/footnote/"])
def test_an_address_from_its_template_is_the_one_reverse_gives(view_name, kwarg, value, prefix):
    set_script_prefix(prefix)
    try:
        assert path_for(view_name, **{kwarg: value}) == reverse(view_name, kwargs={kwarg: value})
    finally:
        set_script_prefix("/")
