import pytest
import tablib
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relations.models import Actor, Development, Membership, Relation
from relations.resources import ActorResource
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    DevelopmentFactory,
    MembershipFactory,
    RelationFactory,
    StaffFactory,
)
from tests.helpers import management

pytestmark = pytest.mark.django_db

RELATIONS_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "relations"),
    key=lambda model: model._meta.model_name,
)
ACTOR_FIELDS = ["slug", "name", "kind", "aliases", "iso_code", "wikidata_id", "description"]


@pytest.fixture
def content():
    membership = MembershipFactory()
    relation = RelationFactory(actor_a=membership.member)
    development = DevelopmentFactory(participants=[relation.actor_a, relation.actor_b])
    ClaimFactory().developments.add(development)
    return relation


@pytest.mark.parametrize("model", RELATIONS_MODELS, ids=lambda model: model._meta.model_name)
def test_every_admin_page_answers_for_a_superuser(admin_client, content, model):
    info = model._meta.app_label, model._meta.model_name
    obj = model.objects.first()

    assert admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
    assert admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("model_name", ["actor", "development", "relation"])
def test_changelists_run_the_same_number_of_queries_for_one_row_or_thirty(admin_client, model_name):
    url = reverse(f"admin:relations_{model_name}_changelist")

    def make(n):
        for _ in range(n):
            RelationFactory(actor_a=ActorFactory(), actor_b=ActorFactory())
            DevelopmentFactory(participants=[ActorFactory(), ActorFactory()])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    make(1)
    admin_client.get(url)
    one = count()
    make(29)
    assert count() == one


def _development_data(*participants):
    return {
        "title": "Xi'an summit",
        "slug": "xian-summit",
        "date": "2023-05-18",
        "date_precision": "day",
        "end_date": "",
        "participants": [str(actor.pk) for actor in participants],
        "dimension": "diplomatic",
        "tone": "1",
        "description": "",
    }


def test_a_development_with_one_participant_is_rejected(admin_client):
    china = ActorFactory()

    response = admin_client.post(reverse("admin:relations_development_add"), _development_data(china))

    assert response.status_code == 200
    assert "at least two participants" in str(response.context["adminform"].form.errors)
    assert not Development.objects.exists()


def test_a_development_with_two_participants_is_saved(admin_client):
    china, kazakhstan = ActorFactory(), ActorFactory()

    response = admin_client.post(
        reverse("admin:relations_development_add"), _development_data(china, kazakhstan)
    )

    assert response.status_code == 302
    assert set(Development.objects.get().participants.all()) == {china, kazakhstan}


def _relation_data(first, second, slug="china-kazakhstan"):
    return {"actor_a": str(first.pk), "actor_b": str(second.pk), "slug": slug, "state": "cooperative"}


def test_a_relation_entered_either_way_round_is_stored_in_canonical_order(admin_client):
    china, kazakhstan = ActorFactory(), ActorFactory()

    response = admin_client.post(reverse("admin:relations_relation_add"), _relation_data(kazakhstan, china))

    assert response.status_code == 302
    relation = Relation.objects.get()
    assert (relation.actor_a, relation.actor_b) == (china, kazakhstan)


def test_a_pair_that_already_has_a_relation_is_a_form_error_whichever_way_round(admin_client):
    china, kazakhstan = ActorFactory(), ActorFactory()
    RelationFactory(actor_a=china, actor_b=kazakhstan)

    response = admin_client.post(
        reverse("admin:relations_relation_add"), _relation_data(kazakhstan, china, slug="again")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Relation.objects.count() == 1


def test_a_relation_of_an_actor_with_itself_is_a_form_error(admin_client):
    china = ActorFactory()
    response = admin_client.post(reverse("admin:relations_relation_add"), _relation_data(china, china))
    assert response.status_code == 200
    assert "two different actors" in str(response.context["adminform"].form.errors)


def test_the_relation_page_shows_its_timeline(admin_client, content):
    development = Development.objects.get()
    response = admin_client.get(reverse("admin:relations_relation_change", args=[content.pk]))
    assert development.title in response.content.decode()


def test_memberships_are_edited_on_the_member_actor(admin_client):
    sco = ActorFactory(kind=Actor.Kind.ORGANISATION, name="SCO")
    kazakhstan = ActorFactory()
    data = {
        "name": kazakhstan.name,
        "slug": kazakhstan.slug,
        "kind": "state",
        "description": "",
        "aliases": "Kazakh\nAstana",
        "iso_code": "KZ",
        "wikidata_id": "Q232",
        **management("memberships", total=1),
        "memberships-0-organisation": str(sco.pk),
        "memberships-0-role": "member",
        "memberships-0-start_date": "2001-06-15",
        "memberships-0-end_date": "",
    }

    response = admin_client.post(reverse("admin:relations_actor_change", args=[kazakhstan.pk]), data)

    assert response.status_code == 302
    assert Membership.objects.get().organisation == sco
    kazakhstan.refresh_from_db()
    assert kazakhstan.alias_list == ["Kazakh", "Astana"]


def _staff_with(client, *codenames):
    user = StaffFactory()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def test_staff_without_the_import_permission_cannot_import_actors(client):
    client = _staff_with(client, "view_actor", "change_actor", "add_actor", "export_actor")
    assert client.get(reverse("admin:relations_actor_import")).status_code == 403
    assert client.get(reverse("admin:relations_actor_export")).status_code == 200


def test_staff_without_the_export_permission_cannot_export_actors(client):
    client = _staff_with(client, "view_actor", "change_actor", "import_actor")
    assert client.get(reverse("admin:relations_actor_export")).status_code == 403
    assert client.get(reverse("admin:relations_actor_import")).status_code == 200


def _actors():
    return {a.slug: {f: getattr(a, f) for f in ACTOR_FIELDS} for a in Actor.objects.all()}


def test_actors_survive_an_export_and_an_import_into_a_database_without_them(db):
    ActorFactory(slug="kazakhstan", iso_code="KZ", wikidata_id="Q232", aliases="Kazakh\nAstana")
    ActorFactory(slug="csto", kind=Actor.Kind.ORGANISATION, name="-CSTO-", description="=1+1")
    before = _actors()
    dataset = tablib.Dataset().load(ActorResource().export().export("csv"), format="csv")
    assert "'=1+1" in dataset["description"]
    Actor.objects.all().delete()

    result = ActorResource().import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert _actors() == before


def test_importing_actors_through_the_admin_keys_them_by_slug(admin_client):
    kazakhstan = ActorFactory(slug="kazakhstan", name="Kazakstan")
    csv = b"slug,name,kind,iso_code\nkazakhstan,Kazakhstan,state,KZ\nuzbekistan,Uzbekistan,state,UZ\n"

    preview = admin_client.post(
        reverse("admin:relations_actor_import"),
        {"format": "0", "import_file": SimpleUploadedFile("actors.csv", csv, content_type="text/csv")},
    )
    confirm = preview.context["confirm_form"]
    response = admin_client.post(
        reverse("admin:relations_actor_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )

    assert response.status_code == 302
    kazakhstan.refresh_from_db()
    assert (kazakhstan.name, kazakhstan.iso_code) == ("Kazakhstan", "KZ")
    assert Actor.objects.get(slug="uzbekistan").iso_code == "UZ"


def test_an_actor_import_that_breaks_a_rule_saves_nothing(db):
    ActorFactory(slug="kazakhstan", iso_code="KZ")
    dataset = tablib.Dataset(
        ["uzbekistan", "Uzbekistan", "state", "UZ"],
        ["eu", "European Union", "organisation", "EU"],  # ISO codes are for states only
        headers=["slug", "name", "kind", "iso_code"],
    )

    result = ActorResource().import_data(dataset, dry_run=False)

    assert result.has_validation_errors() or result.has_errors()
    assert list(Actor.objects.values_list("slug", flat=True)) == ["kazakhstan"]
