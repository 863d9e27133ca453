"""The public relation page: its as-of date, its state-over-time table and its marked timeline."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from articles.models import Claim
from relations.models import Development
from tests.factories import ActorFactory, ArticleFactory, ClaimFactory, DevelopmentFactory, RelationFactory
from tests.helpers import UNPUBLISHED_STATES, count_queries

pytestmark = pytest.mark.django_db

Dimension, Tone = Development.Dimension, Development.Tone


def _page(client, relation) -> BeautifulSoup:
    response = client.get(relation.get_absolute_url())
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").main


def _table(page) -> dict[str, dict[str, object]]:
    """The state table as {year: {column: cell}}, read through its header cells."""
    table = page.find("table", class_="state-table")
    columns = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    rows = {}
    for tr in table.tbody.find_all("tr"):
        cells = tr.find_all(["th", "td"], recursive=False)
        rows[cells[0].get_text(strip=True)] = dict(zip(columns[1:], cells[1:], strict=True))
    return rows


def _item(page, development):
    return page.find("li", id=f"development-{development.slug}")


@pytest.fixture
def pair():
    return ActorFactory(name="Kazakhstan"), ActorFactory(name="Russia")


@pytest.fixture
def relation(pair):
    return RelationFactory(actor_a=pair[0], actor_b=pair[1], assessed_on=datetime.date(2022, 12, 20))


def _development(pair, title, date, dimension, tone, *claim_statuses, **article_state):
    development = DevelopmentFactory(
        title=title, date=date, dimension=dimension, tone=tone, participants=pair
    )
    for status in claim_statuses:
        ClaimFactory(article=ArticleFactory(**article_state), status=status).developments.add(development)
    return development


@pytest.fixture
def timeline(pair):
    verified = Claim.Status.VERIFIED
    return {
        "roadmaps": _development(
            pair, "Gazprom roadmaps", datetime.date(2023, 1, 10), Dimension.ENERGY, Tone.COOPERATION, verified
        ),
        "gas": _development(
            pair, "Gas union floated", datetime.date(2022, 11, 1), Dimension.ENERGY, Tone.NEUTRAL, verified
        ),
        "csto": _development(
            pair,
            "CSTO kept out of the war",
            datetime.date(2022, 6, 1),
            Dimension.SECURITY,
            Tone.TENSION,
            Claim.Status.UNVERIFIED,
        ),
    }


def test_the_table_has_a_row_per_year_and_a_column_per_dimension_with_named_mean_tones(
    client, relation, timeline
):
    page = _page(client, relation)
    table = page.find("table", class_="state-table")

    assert table.caption.get_text(strip=True) == "Mean tone by year and dimension"
    assert [th["scope"] for th in table.thead.find_all("th")] == ["col"] * 4
    assert [th.get_text(strip=True) for th in table.tbody.find_all("th")] == ["2023", "2022"]
    assert all(th["scope"] == "row" for th in table.tbody.find_all("th"))
    rows = _table(page)
    assert list(rows["2023"]) == ["All dimensions", "Security", "Energy"]
    energy_2023 = rows["2023"]["Energy"].get_text(" ", strip=True)
    energy_2022 = rows["2022"]["Energy"].get_text(" ", strip=True)
    assert energy_2023.startswith("Cooperation +1.0 1 development, 1 confirmed")
    assert energy_2022.startswith("Neutral 0.0 1 development, 1 confirmed")
    assert (
        rows["2022"]["All dimensions"]
        .get_text(" ", strip=True)
        .startswith("Neutral −0.5 2 developments, 1 confirmed")
    )
    assert rows["2023"]["Security"].find("a") is None
    assert rows["2023"]["Security"].get_text(" ", strip=True).endswith("No developments")


def test_each_cell_links_to_the_developments_it_counts_in_the_timeline(client, relation, timeline):
    page = _page(client, relation)
    rows = _table(page)

    def targets(cell):
        return [page.find(id=link["href"].removeprefix("#")) for link in cell.find_all("a")]

    assert targets(rows["2022"]["All dimensions"]) == [
        _item(page, timeline["gas"]),
        _item(page, timeline["csto"]),
    ]
    assert targets(rows["2022"]["Security"]) == [_item(page, timeline["csto"])]
    assert targets(rows["2023"]["Energy"]) == [_item(page, timeline["roadmaps"])]
    # Each link names its development for those who hear the page, and its number as the timeline shows it.
    link = rows["2023"]["Energy"].a
    assert link.get_text(" ", strip=True) == "#1 Gazprom roadmaps"
    number = _item(page, timeline["roadmaps"]).find(class_="timeline__number")
    assert number.get_text(strip=True) == "#1"


def test_the_table_sits_in_a_labelled_region_that_scrolls_on_its_own(client, relation, timeline):
    region = _page(client, relation).find("table", class_="state-table").parent
    assert region["role"] == "region"
    assert region["aria-labelledby"] == "state-caption"
    assert region["tabindex"] == "0"  # keyboard users can scroll it at phone width


def test_each_development_without_a_verified_public_claim_is_marked_unconfirmed_in_words(
    client, relation, timeline
):
    page = _page(client, relation)

    def marked(key):
        return "Unconfirmed" in _item(page, timeline[key]).find("p", class_="meta").stripped_strings

    assert marked("csto")
    assert not marked("gas")
    assert not marked("roadmaps")


def test_each_development_shows_its_tone_by_name(client, relation, timeline):
    page = _page(client, relation)
    assert _item(page, timeline["csto"]).find(class_="tone").get_text(strip=True) == "Tension"
    assert _item(page, timeline["roadmaps"]).find(class_="tone").get_text(strip=True) == "Cooperation"


@pytest.mark.parametrize("article_state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES))
def test_a_verified_claim_in_an_article_the_public_cannot_see_confirms_nothing(
    client, pair, relation, article_state
):
    hidden = _development(
        pair,
        "Confirmed only in a draft",
        datetime.date(2022, 5, 1),
        Dimension.ECONOMIC,
        Tone.COOPERATION,
        Claim.Status.VERIFIED,
        **article_state(),
    )

    page = _page(client, relation)

    assert "Unconfirmed" in _item(page, hidden).find("p", class_="meta").stripped_strings
    cell = _table(page)["2022"]["Economic"].get_text(" ", strip=True)
    assert "1 development, 0 confirmed" in cell


# As of


def test_as_of_is_the_latest_development_when_it_came_after_the_assessment(client, relation, timeline):
    as_of = _page(client, relation).find(class_="as-of")

    times = as_of.find_all("time")
    assert [time["datetime"] for time in times] == ["2023-01-10", "2022-12-20"]
    assert " ".join(as_of.get_text().split()) == (
        "(as of 10 January 2023, the date of the latest development; assessed on 20 December 2022)"
    )
    assert as_of.find("a")["href"] == f"#development-{timeline['roadmaps'].slug}"


def test_as_of_is_the_assessment_when_it_came_after_the_latest_development(client, relation, timeline):
    relation.assessed_on = datetime.date(2023, 3, 9)
    relation.save()

    as_of = _page(client, relation).find(class_="as-of")

    assert [time["datetime"] for time in as_of.find_all("time")] == ["2023-03-09"]
    assert " ".join(as_of.get_text().split()) == "(as of 9 March 2023, the date it was assessed on)"


def test_a_relation_with_nothing_to_date_it_says_so_and_shows_no_table(client):
    relation = RelationFactory(assessed_on=None)

    page = _page(client, relation)

    assert page.find(class_="as-of").get_text(strip=True) == "(not assessed yet)"
    assert page.find("table", class_="state-table") is None
    assert page.find(class_="timeline") is None


# Speed


def test_the_page_runs_the_same_queries_for_one_development_or_fifty(client, pair, relation):
    def add_development(n):
        development = DevelopmentFactory(
            date=datetime.date(2015 + n % 9, 1 + n % 12, 1),
            dimension=list(Dimension)[n % len(Dimension)],
            tone=n % 5 - 2,
            participants=[*pair, ActorFactory()],
        )
        article = ArticleFactory(**(UNPUBLISHED_STATES["draft"]() if n % 3 == 0 else {}))
        development.articles.add(article)
        for status in (Claim.Status.VERIFIED, Claim.Status.DISPUTED):
            ClaimFactory(article=article, status=status).developments.add(development)

    add_development(0)
    one = count_queries(client, relation.get_absolute_url())
    for n in range(1, 50):
        add_development(n)
    assert count_queries(client, relation.get_absolute_url()) == one
    assert one <= 5
    assert len(_page(client, relation).select(".timeline__item")) == 50


# The chart


SVG = "{http://www.w3.org/2000/svg}"


def _charts(client, relation) -> list[ET.Element]:
    """Each layout of the chart, cut from the page as sent and parsed as XML: it must be well-formed
    SVG on its own (an HTML parser would forgive it, and lower-case viewBox)."""
    html = client.get(relation.get_absolute_url()).content.decode()
    svgs = [ET.fromstring(markup) for markup in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)]
    return [svg for svg in svgs if "timeline-chart" in svg.get("class", "").split()]


def test_the_chart_is_an_image_told_in_words_in_two_layouts(client, relation, timeline):
    charts = _charts(client, relation)

    assert [svg.get("class").split()[1] for svg in charts] == ["chart--wide", "chart--narrow"]
    for svg in charts:
        assert svg.get("role") == "img"
        assert svg.get("viewBox").startswith("0 0 ")
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert svg.find(f"{SVG}title").get("id") == title_id
        assert svg.find(f"{SVG}title").text == "Kazakhstan – Russia: developments by date and tone"
        desc = svg.find(f"{SVG}desc")
        assert desc.get("id") == desc_id
        assert desc.text == (
            "3 developments from 2022 to 2023: 1 cooperation, 1 neutral, 1 tension. "
            "Mean tone by year: 2022 −0.5 (neutral); 2023 +1.0 (cooperation)."
        )


def test_each_mark_leads_to_its_development_in_the_timeline_with_its_shape_named(client, relation, timeline):
    page = _page(client, relation)

    for svg in _charts(client, relation):
        links = list(svg.iter(f"{SVG}a"))
        targets = [page.find(id=a.get("href").removeprefix("#")) for a in links]
        assert targets == [_item(page, timeline[key]) for key in ("csto", "gas", "roadmaps")]  # oldest first
        classes = [a.find(f"{SVG}path").get("class") for a in links]
        assert classes == [f"chart__mark dimension--{d}" for d in ("security", "energy", "energy")]
        assert (
            links[0].find(f"{SVG}title").text
            == "#3 1 June 2022: CSTO kept out of the war (Security, Tension)"
        )
    legend = [li.get_text(strip=True) for li in page.select(".chart-figure .chart-legend li")]
    assert legend == ["Security", "Energy"]


def test_the_charts_data_table_lists_every_development_oldest_first(client, relation, timeline):
    table = _page(client, relation).select_one("details.chart-data table")

    rows = [
        [cell.get_text(strip=True) for cell in tr.find_all(["td", "th"])] for tr in table.tbody.find_all("tr")
    ]
    assert rows == [
        ["3", "1 June 2022", "CSTO kept out of the war", "Security", "Tension"],
        ["2", "1 November 2022", "Gas union floated", "Energy", "Neutral"],
        ["1", "10 January 2023", "Gazprom roadmaps", "Energy", "Cooperation"],
    ]
    assert table.tbody.th.a["href"] == f"#development-{timeline['csto'].slug}"


def test_a_relation_without_developments_draws_no_chart(client, relation):
    page = _page(client, relation)
    assert page.select("svg.chart") == []
    assert page.select("details.chart-data") == []


def test_two_hundred_developments_draw_two_hundred_marks_in_the_same_queries_as_one(client, pair, relation):
    def add(n):
        DevelopmentFactory(
            date=datetime.date(2010, 1, 1) + datetime.timedelta(days=n * 23),
            dimension=list(Dimension)[n % len(Dimension)],
            tone=n % 5 - 2,
            participants=pair,
        )

    add(0)
    one = count_queries(client, relation.get_absolute_url())
    for n in range(1, 200):
        add(n)
    assert count_queries(client, relation.get_absolute_url()) == one
    page = _page(client, relation)
    for svg in _charts(client, relation):
        assert len(list(svg.iter(f"{SVG}a"))) == 200
        labels = [text.text for text in svg.iter(f"{SVG}text") if text.text and text.text.isdigit()]
        assert len(labels) < 13  # 2010 to 2022, thinned
    assert len(page.select("details.chart-data tbody tr")) == 200
