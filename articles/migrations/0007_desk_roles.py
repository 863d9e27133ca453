"""The desk's roles as groups: Analyst, Editor and Administrator.

Running it again (or a later migration like it) puts each group's permissions back to what is
written here, so the roles stay what the README says they are.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_APPS = ["articles", "relations"]
VIEW = ["view"]
CURATE = ["add", "change", "view"]
ANALYST = {
    "articles": {
        "article": CURATE,
        "author": CURATE,
        "topic": VIEW,
        "source": [*CURATE, "import", "export"],
        "citation": [*VIEW, "import", "export"],
        "missinglink": VIEW,
        "claim": [*CURATE, "delete", "import", "export"],
        "claimevidence": [*CURATE, "delete"],
        "claimsuggestion": ["change", "view"],
        "correction": VIEW,
        "articlestep": VIEW,
        "articleauthor": [*CURATE, "delete"],
    },
    "relations": {
        "actor": [*CURATE, "import", "export"],
        "membership": [*CURATE, "delete"],
        "relation": CURATE,
        "development": CURATE,
    },
}


def _ensure_permissions(apps):
    """Permissions are made after migrations run; the groups need them now."""
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = models_module


def set_roles(apps, schema_editor, analyst=ANALYST):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def named(codenames_by_model):
        wanted = [
            (app, f"{action}_{model}")
            for app, models in codenames_by_model.items()
            for model, actions in models.items()
            for action in actions
        ]
        found = {
            (perm.content_type.app_label, perm.codename): perm
            for perm in Permission.objects.filter(content_type__app_label__in=CONTENT_APPS).select_related(
                "content_type"
            )
        }
        missing = [codename for codename in wanted if codename not in found]
        if missing:
            raise RuntimeError(f"Permissions not found for the roles: {missing}")
        return [found[codename] for codename in wanted]

    content = Permission.objects.filter(content_type__app_label__in=CONTENT_APPS)
    roles = {
        "Analyst": named(analyst),
        "Editor": list(content),
        "Administrator": list(Permission.objects.all()),
    }
    for name, permissions in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_desk"),
        ("relations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(set_roles, migrations.RunPython.noop)]
