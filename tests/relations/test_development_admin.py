"""The admin for developments and relations: the participants rule, the evidence list, assessment dates."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils.formats import date_format

from articles.models import Claim
from relations import admin as relations_admin
from relations.models import Development, Membership, Relation
from tests.factories import (
    ActorFactory,
    ArticleFactory,
    ClaimFactory,
    DevelopmentFactory,
    MembershipFactory,
    RelationFactory,
)
from tests.helpers import UNPUBLISHED_STATES, form_data

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The admin's "today", fixed, so a test run across midnight cannot fail."""
    monkeypatch.setattr(relations_admin.timezone, "localdate", lambda *args, **kwargs: TODAY)


# Participants


def _development_data(*participants, slug="xian-summit"):
    return {
        "title": "Xi'an summit",
        "slug": slug,
        "date": "2023-05-18",
        "date_precision": "day",
        "end_date": "",
        "participants": [str(actor.pk) for actor in participants],
        "dimension": "diplomatic",
        "tone": "1",
        "description": "",
    }


@pytest.mark.parametrize("count", [0, 1])
def test_a_development_with_fewer_than_two_participants_is_refused_with_a_clear_message(admin_client, count):
    actors = [ActorFactory() for _ in range(count)]

    response = admin_client.post(reverse("admin:relations_development_add"), _development_data(*actors))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    if count:  # with none, the field's own "required" speaks first
        assert errors["participants"] == [
            "A development needs at least two participants: the actors between whom it happens. "
            "Add the other side, or record it on the actor instead."
        ]
    else:
        assert "participants" in errors
    assert not Development.objects.exists()


def test_removing_a_participant_from_a_pair_is_refused(admin_client):
    china, kazakhstan = ActorFactory(), ActorFactory()
    development = DevelopmentFactory(participants=[china, kazakhstan])
    url = reverse("admin:relations_development_change", args=[development.pk])
    data = {**form_data(admin_client.get(url)), "participants": [str(china.pk)]}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "at least two participants" in response.context["adminform"].form.errors["participants"][0]
    assert set(development.participants.all()) == {china, kazakhstan}


def test_a_development_with_three_participants_is_saved(admin_client):
    actors = [ActorFactory() for _ in range(3)]

    response = admin_client.post(reverse("admin:relations_development_add"), _development_data(*actors))

    assert response.status_code == 302
    assert set(Development.objects.get().participants.all()) == set(actors)


# The evidence list


@pytest.fixture
def evidenced():
    """Developments by what evidences them."""

    def with_claims(title, *claims):
        development = DevelopmentFactory(title=title, participants=[ActorFactory(), ActorFactory()])
        for claim in claims:
            claim.developments.add(development)
        return development

    draft = ArticleFactory(**UNPUBLISHED_STATES["draft"]())
    return {
        "verified": with_claims("Verified", ClaimFactory(status=Claim.Status.VERIFIED)),
        "mixed": with_claims(
            "Disputed and verified",
            ClaimFactory(status=Claim.Status.DISPUTED),
            ClaimFactory(status=Claim.Status.VERIFIED),
        ),
        "draft": with_claims(
            "Verified in a draft", ClaimFactory(article=draft, status=Claim.Status.VERIFIED)
        ),
        "unverified": with_claims("Unverified", ClaimFactory(status=Claim.Status.UNVERIFIED)),
        "false": with_claims("False", ClaimFactory(status=Claim.Status.FALSE)),
        "bare": with_claims("No claims"),
    }


def _listed(admin_client, **query) -> set[str]:
    response = admin_client.get(reverse("admin:relations_development_changelist"), query)
    assert response.status_code == 200
    return {str(row) for row in response.context["cl"].queryset}


def test_the_evidence_filter_lists_developments_with_and_without_verified_evidence(admin_client, evidenced):
    assert _listed(admin_client, evidence="verified") == {"Verified", "Disputed and verified"}
    # As on the public page: a verified claim in a draft confirms nothing yet.
    assert _listed(admin_client, evidence="unverified") == {
        "Verified in a draft",
        "Unverified",
        "False",
        "No claims",
    }
    assert len(_listed(admin_client)) == 6


def test_the_evidence_filter_is_offered_by_name_in_the_changelist(admin_client, evidenced):
    page = BeautifulSoup(
        admin_client.get(reverse("admin:relations_development_changelist")).content, "html.parser"
    )

    links = {link.get_text(strip=True): link["href"] for link in page.select("#changelist-filter a")}
    assert links["confirmed (a verified claim in a published article)"] == "?evidence=verified"
    assert links["without verified evidence (unconfirmed)"] == "?evidence=unverified"


# Relations: when the state was assessed


@pytest.fixture
def relation():
    return RelationFactory(state=Relation.State.COOPERATIVE, assessed_on=datetime.date(2023, 3, 9))


def _change(admin_client, relation, **changes):
    url = reverse("admin:relations_relation_change", args=[relation.pk])
    response = admin_client.post(url, {**form_data(admin_client.get(url)), **changes})
    assert response.status_code == 302, response.context["adminform"].form.errors
    relation.refresh_from_db()
    return relation


def test_changing_the_state_without_a_new_date_dates_the_assessment_today(admin_client, relation):
    relation = _change(admin_client, relation, state=Relation.State.TENSE)
    assert (relation.state, relation.assessed_on) == (Relation.State.TENSE, TODAY)


def test_changing_the_state_with_a_new_date_keeps_that_date(admin_client, relation):
    relation = _change(admin_client, relation, state=Relation.State.TENSE, assessed_on="2023-04-01")
    assert relation.assessed_on == datetime.date(2023, 4, 1)


def test_editing_the_summary_alone_leaves_the_assessment_date(admin_client, relation):
    relation = _change(admin_client, relation, summary="Reworded.")
    assert (relation.summary, relation.assessed_on) == ("Reworded.", datetime.date(2023, 3, 9))


def test_a_new_relation_without_a_date_is_assessed_today(admin_client):
    china, kazakhstan = ActorFactory(), ActorFactory()
    data = {"actor_a": str(china.pk), "actor_b": str(kazakhstan.pk), "slug": "china-kazakhstan"}

    response = admin_client.post(reverse("admin:relations_relation_add"), {**data, "state": "mixed"})

    assert response.status_code == 302
    assert Relation.objects.get().assessed_on == TODAY


def test_the_relation_form_shows_the_assessment_date_beside_the_state_and_explains_it(admin_client, relation):
    response = admin_client.get(reverse("admin:relations_relation_change", args=[relation.pk]))
    page = BeautifulSoup(response.content, "html.parser")

    row = page.find(id="id_state").find_parent(class_="form-row")
    assert row.find(id="id_assessed_on") is not None
    assert "becomes today" in row.get_text(" ", strip=True)


def test_the_relation_list_shows_when_each_state_was_assessed(admin_client, relation):
    response = admin_client.get(reverse("admin:relations_relation_changelist"))
    page = BeautifulSoup(response.content, "html.parser")

    headers = [th.get_text(strip=True) for th in page.select("#result_list thead th")]
    assert "Assessed on" in headers
    assert page.select_one("#result_list td.field-assessed_on").get_text(strip=True) == date_format(
        datetime.date(2023, 3, 9)
    )


# Memberships


def test_a_suspended_membership_shows_and_can_be_filtered(admin_client):
    MembershipFactory(role=Membership.Role.SUSPENDED)
    MembershipFactory(role=Membership.Role.MEMBER)
    url = reverse("admin:relations_membership_changelist")

    page = BeautifulSoup(admin_client.get(url).content, "html.parser")
    filters = {link.get_text(strip=True): link["href"] for link in page.select("#changelist-filter a")}
    roles = [td.get_text(strip=True) for td in page.select("#result_list td.field-role")]

    assert "Suspended member" in roles
    assert filters["Suspended member"] == "?role__exact=suspended"
    assert {
        str(row.role) for row in admin_client.get(url, {"role__exact": "suspended"}).context["cl"].queryset
    } == {"suspended"}


def test_the_actor_page_offers_the_suspended_role_for_a_membership(admin_client):
    membership = MembershipFactory(role=Membership.Role.SUSPENDED)
    page = BeautifulSoup(
        admin_client.get(reverse("admin:relations_actor_change", args=[membership.member.pk])).content,
        "html.parser",
    )

    select = page.find("select", attrs={"name": "memberships-0-role"})
    assert select.find("option", selected=True).get_text(strip=True) == "Suspended member"
