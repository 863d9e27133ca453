"""Two pages of the analysts' desk beyond model forms: importing a paper, and the missing links.

Both only call the domain code: `ingest` reads a paper, `importer` saves it (or previews it with
nothing saved), `services.article_set_note_sources` writes a picked source into a note's link.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views import View

from .importer import article_import, article_import_preview, article_slug, article_state
from .ingest import Document, IngestError, read_file, read_text, too_large
from .links import normalise_url
from .models import Article, Citation, Source
from .rendering import key_target, render_body
from .services import NoteChoice, article_set_note_sources, source_keys_new
from .suggestions import sentence_around

NOTES_PER_PAGE = 25


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
        except (IngestError, ValidationError) as error:
            form.add_error(None, str(error) if isinstance(error, IngestError) else " ".join(error.messages))
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
        existing = Article.objects.filter(slug=article_slug(document)).exists()
        if (publish or existing) and not self.model_admin.has_change_permission(request):
            raise PermissionDenied
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
                article_set_note_sources(article=citation.article, choices=[choice])
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
