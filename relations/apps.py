from django.apps import AppConfig


class RelationsConfig(AppConfig):
    name = "relations"
    verbose_name = "Actors and relations"

    def ready(self):
        from common.caching import forget_public_pages_on_change
        from common.tombstones import tombstones_for

        forget_public_pages_on_change(*self.get_models())
        # Public reference data: deleting one is what takes it from public view.
        for name in ["Actor", "Relation", "Development"]:
            model = self.get_model(name)
            tombstones_for(model, name=name.lower(), identifier="slug", public=model.objects.all)
