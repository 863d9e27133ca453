from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def date_earlier_withdrawals(apps, schema_editor):
    """Articles withdrawn before this change get the time of their withdrawal step. Their notes were
    written for the desk, not for readers, so none becomes a public notice."""
    Article = apps.get_model("articles", "Article")
    ArticleStep = apps.get_model("articles", "ArticleStep")
    last_withdrawal = ArticleStep.objects.filter(article=OuterRef("pk"), action="withdrawn").order_by("-at")
    Article.objects.filter(status="withdrawn").update(withdrawn_at=Subquery(last_withdrawal.values("at")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_ledger_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="withdrawal_notice",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Why it was withdrawn, as readers read it at its address.",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(date_earlier_withdrawals, migrations.RunPython.noop, elidable=True),
    ]
