from django.apps import AppConfig


class RelationsConfig(AppConfig):
    name = "relations"
    verbose_name = "Actors and relations"

    def ready(self):
        from common.caching import forget_public_pages_on_change

        forget_public_pages_on_change(*self.get_models())
