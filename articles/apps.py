from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles, sources and claims"

    def ready(self):
        # SQLite drops a table's triggers when a migration rebuilds it: put the search ones back.
        post_migrate.connect(_install_search, sender=self)


def _install_search(sender, using, **kwargs):
    from django.db import connections

    from .search_index import install

    install(connections[using])
