"""Public pages for actors and the relations between them."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from common.paging import keyset_page

from .models import Actor, Relation
from .selectors import (
    actor_articles_published,
    actor_memberships,
    actor_relations,
    organisation_members,
    relation_state_published,
)


@require_safe
def actor_detail(request, slug):
    actor = get_object_or_404(Actor, slug=slug)
    page = keyset_page(request, actor_articles_published(actor=actor))
    context = {
        "actor": actor,
        "memberships": actor_memberships(actor=actor),
        "members": organisation_members(actor=actor) if actor.kind == Actor.Kind.ORGANISATION else (),
        "relations": actor_relations(actor=actor),
        "page": page,
        "articles": page.object_list,
    }
    return render(request, "relations/actor_detail.html", context)


@require_safe
def relation_detail(request, slug):
    relation = get_object_or_404(Relation.objects.select_related("actor_a", "actor_b"), slug=slug)
    context = {"relation": relation, "state": relation_state_published(relation=relation)}
    return render(request, "relations/relation_detail.html", context)
