from articles.rendering import Link, render_body, sanitise_html


def test_links_become_numbered_note_references_in_reading_order():
    rendered = render_body("One [first source](https://a.example/x) and [second](#).")
    assert rendered.links == [
        Link(number=1, anchor_text="first source", url="https://a.example/x"),
        Link(number=2, anchor_text="second", url=""),
    ]
    assert '<sup class="note-ref" id="ref-1"><a href="#note-1"' in rendered.html
    assert '<a href="#note-2"' in rendered.html
    assert "a.example" not in rendered.html  # the address lives in the notes, not the text


def test_linked_words_keep_their_emphasis_and_lose_line_breaks():
    rendered = render_body("[their *future*\nlook bleak](#)")
    assert rendered.links[0].anchor_text == "their future look bleak"
    assert '<span class="cited">their <em>future</em>' in rendered.html


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
    assert 'href="javascript' not in rendered.html
    assert 'href="data' not in rendered.html
    assert all(link.url == "" for link in rendered.links)


def test_relative_and_mailto_links_are_notes_without_a_source_address():
    rendered = render_body("[here](/about) and [mail](mailto:desk@example.org)")
    assert [link.url for link in rendered.links] == ["", ""]


def test_empty_body_renders_to_nothing():
    rendered = render_body("")
    assert rendered.html == ""
    assert rendered.links == []
