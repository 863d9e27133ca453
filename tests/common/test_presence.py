from unittest import mock

import pytest

from common import presence
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_others_with_the_record_open_are_named_and_forgotten_once_their_page_goes_quiet():
    ana, ed = StaffFactory(first_name="Ana", last_name="Lyst"), StaffFactory(username="ed")
    with mock.patch("common.presence.time.time", return_value=1000.0):
        presence.mark_open("articles.claim", 7, ana)
        presence.mark_open("articles.claim", 7, ed)
        assert presence.others_viewing("articles.claim", 7, ed) == ["Ana Lyst"]
        assert presence.others_viewing("articles.claim", 7, ana) == ["ed"]
        assert presence.others_viewing("articles.claim", 8, ed) == []
    with mock.patch("common.presence.time.time", return_value=1000.0 + presence.FORGET_AFTER_SECONDS):
        assert presence.others_viewing("articles.claim", 7, ed) == []
