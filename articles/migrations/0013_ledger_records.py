"""Move existing rows onto the evidence ledger's vocabulary, and give the roles its permissions.

- Sources of kind "statistics" become "dataset" (CSL's name for the same thing).
- A claim checked before reviews were kept gets one review from its recorded status, checker and
  time, so its history starts with what is known rather than nothing.
- Analysts link claims, grade sources and read the histories; editors and administrators hold every
  permission already.
"""

from importlib import import_module

from django.db import migrations

desk_roles = import_module("articles.migrations.0007_desk_roles")
spreadsheet_roles = import_module("articles.migrations.0011_spreadsheet_roles")
ANALYST = {
    "articles": {
        **spreadsheet_roles.ANALYST["articles"],
        "source": [*spreadsheet_roles.ANALYST["articles"]["source"], "assess"],
        "claimlink": [*desk_roles.CURATE, "delete"],
        "claimreview": desk_roles.VIEW,
        "sourceassessment": desk_roles.VIEW,
    },
    "relations": spreadsheet_roles.ANALYST["relations"],
}


def set_roles(apps, schema_editor):
    desk_roles.set_roles(apps, schema_editor, analyst=ANALYST)


EARLIER = "Recorded before review histories were kept."


def forwards(apps, schema_editor):
    Source = apps.get_model("articles", "Source")
    Claim = apps.get_model("articles", "Claim")
    ClaimReview = apps.get_model("articles", "ClaimReview")
    Source.objects.filter(kind="statistics").update(kind="dataset")
    checked = Claim.objects.filter(checked_at__isnull=False, reviews__isnull=True)
    ClaimReview.objects.bulk_create(
        ClaimReview(
            claim_id=claim.pk,
            from_status="unverified",
            to_status=claim.status,
            note=EARLIER,
            user_id=claim.checked_by_id,
            user_name=claim.checked_by_name,
            at=claim.checked_at,
        )
        for claim in checked.iterator(chunk_size=2000)
    )
    set_roles(apps, schema_editor)


def backwards(apps, schema_editor):
    apps.get_model("articles", "Source").objects.filter(kind="dataset").update(kind="statistics")


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_evidence_ledger")]

    operations = [migrations.RunPython(forwards, backwards)]
