"""The actors and relations indexes, the network picture on the second, and the charts' markup."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from relations.models import Actor, Development
from tests.factories import (
    ActorFactory,
    ArticleFactory,
    ClaimFactory,
    DevelopmentFactory,
    OrganisationFactory,
    RelationFactory,
)
from tests.helpers import UNPUBLISHED_STATES, count_queries

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
unpublished_states = pytest.mark.parametrize(
    "state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES)
)


def _page(client, name: str) -> BeautifulSoup:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def _svgs(client, name: str) -> list[ET.Element]:
    """Each chart on the page, cut from the page as sent and parsed as XML: it must be well-formed
    SVG on its own (an HTML parser would forgive it, and lower-case viewBox)."""
    html = client.get(reverse(name)).content.decode()
    svgs = [ET.fromstring(markup) for markup in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)]
    return [svg for svg in svgs if "chart" in svg.get("class", "").split()]


def _links(svg: ET.Element) -> list[str]:
    return [a.get("href") for a in svg.iter(f"{SVG}a")]


# Actors


def test_actors_are_grouped_by_kind_in_order_each_with_a_link_and_counts(client):
    kazakhstan, china = ActorFactory(name="Kazakhstan"), ActorFactory(name="China")
    csto = OrganisationFactory(name="CSTO")
    gazprom = ActorFactory(name="Gazprom", kind=Actor.Kind.COMPANY)
    RelationFactory(actor_a=kazakhstan, actor_b=china)
    RelationFactory(actor_a=kazakhstan, actor_b=csto)
    ArticleFactory().actors.add(kazakhstan, gazprom)

    page = _page(client, "relations:actor-list")

    groups = page.main.select("section.index-group")
    headings = [group.h2.contents[0].strip() for group in groups]
    assert headings == ["States", "International organisations", "Companies"]
    names = [[a.get_text() for a in group.select("li > a")] for group in groups]
    assert names == [["China", "Kazakhstan"], ["CSTO"], ["Gazprom"]]
    link = groups[0].find("a", string="Kazakhstan")
    assert link["href"] == kazakhstan.get_absolute_url()
    assert link.find_next_sibling("span").get_text() == "2 relations · 1 article"
    assert groups[2].find("a").find_next_sibling("span").get_text() == "0 relations · 1 article"


@unpublished_states
def test_an_actors_count_of_articles_is_of_public_articles_only(client, state):
    actor = ActorFactory(name="Kazakhstan")
    ArticleFactory().actors.add(actor)
    ArticleFactory(**state()).actors.add(actor)

    page = _page(client, "relations:actor-list")

    assert page.main.find("a", string="Kazakhstan").find_next_sibling("span").get_text() == (
        "0 relations · 1 article"
    )


def test_the_actors_page_runs_the_same_queries_for_one_actor_or_many(client):
    def add_actor():
        actor = ActorFactory()
        ArticleFactory().actors.add(actor)
        RelationFactory(actor_a=actor, actor_b=OrganisationFactory())

    add_actor()
    one = count_queries(client, reverse("relations:actor-list"))
    for _ in range(30):
        add_actor()
    assert count_queries(client, reverse("relations:actor-list")) == one
    assert one <= 3


# Relations


@pytest.fixture
def relations():
    kazakhstan, russia, china = (ActorFactory(name=name) for name in ("Kazakhstan", "Russia", "China"))
    eu = OrganisationFactory(name="European Union")
    cold = RelationFactory(actor_a=kazakhstan, actor_b=russia, slug="kazakhstan-russia")
    warm = RelationFactory(actor_a=china, actor_b=kazakhstan, slug="china-kazakhstan")
    quiet = RelationFactory(actor_a=eu, actor_b=kazakhstan, slug="european-union-kazakhstan")
    DevelopmentFactory(
        title="Old friendship", date=datetime.date(2021, 5, 1), tone=2, participants=[kazakhstan, russia]
    )
    latest = DevelopmentFactory(
        title="CSTO kept out",
        date=datetime.date(2022, 6, 1),
        tone=Development.Tone.TENSION,
        dimension=Development.Dimension.SECURITY,
        participants=[kazakhstan, russia, ActorFactory(name="Kyrgyzstan")],
    )
    DevelopmentFactory(
        title="Summit", date=datetime.date(2023, 5, 18), tone=2, participants=[china, kazakhstan]
    )
    return {"cold": cold, "warm": warm, "quiet": quiet, "latest": latest}


def _item(page, relation):
    return page.main.find("a", href=relation.get_absolute_url(), class_="relation-index__name").parent


def test_each_relation_is_listed_with_its_actors_state_latest_tone_and_latest_development(client, relations):
    page = _page(client, "relations:relation-list")

    names = [a.get_text() for a in page.main.select(".relation-index__name")]
    # Each pair as its page names it (the pair's stored order), by the first name, then the second.
    assert names == ["Kazakhstan – China", "Kazakhstan – European Union", "Kazakhstan – Russia"]
    cold = _item(page, relations["cold"])
    assert cold.find(class_="state").get_text() == "Cooperative"
    assert cold.find(class_="tone-key").get_text() == "Tension"  # 2022, not the warmer 2021
    assert "(−1.0 in 2022, 1 development)" in cold.p.get_text()
    latest = cold.p.find("time").parent
    assert latest["href"] == f"{relations['cold'].get_absolute_url()}#development-{relations['latest'].slug}"
    assert latest.time["datetime"] == "2022-06-01"
    assert _item(page, relations["quiet"]).p.get_text(strip=True) == "No developments recorded"


def test_the_network_links_every_actor_and_relation_and_says_what_it_shows(client, relations):
    svgs = _svgs(client, "relations:relation-list")
    assert [svg.get("class") for svg in svgs] == [
        "chart chart--wide network-chart",
        "chart chart--narrow network-chart",
    ]
    trio = [relations[key] for key in ("cold", "warm", "quiet")]
    actors = {relation.actor_a for relation in trio} | {relation.actor_b for relation in trio}
    pages = {relation.get_absolute_url() for relation in trio}
    for svg in svgs:
        assert svg.get("role") == "img"
        assert svg.get("viewBox").startswith("0 0 ")
        title_id, desc_id = svg.get("aria-labelledby").split()
        title = svg.find(f"{SVG}title")
        desc = svg.find(f"{SVG}desc")
        assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
        assert desc.text == (
            "4 actors linked by 3 relations. Tone in each relation's latest year: "
            "1 close cooperation, 1 tension, 1 without developments."
        )
        links = _links(svg)
        assert set(links) == pages | {actor.get_absolute_url() for actor in actors}
        edges = {
            a.get("href"): next(path for path in a.iter(f"{SVG}path") if "chart__edge" in path.get("class"))
            for a in svg.iter(f"{SVG}a")
            if a.get("href") in pages
        }
        tones = {href: edge.get("class").split()[-1] for href, edge in edges.items()}
        assert tones == {
            relations["cold"].get_absolute_url(): "tone--tension",
            relations["warm"].get_absolute_url(): "tone--close-cooperation",
            relations["quiet"].get_absolute_url(): "tone--none",
        }


def test_the_networks_data_table_matches_the_relations(client, relations):
    page = _page(client, "relations:relation-list")

    table = page.main.select_one("details.chart-data table")
    # The picture's links are for pointers; the table holds every one of them for keyboards.
    svg_links = {a["href"] for a in page.select("svg.chart a")}
    assert svg_links == {a["href"] for a in table.select("a")}
    assert all(a["tabindex"] == "-1" for a in page.select("svg.chart a"))
    rows = [
        [cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])]
        for tr in table.tbody.find_all("tr")
    ]
    assert rows == [
        ["Kazakhstan – China", "Kazakhstan , China", "2023", "+2.0 (Close cooperation)", "1"],
        ["Kazakhstan – European Union", "Kazakhstan , European Union", "No developments recorded"],
        ["Kazakhstan – Russia", "Kazakhstan , Russia", "2022", "−1.0 (Tension)", "1"],
    ]


def test_without_relations_the_page_says_so_and_draws_nothing(client):
    page = _page(client, "relations:relation-list")
    assert page.select("svg.chart") == []
    assert "No relations yet." in page.main.get_text()


def test_the_relations_page_runs_the_same_queries_for_one_relation_or_many(client):
    def add_relation():
        a, b = ActorFactory(), ActorFactory()
        RelationFactory(actor_a=a, actor_b=b)
        for tone in (-2, 1, 2):
            development = DevelopmentFactory(tone=tone, participants=[a, b, ActorFactory()])
            development.claims.add(ClaimFactory())

    add_relation()
    one = count_queries(client, reverse("relations:relation-list"))
    for _ in range(20):
        add_relation()
    assert count_queries(client, reverse("relations:relation-list")) == one
    assert one <= 6


# Navigation


@pytest.mark.parametrize("name", ["relations:actor-list", "relations:relation-list"])
def test_the_main_navigation_leads_to_both_indexes_and_marks_the_current_one(client, name):
    page = _page(client, name)
    nav = page.find("nav", class_="site-nav")
    actors = nav.find("a", string="Actors")
    relations = nav.find("a", string="Relations")
    assert actors["href"] == reverse("relations:actor-list")
    assert relations["href"] == reverse("relations:relation-list")
    current = nav.find_all("a", attrs={"aria-current": "page"})
    assert [a["href"] for a in current] == [reverse(name)]
