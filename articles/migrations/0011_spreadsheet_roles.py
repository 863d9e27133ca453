"""Analysts import and export the catalogue they curate: memberships, relations, developments and
authors as well as sources, claims and actors; topics and articles they export. Editors and
administrators hold every permission already."""

from importlib import import_module

from django.db import migrations

desk_roles = import_module("articles.migrations.0007_desk_roles")
CURATE_SPREADSHEETS = [*desk_roles.CURATE, "import", "export"]
ANALYST = {
    "articles": {
        **desk_roles.ANALYST["articles"],
        "author": CURATE_SPREADSHEETS,
        "topic": [*desk_roles.VIEW, "export"],
        "article": [*desk_roles.CURATE, "export"],
    },
    "relations": {
        **desk_roles.ANALYST["relations"],
        "membership": [*CURATE_SPREADSHEETS, "delete"],
        "relation": CURATE_SPREADSHEETS,
        "development": CURATE_SPREADSHEETS,
    },
}


def set_roles(apps, schema_editor):
    desk_roles.set_roles(apps, schema_editor, analyst=ANALYST)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_spreadsheet_permissions"),
        ("relations", "0002_spreadsheet_permissions"),
    ]

    operations = [migrations.RunPython(set_roles, migrations.RunPython.noop)]
