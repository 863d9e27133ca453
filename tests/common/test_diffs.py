import datetime

from bs4 import BeautifulSoup

from common.diffs import changed_fields, text_diff_html


def _marks(html) -> tuple[list[str], list[str]]:
    page = BeautifulSoup(str(html), "html.parser")
    return [tag.get_text() for tag in page.find_all("del")], [tag.get_text() for tag in page.find_all("ins")]


def test_only_the_changed_words_are_marked():
    html = text_diff_html("Trade grew by 45 per cent.", "Trade grew by 40 per cent in 2022.")
    assert _marks(html) == (["45"], ["40", "in 2022"])
    assert BeautifulSoup(str(html), "html.parser").get_text().startswith("Trade grew by ")


def test_paragraphs_added_and_removed_are_marked_whole_and_unchanged_ones_kept():
    before = "First paragraph.\n\nSecond paragraph.\n\nThird."
    after = "First paragraph.\n\nThird.\n\nA new ending."
    removed, added = _marks(text_diff_html(before, after))
    assert removed == ["Second paragraph."]
    assert added == ["A new ending."]


def test_hostile_text_is_escaped_in_the_diff():
    page = BeautifulSoup(str(text_diff_html("<b>safe</b>", '<script>alert("x")</script>')), "html.parser")
    assert {tag.name for tag in page.find_all(True)} == {"del", "ins"}
    assert "".join(tag.get_text() for tag in page.find_all("ins")) == 'scriptalert("x")</script'


def test_changed_fields_lists_only_what_differs_in_the_labels_order():
    changes = changed_fields(
        {"title": "A", "body": "x", "article_id": 1, "actors": ["2", "1"]},
        {"title": "B", "body": "x", "article_id": 1, "actors": ["1", "2"]},
        {"body": "Body", "title": "Title", "actors": "Actors", "article_id": "Article"},
    )
    assert [(change.label, change.before, change.after) for change in changes] == [("Title", "A", "B")]


def test_a_status_or_a_time_is_shown_whole_as_before_and_after():
    [status, when] = changed_fields(
        {"status": "draft", "at": datetime.datetime(2026, 1, 2, 9, 30, tzinfo=datetime.UTC)},
        {"status": "published", "at": datetime.datetime(2026, 1, 3, 9, 30, tzinfo=datetime.UTC)},
        {"status": "Status", "at": "Publish time"},
    )
    assert _marks(status.html) == (["draft"], ["published"])
    assert _marks(when.html) == (["2 January 2026, 09:30"], ["3 January 2026, 09:30"])


def test_a_value_that_was_not_there_shows_as_a_plain_dash():
    [when] = changed_fields({"at": None}, {"at": datetime.date(2026, 1, 2)}, {"at": "Publish time"})
    assert _marks(when.html) == ([], ["2 January 2026"])
    assert BeautifulSoup(str(when.html), "html.parser").get_text() == "— → 2 January 2026"
