"""The desk's pages beyond model forms: an article's steps, importing a paper, the missing links.

Each only calls the domain code: `workflow` takes an article's steps, `ingest` reads a paper,
`importer` saves it (or previews it with nothing saved), `services.article_set_note_sources`
writes a picked source into a note's link.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views import View

from . import workflow
from .importer import article_import, article_import_preview, article_slug, article_state
from .ingest import Document, IngestError, read_file, read_text, too_large
from .links import normalise_url
from .models import Article, ArticleStep, Citation, Source
from .rendering import key_target, render_body
from .rules import may_publish, may_submit
from .services import NoteChoice, article_set_note_sources, source_keys_new
from .suggestions import sentence_around

NOTES_PER_PAGE = 25
RECENT_STEPS = 8


@dataclass(frozen=True)
class Step:
    """A step the desk offers on an article's page: its button, and what it asks for."""

    action: str
    label: str
    service: Callable
    note: str = ""  # the note's label; empty if the step takes none
    note_required: bool = False
    asks_time: bool = False


SUBMIT = Step("submit", "Submit for review", workflow.article_submit, "A note for the editor")
SEND_BACK = Step(
    "send-back", "Send back", workflow.article_send_back, "What should change", note_required=True
)
PUBLISH = Step(
    "publish", "Publish or schedule", workflow.article_publish, "A note for the record", asks_time=True
)
UNSCHEDULE = Step("unschedule", "Unschedule", workflow.article_unschedule, "Why")
WITHDRAW = Step(
    "withdraw", "Withdraw", workflow.article_withdraw, "Why it is withdrawn (readers see this at its address)"
)
CORRECT = Step("correct", "Correct", workflow.article_correct, "The correction readers will see", True)
MARK_UPDATED = Step("mark-updated", "Mark as updated", workflow.article_mark_updated, "What was updated")
STEPS = {
    step.action: step for step in (SUBMIT, SEND_BACK, PUBLISH, UNSCHEDULE, WITHDRAW, CORRECT, MARK_UPDATED)
}


def steps_open(user, article: Article) -> list[Step]:
    """The steps `user` may take on `article` as it stands."""
    Status = Article.Status
    if article.status == Status.DRAFT:
        wanted = [SUBMIT if may_submit(user, article) else None, PUBLISH]
    elif article.status == Status.IN_REVIEW:
        wanted = [SEND_BACK, PUBLISH]
    elif article.is_scheduled:
        wanted = [PUBLISH, UNSCHEDULE, WITHDRAW]
    elif article.status == Status.PUBLISHED:
        wanted = [CORRECT, MARK_UPDATED, WITHDRAW]
    else:
        wanted = [PUBLISH]
    editor = may_publish(user)
    return [step for step in wanted if step is not None and (editor or step is SUBMIT)]


def desk_panel(request, article: Article) -> dict:
    """What the top of an article's page shows: where it stands, its last steps, what can be done."""
    return {
        "steps": steps_open(request.user, article),
        "history": list(article.steps.all()[:RECENT_STEPS]),
        "form": StepForm(),
    }


class StepForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))
    at = forms.DateTimeField(
        required=False,
        label="At",
        help_text="Leave empty to publish now; a time to come schedules it.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ArticleStepView(View):
    """Take one desk step on an article (a POST from the buttons at the top of its page)."""

    model_admin = None
    http_method_names = ["post"]

    def post(self, request, object_id, action):
        article = get_object_or_404(Article, pk=object_id)
        step = STEPS.get(action)
        if step is None:
            raise Http404("No such step.")
        form = StepForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
            return self._back(article)
        arguments = {"article": article, "user": request.user}
        if step is CORRECT:
            arguments["text"] = form.cleaned_data["note"]
        else:
            arguments["note"] = form.cleaned_data["note"]
        if step.asks_time:
            arguments["at"] = form.cleaned_data["at"]
        try:
            step.service(**arguments)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            done = ArticleStep.objects.filter(article=article).first()
            messages.success(request, f"{done.get_action_display()}: “{article}”.")
        return self._back(article)

    def _back(self, article):
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))


class ArticleImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="Markdown (.md), plain text (.txt) or Word (.docx).")
    text = forms.CharField(
        required=False,
        strip=False,
        label="…or paste the text",
        widget=forms.Textarea(attrs={"rows": 14, "class": "vLargeTextField"}),
    )
    name = forms.CharField(required=False, widget=forms.HiddenInput)
    publish = forms.BooleanField(required=False, label="Publish it at the date the text gives")

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text") or ""
        limit = settings.FOOTNOTE_MAX_ARTICLE_IMPORT_BYTES
        if problem := too_large(upload.size if upload else len(text.encode()), limit):
            raise ValidationError(capfirst(problem))
        if not upload and not text.strip():
            raise ValidationError("Choose a file or paste a text.")
        cleaned["name"] = upload.name if upload else cleaned.get("name") or "pasted text"
        return cleaned

    def document(self, *, undo: frozenset[str]) -> Document:
        """The paper in the uploaded file, or in the text: pasted, or carried over from a preview
        (a Word file's text is Markdown by then)."""
        upload, name = self.cleaned_data["file"], self.cleaned_data["name"]
        if upload:
            return read_file(upload.read(), name=name, undo=undo, max_chars=settings.FOOTNOTE_MAX_BODY_CHARS)
        return read_text(self.cleaned_data["text"], name=name, undo=undo)


class ArticleImportView(View):
    """Upload or paste a paper, see everything the import will do, and confirm it."""

    model_admin = None
    template_name = "admin/articles/article/import_text.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.model_admin.has_add_permission(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(request, ArticleImportForm())

    def post(self, request):
        form = ArticleImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form)
        undo = frozenset(request.POST.getlist("repairs")) - set(request.POST.getlist("keep"))
        publish = form.cleaned_data["publish"]
        try:
            document = form.document(undo=undo)
            if "_confirm" in request.POST and self._as_previewed(request, document):
                return self._confirm(request, document, publish)
            report = article_import_preview(document=document, publish=publish, user=request.user)
        except (IngestError, PermissionDenied) as error:
            form.add_error(None, str(error))
            return self._render(request, form)
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
            return self._render(request, form)
        carried = ArticleImportForm(
            initial={"text": document.text, "name": document.name, "publish": publish}
        )
        return self._render(request, carried, report=report)

    def _as_previewed(self, request, document) -> bool:
        """Whether the article is as the preview found it; if not, the preview is shown again."""
        if request.POST.get("state") == article_state(slug=article_slug(document)):
            return True
        messages.warning(
            request, "Since your preview, this article was created or changed: check the preview again."
        )
        return False

    def _confirm(self, request, document, publish):
        report = article_import(document=document, publish=publish, user=request.user)
        messages.success(request, f"Imported {report.summary}.")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[report.article_id]))

    def _render(self, request, form, report=None):
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": Article._meta,
            "title": "Import an article",
            "form": form,
            "report": report,
            "limit": filesizeformat(settings.FOOTNOTE_MAX_ARTICLE_IMPORT_BYTES),
        }
        return TemplateResponse(request, self.template_name, context)


class MissingLinkForm(forms.Form):
    """The source one note cites: an existing source, or a new one."""

    note = forms.IntegerField(widget=forms.HiddenInput)
    target = forms.CharField(widget=forms.HiddenInput)
    source = forms.ModelChoiceField(
        queryset=Source.objects.filter(placeholder=False),
        required=False,
        label="An existing source",
        widget=AutocompleteSelect(Citation._meta.get_field("source"), admin.site),
    )
    title = forms.CharField(required=False, max_length=500)
    url = forms.URLField(required=False, max_length=2000, assume_scheme="https", label="Address")
    publisher = forms.CharField(required=False, max_length=300)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") and (cleaned.get("title") or cleaned.get("url")):
            raise ValidationError("Pick an existing source or describe a new one, not both.")
        if not cleaned.get("source") and not cleaned.get("title"):
            raise ValidationError("Pick an existing source, or give the new source a title.")
        return cleaned

    def chosen_source(self) -> Source:
        """The picked source; a new one is created, unless a source already has its address."""
        data = self.cleaned_data
        if data["source"]:
            return data["source"]
        if data["url"] and (
            known := Source.objects.filter(normalised_url=normalise_url(data["url"])).first()
        ):
            return known
        [key] = source_keys_new(titles=[data["title"]])
        source = Source(key=key, title=data["title"], url=data["url"], publisher=data["publisher"])
        source.full_clean()
        source.save()
        return source


class MissingLinksView(View):
    """Every note still citing a placeholder, with the sentence around it; one step per note."""

    model_admin = None
    template_name = "admin/articles/missinglink/missing_links.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(request)

    def post(self, request):
        note = request.POST.get("note", "")
        citation = get_object_or_404(
            Citation.objects.select_related("article", "source"), pk=note if note.isdigit() else 0
        )
        form = MissingLinkForm(request.POST, prefix=f"note-{citation.pk}")
        if not form.is_valid():
            return self._render(request, invalid=form)
        shown = form.cleaned_data["target"]
        try:
            if not citation.source.placeholder or shown != key_target(citation.source.key):
                raise ValidationError(
                    f"Note {citation.number} of “{citation.article}” changed since this page was shown "
                    "(someone may have picked its source already); nothing was changed."
                )
            with transaction.atomic():
                source = form.chosen_source()
                choice = NoteChoice(number=citation.number, target=shown, source=source)
                article_set_note_sources(article=citation.article, choices=[choice], user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self._render(request, invalid=form)
        messages.success(
            request,
            format_html("Note {} of “{}” now cites “{}”.", citation.number, citation.article, source),
        )
        return HttpResponseRedirect(request.get_full_path())

    def _notes(self, request):
        notes = (
            Citation.objects.filter(source__placeholder=True)
            .select_related("article", "source")
            .order_by("-article__created_at", "article_id", "number")
        )
        if article := request.GET.get("article", "").strip():
            notes = notes.filter(article_id=article) if article.isdigit() else notes.none()
        return notes

    def _render(self, request, invalid: MissingLinkForm | None = None):
        page = Paginator(self._notes(request), NOTES_PER_PAGE).get_page(request.GET.get("page"))
        rendered = {}
        rows = []
        for citation in page.object_list:
            if citation.article_id not in rendered:
                rendered[citation.article_id] = render_body(citation.article.body)
            prefix = f"note-{citation.pk}"
            form = invalid if invalid is not None and invalid.prefix == prefix else None
            form = form or MissingLinkForm(
                prefix=prefix, initial={"note": citation.pk, "target": key_target(citation.source.key)}
            )
            rows.append(
                {"citation": citation, "form": form, **_context(rendered[citation.article_id], citation)}
            )
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "title": "Missing links",
            "page": page,
            "rows": rows,
            "media": self.model_admin.media + MissingLinkForm().media,
        }
        return TemplateResponse(request, self.template_name, context)


def _context(rendered, citation) -> dict:
    """The sentence around a note, split where its linked words are."""
    if not 0 < citation.number <= len(rendered.links):
        return {"before": "", "words": citation.anchor_text, "after": ""}
    link = rendered.links[citation.number - 1]
    start, end = sentence_around(rendered, link.text_start)
    text = rendered.text
    return {
        "before": text[start : link.text_start],
        "words": text[link.text_start : link.text_end],
        "after": text[link.text_end : end],
    }
