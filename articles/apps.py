from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles, sources and claims"

    def ready(self):
        from common.caching import forget_public_pages_at, forget_public_pages_on_change

        from .selectors import next_publication_time

        # Everything readers see, but not the desk's own records (suggestions, steps of drafts).
        private = {"ClaimSuggestion", "ArticleStep"}
        forget_public_pages_on_change(
            *(model for model in self.get_models() if model.__name__ not in private)
        )
        forget_public_pages_at(next_publication_time)
        _keep_tombstones(self)
        # SQLite drops a table's triggers when a migration rebuilds it: put the search ones back.
        post_migrate.connect(_install_search, sender=self)


def _keep_tombstones(app) -> None:
    from common.tombstones import tombstones_for

    for name, identifier in [
        ("Article", "slug"),
        ("Claim", "uid"),
        ("Source", "key"),
        ("Author", "slug"),
        ("Topic", "slug"),
    ]:
        model = app.get_model(name)
        tombstones_for(model, name=name.lower(), identifier=identifier, public=model.objects.published)


def _install_search(sender, using, **kwargs):
    from django.db import connections

    from .search_index import install

    install(connections[using])
