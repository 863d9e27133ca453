"""Public pages for actors and the relations between them, with their charts."""

from itertools import groupby

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from common.caching import public_page
from common.paging import CURSORS, keyset_page

from .charts import (
    LAYOUTS,
    dimension_legend,
    kind_legend,
    network_chart,
    recent_tones,
    relation_bars,
    timeline_chart,
    tone_legend,
)
from .models import Actor, Relation
from .selectors import (
    actor_articles_published,
    actor_memberships,
    actor_relations,
    actors_index,
    organisation_members,
    relation_state_published,
    relation_states_published,
    relations_index,
)

# The heading of each group on the actors page.
KIND_PLURALS = {
    Actor.Kind.STATE: "States",
    Actor.Kind.ORGANISATION: "International organisations",
    Actor.Kind.COMPANY: "Companies",
    Actor.Kind.PERSON: "People",
    Actor.Kind.REGION: "Regions",
}


@require_safe
@public_page
def actor_list(request):
    kinds = list(Actor.Kind)
    actors = sorted(actors_index(), key=lambda actor: kinds.index(actor.kind))  # stable: by name within
    groups = [
        (Actor.Kind(kind), KIND_PLURALS[kind], list(rows))
        for kind, rows in groupby(actors, key=lambda actor: actor.kind)
    ]
    return render(request, "relations/actor_list.html", {"groups": groups})


@require_safe
@public_page(query=CURSORS)
def actor_detail(request, slug):
    actor = get_object_or_404(Actor, slug=slug)
    page = keyset_page(request, actor_articles_published(actor=actor))
    recents = recent_tones(relation_states_published(relations=actor_relations(actor=actor)))
    context = {
        "actor": actor,
        "memberships": actor_memberships(actor=actor),
        "members": organisation_members(actor=actor) if actor.kind == Actor.Kind.ORGANISATION else (),
        "bars": relation_bars(actor=actor, recents=recents),
        "page": page,
        "articles": page.object_list,
    }
    return render(request, "relations/actor_detail.html", context)


@require_safe
@public_page
def relation_list(request):
    recents = recent_tones(relation_states_published(relations=relations_index()))
    charts = [chart for layout in LAYOUTS if (chart := network_chart(recents=recents, layout=layout))]
    context = {
        "recents": recents,
        "charts": charts,
        "tone_legend": tone_legend(),
        "kind_legend": kind_legend(charts[0].nodes) if charts else [],
    }
    return render(request, "relations/relation_list.html", context)


@require_safe
@public_page
def relation_detail(request, slug):
    relation = get_object_or_404(Relation.objects.select_related("actor_a", "actor_b"), slug=slug)
    state = relation_state_published(relation=relation)
    charts = [
        chart
        for layout in LAYOUTS
        if (chart := timeline_chart(relation=relation, state=state, layout=layout))
    ]
    context = {
        "relation": relation,
        "state": state,
        "charts": charts,
        "dimension_legend": dimension_legend(state),
    }
    return render(request, "relations/relation_detail.html", context)
