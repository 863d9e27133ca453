import pytest

from articles.rendering import (
    LinkRewriteError,
    TargetKind,
    render_body,
    rewrite_link_targets,
    sanitise_html,
)
from tests.helpers import start_tags


def test_links_become_numbered_note_references_in_reading_order():
    rendered = render_body("One [first source](https://a.example/x) and [second](#).")
    assert [(link.number, link.anchor_text, link.target) for link in rendered.links] == [
        (1, "first source", "https://a.example/x"),
        (2, "second", "#"),
    ]
    sups = [attrs for tag, attrs in start_tags(rendered.html) if tag == "sup"]
    assert [sup["id"] for sup in sups] == ["ref-1", "ref-2"]
    hrefs = [attrs["href"] for tag, attrs in start_tags(rendered.html) if tag == "a"]
    assert hrefs == ["#note-1", "#note-2"]  # the address lives in the notes, not the text


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("https://example.org/a", TargetKind.ADDRESS),
        ("HTTP://example.org/a", TargetKind.ADDRESS),
        ("source:china-customs-2022", TargetKind.KEY),
        ("#", TargetKind.LOST),
        ("", TargetKind.LOST),
        ("www.un.org/report.pdf", TargetKind.INVALID),
        ("/about", TargetKind.INVALID),
        ("mailto:desk@example.org", TargetKind.INVALID),
        ("ftp://files.example.org/a", TargetKind.INVALID),
        ("source:not a key", TargetKind.INVALID),
    ],
)
def test_a_link_target_says_how_the_note_finds_its_source(target, kind):
    [link] = render_body(f"[words](<{target}>)").links
    assert link.kind is kind


def test_a_citation_key_link_names_its_key_and_has_no_address():
    [link] = render_body("[figures](source:china-customs-2022)").links
    assert (link.key, link.url) == ("china-customs-2022", "")


def test_a_link_title_is_kept_for_naming_a_new_source():
    [link] = render_body('[Uzbekistan](# "Interior Ministry, entry statistics, 2022")').links
    assert link.title == "Interior Ministry, entry statistics, 2022"


def test_the_plain_text_holds_the_linked_words_where_the_links_say():
    rendered = render_body("Trade *grew* by [45 per cent](#) in 2022.\n\n## A heading\n\nThen [more](#).")
    assert rendered.text == "Trade grew by 45 per cent in 2022.\n\nA heading\n\nThen more."
    assert [rendered.text[link.text_start : link.text_end] for link in rendered.links] == [
        "45 per cent",
        "more",
    ]
    assert [block.kind for block in rendered.blocks] == ["paragraph", "heading", "paragraph"]


def test_smart_quotes_in_a_huge_paragraph_are_still_right():
    rendered = render_body('Russia\'s "word" ' * 20_000)
    assert rendered.text.count("“word”") == 20_000
    assert rendered.text.count("Russia’s") == 20_000


def test_linked_words_keep_their_emphasis_and_lose_line_breaks():
    rendered = render_body("[their *prospects*\ndim](#)")
    assert rendered.links[0].anchor_text == "their prospects dim"
    assert '<span class="cited">their <em>prospects</em>' in rendered.html


def test_escaped_dollar_from_pdf_extraction_reads_as_a_dollar():
    assert "exceeding $70 billion" in render_body(r"exceeding \$70 billion").html


def test_raw_html_in_markdown_is_shown_as_text_never_run():
    html = render_body('<script>alert(1)</script><img src=x onerror="alert(1)"> text').html
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


def test_sanitiser_strips_scripts_handlers_and_javascript_urls_from_html():
    html = sanitise_html(
        '<p onclick="x()">hi<script>alert(1)</script></p><a href="javascript:alert(1)">a</a>'
        '<iframe src="https://evil.example"></iframe><a href="https://ok.example" style="x">ok</a>'
    )
    assert html == (
        '<p>hi</p><a rel="noopener noreferrer">a</a>'
        '<a href="https://ok.example" rel="noopener noreferrer">ok</a>'
    )


def test_javascript_urls_never_become_links_or_sources():
    rendered = render_body("[click](javascript:alert(1)) and [data](data:text/html,hi)")
    hrefs = [attrs.get("href", "") for tag, attrs in start_tags(rendered.html) if tag == "a"]
    assert not any(href.startswith(("javascript", "data")) for href in hrefs)
    assert all(link.url == "" for link in rendered.links)


def test_relative_and_mailto_links_are_notes_without_a_source_address():
    rendered = render_body("[here](/about) and [mail](mailto:desk@example.org)")
    assert [link.url for link in rendered.links] == ["", ""]


def test_rewriting_a_target_changes_that_link_and_not_one_other_character():
    body = "Intro [one](#) and [two](https://x.org/a).\n\nThen [three](#) ends."
    rewritten = rewrite_link_targets(body, {3: "source:third"})
    assert rewritten == "Intro [one](#) and [two](https://x.org/a).\n\nThen [three](source:third) ends."


def test_rewriting_finds_links_inside_quotes_lists_tables_and_across_lines():
    body = (
        "> quote [Neither Bishkek nor](#)\n> [Tashkent](#) and\n> [multi\n> line](#) end\n\n"
        "- item [three](#)\n  [four][ref]\n\n"
        "| a | b |\n|---|---|\n| [x](#) | [x](#) |\n\n"
        "[ref]: #\n"
    )
    rewritten = rewrite_link_targets(body, {n: f"source:k{n}" for n in range(1, 8)})
    assert [(link.anchor_text, link.target) for link in render_body(rewritten).links] == [
        ("Neither Bishkek nor", "source:k1"),
        ("Tashkent", "source:k2"),
        ("multi line", "source:k3"),
        ("three", "source:k4"),
        ("four", "source:k5"),
        ("x", "source:k6"),
        ("x", "source:k7"),
    ]
    assert "> [multi\n> line](source:k3) end" in rewritten  # markers and line breaks kept


def test_rewriting_the_same_words_twice_rewrites_the_right_one():
    body = "[here](#) and [here](#) and `[here](#)` and [here](#)"
    rewritten = rewrite_link_targets(body, {2: "source:second"})
    assert rewritten == "[here](#) and [here](source:second) and `[here](#)` and [here](#)"


def test_rewriting_drops_a_title_and_keeps_the_words_as_written():
    rewritten = rewrite_link_targets('[*Their* words](# "A title")', {1: "source:key"})
    assert rewritten == "[*Their* words](source:key)"


def test_an_autolink_becomes_a_link_with_its_address_as_words():
    rewritten = rewrite_link_targets(
        "Write to <press@example.org> or see <https://x.org/[a]>.", {1: "#", 2: "#"}
    )
    assert rewritten == "Write to [press@example.org](#) or see [https://x.org/\\[a\\]](#)."


def test_a_link_that_cannot_be_found_again_in_the_text_is_refused_not_guessed():
    with pytest.raises(LinkRewriteError, match="Note 1"):
        rewrite_link_targets("| a |\n|---|\n| [a\\|b](#) |\n", {1: "source:key"})


def test_line_endings_are_read_as_the_parser_reads_them():
    assert rewrite_link_targets("[a](#)\r\n\r\n[b](#)", {2: "source:b"}) == "[a](#)\n\n[b](source:b)"


def test_empty_body_renders_to_nothing():
    rendered = render_body("")
    assert rendered.html == ""
    assert rendered.links == []
