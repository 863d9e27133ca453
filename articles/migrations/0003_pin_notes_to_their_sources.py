"""Write into every article's text the source each note whose address was lost cites.

Until now such a note (`[words](#)`) was matched to its source by its number, so any edit above it
moved it to another source. The numbers are still right at this moment: each `(#)` link becomes
`(source:KEY)` with the key of the source its note cites now, and no later edit can move it.

Sources the renderer made for those notes (no address, no publisher, no author, no date, titled
with the note's linked words or "Note N") are marked as placeholders, to be completed or replaced.
"""

from django.db import migrations

from articles.rendering import TargetKind, key_target, render_body, rewrite_link_targets


def pin_notes(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Citation = apps.get_model("articles", "Citation")
    for article in Article.objects.exclude(body="").iterator():
        keys = dict(Citation.objects.filter(article=article).values_list("number", "source__key"))
        targets = {
            link.number: key_target(keys[link.number])
            for link in render_body(article.body).links
            if link.kind is TargetKind.LOST and link.number in keys
        }
        if targets:
            article.body = rewrite_link_targets(article.body, targets)
            article.save(update_fields=["body"])


def mark_placeholders(apps, schema_editor):
    Source = apps.get_model("articles", "Source")
    Citation = apps.get_model("articles", "Citation")
    bare = Source.objects.filter(url="", publisher="", author="", published_on=None, archive_url="", kind="other")
    for source in bare.iterator():
        words = set(Citation.objects.filter(source=source).values_list("anchor_text", "number"))
        if words and all(source.title in {text, f"Note {number}"} for text, number in words):
            Source.objects.filter(pk=source.pk).update(placeholder=True)


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_placeholders_suggestions_anchors")]

    operations = [
        migrations.RunPython(pin_notes, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(mark_placeholders, migrations.RunPython.noop, elidable=False),
    ]

