"""Revisions in the admin: every save kept (django-reversion), a history with word-by-word
differences between any two revisions, no lost updates, and who else has the record open."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from reversion.models import Version

from . import presence
from .diffs import changed_fields

SEEN_FIELD = "seen_revision"


def latest_version_id(model, pk) -> int:
    """The newest revision of a record, 0 if it has none: what a change page was opened on."""
    return Version.objects.get_for_object_reference(model, pk).values_list("pk", flat=True).first() or 0


def saved_by(version: Version) -> str:
    user = version.revision.user
    return (user.get_full_name() or user.get_username()) if user else "someone"


class StaleSaveForm(forms.ModelForm):
    """Refuses to save over changes made after the page was opened, and merges them in.

    The form carries the revision it was opened on. Saving locks the record; if a newer revision
    exists, nothing is saved. The fields this user left alone take the newer values, the ones
    both changed keep this user's, and the error shows what changed meanwhile and by whom. Saving
    the form again then keeps both people's work.
    """

    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    compared_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[SEEN_FIELD].initial = latest_version_id(type(self.instance), self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        current = model._default_manager.select_for_update().get(pk=self.instance.pk)
        newest = latest_version_id(model, current.pk)
        seen = cleaned.get(SEEN_FIELD) or 0
        if newest != seen:
            saved = Version.objects.filter(pk=seen).first()
            before = saved.field_dict if saved else {}
            self.data = self.data.copy()
            both = self._take_theirs(before, current) if saved else []
            self.data[self.add_prefix(SEEN_FIELD)] = newest
            raise ValidationError(self._conflict(model, seen, before, both))
        return cleaned

    def _take_theirs(self, before: dict, current) -> list[str]:
        """Put the newer values into the fields this user left alone; the labels of those both changed."""
        both = []
        for name, formfield in self.fields.items():
            field = next((f for f in current._meta.concrete_fields if f.name == name), None)
            if field is None or field.attname not in before:
                continue
            theirs = getattr(current, field.attname)
            if theirs == before[field.attname]:
                continue
            if formfield.has_changed(before[field.attname], self[name].data):
                both.append(str(field.verbose_name))
            else:
                self.data[self.add_prefix(name)] = "" if theirs is None else theirs
        return both

    def _conflict(self, model, seen: int, before: dict, both: list[str]):
        newer = (
            Version.objects.get_for_object_reference(model, self.instance.pk)
            .filter(pk__gt=seen)
            .select_related("revision__user")
        )
        latest = newer[0]
        who = " and ".join(sorted({saved_by(version) for version in newer}))
        changes = changed_fields(before, latest.field_dict, self.compared_fields)
        when = timezone.localtime(latest.revision.date_created)
        listed = format_html_join(
            "",
            '<details class="conflict" open><summary>{}</summary><div class="diff">{}</div></details>',
            ((change.label, change.html) for change in changes),
        )
        kept = format_html(" You both changed {}: the form keeps yours.", ", ".join(both)) if both else ""
        return format_html(
            "{} saved this {} after you opened it (last at {}). Nothing of yours is saved yet: the form "
            "now holds their changes and yours.{} What they changed: {}Check the form, then save again.",
            who,
            model._meta.verbose_name,
            f"{when:%H:%M, %-d %B}",
            kept,
            listed or "its related records. ",
        )


class RevisionAdmin(admin.ModelAdmin):
    """Keeps a revision of every save made here, refuses stale saves, shows who else has the record
    open, and replaces the admin's history page with the revisions and their differences."""

    form = StaleSaveForm
    history_template = "admin/revisions.html"

    def compared_fields(self) -> dict[str, str]:
        """The fields compared in a conflict and in the history, with their labels; fields a
        revision does not keep are equal on both sides and never listed."""
        return {
            field.attname: str(field.verbose_name).capitalize()
            for field in self.model._meta.concrete_fields
            if not field.primary_key
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.compared_fields = self.compared_fields()
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        context = extra_context or {}
        if object_id is not None:
            presence.mark_open(self.opts.label, object_id, request.user)
            context["others_viewing"] = presence.others_viewing(self.opts.label, object_id, request.user)
            context["heartbeat_url"] = reverse(f"admin:{self._url_name('heartbeat')}", args=[object_id])
        if request.method != "POST":
            if object_id is not None:
                self._keep_a_first_revision(request, object_id)
            return super().changeform_view(request, object_id, form_url, context)
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, context)

    def _keep_a_first_revision(self, request, object_id) -> None:
        """A record saved before revisions were kept (or by a door that keeps none) gets one as it
        is when first opened, so a later save can tell what changed since."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or latest_version_id(self.model, obj.pk):
            return
        with reversion.create_revision():
            reversion.add_to_revision(obj)
            reversion.set_comment("As it was when its revisions began.")

    def log_addition(self, request, obj, message):
        reversion.set_comment("Added.")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        reversion.set_comment(entry.get_change_message() or "Saved without changes.")
        return entry

    def get_urls(self):
        heartbeat = self.admin_site.admin_view(self.heartbeat_view)
        opened = path("<path:object_id>/open/", heartbeat, name=self._url_name("heartbeat"))
        return [opened, *super().get_urls()]

    def _url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def heartbeat_view(self, request, object_id):
        """An open change page calls this every minute: it stays listed as open, and learns who else is."""
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        presence.mark_open(self.opts.label, obj.pk, request.user)
        return JsonResponse({"others": presence.others_viewing(self.opts.label, obj.pk, request.user)})

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        versions = list(Version.objects.get_for_object(obj).select_related("revision__user"))
        compared = self._compared(request, versions)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": f"Revisions of “{obj}”",
            "versions": versions,
            "compared": compared,
            "can_restore": self.may_restore(request, obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.history_template, context)

    def _compared(self, request, versions: list[Version]) -> dict | None:
        """The two revisions chosen to compare (`?older=ID&newer=ID`), and how they differ."""
        by_id = {str(version.pk): version for version in versions}
        older, newer = by_id.get(request.GET.get("older", "")), by_id.get(request.GET.get("newer", ""))
        if older is None or newer is None:
            return None
        if older.pk > newer.pk:
            older, newer = newer, older
        return {
            "older": older,
            "newer": newer,
            "changes": changed_fields(older.field_dict, newer.field_dict, self.compared_fields()),
        }

    def may_restore(self, request, obj) -> bool:
        """Whether the history page offers to restore revisions (see `RestorableRevisionAdmin`)."""
        return False


class RestorableRevisionAdmin(RevisionAdmin):
    """A `RevisionAdmin` whose history page restores a revision through `restore`, once confirmed."""

    restore_template = "admin/revision_restore.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.restore_view)
        return [
            path("<path:object_id>/history/<int:version_id>/restore/", view, name=self._url_name("restore")),
            *super().get_urls(),
        ]

    def restore(self, request, obj, version: Version) -> None:
        """Bring `version` back, through the model's own service."""
        raise NotImplementedError

    def restore_warning(self, obj) -> str:
        """What to say before restoring, e.g. that readers will see it at once."""
        return ""

    def restore_view(self, request, object_id, version_id):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.may_restore(request, obj):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_object(obj), pk=version_id)
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "object": obj,
                "version": version,
                "warning": self.restore_warning(obj),
                "title": "Restore this revision?",
            }
            return TemplateResponse(request, self.restore_template, context)
        try:
            self.restore(request, obj, version)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            when = timezone.localtime(version.revision.date_created)
            messages.success(request, f"Restored the revision of {when:%-d %B %Y, %H:%M}.")
        return HttpResponseRedirect(reverse(f"admin:{self._url_name('change')}", args=[obj.pk]))
