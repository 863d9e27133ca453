import uuid

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.text import Truncator

from common.addresses import path_for
from common.models import SlugManager, updated_at_field

from . import quantities
from .links import address_advice, normalise_url
from .rendering import Link, TargetKind, render_body


def published_q(prefix: str = "") -> Q:
    """The one rule for what the public may see: a published article whose publish time has come.

    `prefix` applies it across a relation, e.g. `published_q("article__")` for claims.
    """
    return Q(**{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}published_at__lte": timezone.now()})


class AuthorQuerySet(models.QuerySet):
    def published(self):
        """Authors with at least one public article."""
        return self.filter(
            Exists(ArticleAuthor.objects.filter(published_q("article__"), author=OuterRef("pk")))
        )


class Author(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    affiliation = models.CharField(max_length=300, blank=True)
    bio = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="author"
    )
    updated_at = updated_at_field()

    objects = SlugManager.from_queryset(AuthorQuerySet)()

    class Meta:
        ordering = ["name"]
        permissions = [("import_author", "Can import authors"), ("export_author", "Can export authors")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return path_for("articles:author-detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)


class TopicQuerySet(models.QuerySet):
    def published(self):
        """Topics with at least one public article: a draft's topic does not announce it."""
        return self.filter(
            Exists(Article.topics.through.objects.filter(published_q("article__"), topic=OuterRef("pk")))
        )


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    updated_at = updated_at_field()

    objects = SlugManager.from_queryset(TopicQuerySet)()

    class Meta:
        ordering = ["name"]
        permissions = [("import_topic", "Can import topics"), ("export_topic", "Can export topics")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return path_for("articles:topic-detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_q())

    def withdrawn_from_readers(self):
        """Withdrawn articles that readers could read before: their address answers 410 Gone with the
        notice. One withdrawn while still scheduled was never public and stays unknown (404)."""
        return self.filter(
            status=Article.Status.WITHDRAWN,
            first_published_at__isnull=False,
            first_published_at__lte=F("withdrawn_at"),
        )


class ArticleManager(SlugManager.from_queryset(ArticleQuerySet)):
    pass


@reversion.register(exclude=["body_html", "body_text", "search_document", "updated_at"])
class Article(models.Model):
    class Kind(models.TextChoices):
        FEATURE = "feature", "Feature article"
        ANALYSIS = "analysis", "Analysis"
        COMMENTARY = "commentary", "Commentary"
        BRIEF = "brief", "Brief"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    dek = models.CharField(max_length=500, blank=True, help_text="The line under the title.")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.ANALYSIS)
    authors = models.ManyToManyField(Author, through="ArticleAuthor", related_name="articles", blank=True)
    body = models.TextField(
        blank=True,
        help_text=(
            "Markdown. Every link becomes a numbered note: [words](https://…) cites that address, "
            "[words](source:KEY) cites the source with that citation key, and [words](#) marks an address "
            "that was lost: saving gives it a placeholder source and writes that source's key into the link."
        ),
    )
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(
        blank=True, editable=False, help_text="The text as readers read it, for search and its snippets."
    )
    # Filled by the database (search_index.py) on PostgreSQL; unused elsewhere.
    search_document = SearchVectorField(null=True, editable=False)
    summary = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, related_name="articles", blank=True)
    actors = models.ManyToManyField(
        "relations.Actor", related_name="articles", blank=True, verbose_name="actors mentioned"
    )
    developments = models.ManyToManyField(
        "relations.Development", related_name="articles", blank=True, verbose_name="developments discussed"
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publish time", null=True, blank=True, help_text="A time in the future schedules the article."
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_for_readers_at = models.DateTimeField(
        "updated (as readers see it)",
        null=True,
        blank=True,
        editable=False,
        help_text="Set only when an editor marks a change to the published article as an update.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawal_notice = models.TextField(
        blank=True, editable=False, help_text="Why it was withdrawn, as readers read it at its address."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = updated_at_field()

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [
            ("publish_article", "Can publish, schedule, withdraw and correct articles"),
            ("export_article", "Can export articles"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            # The admin lists every article, whatever its status, newest first.
            models.Index(fields=["-published_at", "-id"], name="article_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_publish_time",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return path_for("articles:article-detail", slug=self.slug)

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        errors = {}
        if self.status == self.Status.PUBLISHED and not self.published_at:
            errors["published_at"] = "A published article needs a publish time."
        if problems := body_problems(self.body, article_id=self.pk):
            errors["body"] = problems
        if errors:
            raise ValidationError(errors)


def body_problems(body: str, links: list[Link] | None = None, *, article_id: int | None = None) -> list[str]:
    """What keeps an article body from being saved: its size, its number of notes, and links that
    name no source, or another article's placeholder.

    `links` are the body's links when the caller has rendered it already.
    """
    limit = settings.FOOTNOTE_MAX_BODY_CHARS
    if len(body) > limit:
        return [f"The text is {len(body):,} characters long; an article can have at most {limit:,}."]
    links = render_body(body).links if links is None else links
    if len(links) > (most := settings.FOOTNOTE_MAX_NOTES):
        return [f"The text has {len(links):,} links; an article can have at most {most:,} notes."]
    keys = {link.key for link in links if link.key}
    known = set(Source.objects.filter(key__in=keys).values_list("key", flat=True))
    borrowed = set(
        Citation.objects.filter(source__key__in=keys, source__placeholder=True)
        .exclude(article_id=article_id)
        .values_list("source__key", flat=True)
    )
    return [problem for link in links if (problem := _link_problem(link, known, borrowed))]


def _link_problem(link: Link, known_keys: set[str], borrowed_keys: set[str]) -> str:
    limit = Source._meta.get_field("url").max_length
    shown = Truncator(link.target).chars(80)
    if link.kind is TargetKind.KEY and link.key not in known_keys:
        return f"Note {link.number}: no source has the citation key “{link.key}”."
    if link.kind is TargetKind.KEY and link.key in borrowed_keys:
        return (
            f"Note {link.number}: “{link.key}” stands in for a lost address in another article; "
            "cite the real source, or write (#)."
        )
    if link.kind is TargetKind.INVALID:
        return f"Note {link.number}: “{shown}” is not a web address. {address_advice(link.target)}"
    if link.kind is TargetKind.ADDRESS:
        if len(link.url) > limit or len(normalise_url(link.url)) > limit:
            return f"Note {link.number}: the address is longer than {limit} characters."
        try:
            URLValidator(schemes=["http", "https"])(link.url)
        except ValidationError:
            return f"Note {link.number}: “{shown}” is not a web address."
    return ""


class ArticleAuthorManager(models.Manager):
    def get_by_natural_key(self, article_slug, author_slug):
        return self.get(article__slug=article_slug, author__slug=author_slug)


class ArticleAuthor(models.Model):
    """An author's place in an article's byline."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    objects = ArticleAuthorManager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "byline"
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="byline_author_once")]

    def __str__(self):
        return f"{self.author} on {self.article}"

    def natural_key(self):
        return (*self.article.natural_key(), *self.author.natural_key())

    natural_key.dependencies = ["articles.article", "articles.author"]


class Recorded(models.Model):
    """Who did something and when, for a history that is written once and never edited. The name is
    kept as written at the time, so the history outlives the account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField("by", max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]


class ArticleStep(Recorded):
    """One step of an article through the desk: who moved it, when, and what they wrote with it."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        SENT_BACK = "sent_back", "Sent back"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNSCHEDULED = "unscheduled", "Unscheduled"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CORRECTED = "corrected", "Corrected"
        UPDATED = "updated", "Marked as updated"
        RESTORED = "restored", "Revision restored"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=20, choices=Action)
    status = models.CharField("status after", max_length=20, choices=Article.Status)
    note = models.TextField(blank=True)

    class Meta(Recorded.Meta):
        verbose_name = "workflow step"
        indexes = [models.Index(fields=["article", "-at"], name="articlestep_article_at")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.article}"


class Correction(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    published_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    class Meta:
        ordering = ["published_at"]

    def __str__(self):
        return f"Correction to {self.article} on {self.published_at:%Y-%m-%d}"


class Reliability(models.TextChoices):
    """The Admiralty system's grade of a source's reliability."""

    A = "A", "A — completely reliable"
    B = "B", "B — usually reliable"
    C = "C", "C — fairly reliable"
    D = "D", "D — not usually reliable"
    E = "E", "E — unreliable"
    F = "F", "F — reliability cannot be judged"


class Credibility(models.IntegerChoices):
    """The Admiralty system's grade of the information's credibility."""

    CONFIRMED = 1, "1 — confirmed by other sources"
    PROBABLY_TRUE = 2, "2 — probably true"
    POSSIBLY_TRUE = 3, "3 — possibly true"
    DOUBTFUL = 4, "4 — doubtful"
    IMPROBABLE = 5, "5 — improbable"
    CANNOT_JUDGE = 6, "6 — truth cannot be judged"


class Origin(models.TextChoices):
    PRIMARY = "primary", "Primary: the record itself or its maker"
    SECONDARY = "secondary", "Secondary: reports on it"


class SourceQuerySet(models.QuerySet):
    def published(self):
        """Sources the public may see: cited by, or evidence for a claim of, a public article."""
        cited = Citation.objects.filter(published_q("article__"), source=OuterRef("pk"))
        evidence = ClaimEvidence.objects.filter(published_q("claim__article__"), source=OuterRef("pk"))
        return self.filter(Exists(cited) | Exists(evidence))


class SourceManager(models.Manager.from_queryset(SourceQuerySet)):
    def get_by_natural_key(self, key):
        return self.get(key=key)


@reversion.register(exclude=["normalised_url", "updated_at"])
class Source(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", "News article"
        REPORT = "report", "Report"
        OFFICIAL = "official", "Official statement"
        LEGISLATION = "legislation", "Legislation or treaty"
        DATASET = "dataset", "Dataset or statistics"
        WEB_PAGE = "webpage", "Web page"
        SOCIAL_POST = "post", "Social media post"
        SPEECH = "speech", "Speech"
        INTERVIEW = "interview", "Interview"
        ACADEMIC = "academic", "Academic article"
        OTHER = "other", "Other"

    class LinkStatus(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked"
        MISSING = "missing", "Link missing"
        OK = "ok", "Working"
        REDIRECTED = "redirected", "Redirected"
        BROKEN = "broken", "Broken"

    key = models.SlugField(
        "citation key", max_length=100, unique=True, help_text="A short stable name, e.g. china-customs-2022."
    )
    url = models.URLField("URL", max_length=2000, blank=True)
    normalised_url = models.CharField(max_length=2000, blank=True, editable=False)
    title = models.CharField(max_length=500)
    container_title = models.CharField(
        "in", max_length=300, blank=True, help_text="The newspaper, journal, website or series it appears in."
    )
    publisher = models.CharField(max_length=300, blank=True)
    author = models.CharField(
        "authors",
        max_length=300,
        blank=True,
        help_text="Separate several with “;”. A person as Family, Given; an institution by its name.",
    )
    published_on = models.DateField("issued", null=True, blank=True)
    accessed_on = models.DateField("accessed", null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.OTHER)
    language = models.CharField(max_length=35, blank=True, help_text="A language tag such as en, ru, kk.")
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        validators=[
            RegexValidator(r"^10\.\d{4,9}/\S+$", "A DOI such as 10.1000/xyz123, without https://doi.org/.")
        ],
    )
    archive_url = models.URLField("archive URL", max_length=2000, blank=True)
    archived_at = models.DateTimeField("archived", null=True, blank=True)
    # The latest assessment, kept on the row so lists and pages need no extra query; the history
    # is SourceAssessment, and only `source_assess` writes either.
    reliability = models.CharField(max_length=1, choices=Reliability, blank=True, editable=False)
    credibility = models.PositiveSmallIntegerField(choices=Credibility, null=True, blank=True, editable=False)
    origin = models.CharField(max_length=10, choices=Origin, blank=True, editable=False)
    state_affiliated = models.BooleanField("state-affiliated outlet", default=False, editable=False)
    assessed_at = models.DateTimeField("graded", null=True, blank=True, editable=False)
    link_status = models.CharField(
        max_length=20, choices=LinkStatus, default=LinkStatus.UNCHECKED, db_index=True, editable=False
    )
    link_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    link_target = models.URLField(
        "redirects to", max_length=2000, blank=True, editable=False, help_text="Where a redirected link ends."
    )
    link_error = models.CharField(
        "link problem",
        max_length=300,
        blank=True,
        editable=False,
        help_text="The status or error of a broken link.",
    )
    placeholder = models.BooleanField(
        "placeholder for a lost address",
        default=False,
        db_index=True,
        help_text=(
            "Made from a link whose address was lost, titled with its linked words. It stays on the "
            "missing links page until an analyst picks the real source or gives this one an address; "
            "once nothing cites it, it is removed."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = updated_at_field()

    objects = SourceManager()

    class Meta:
        ordering = ["title"]
        permissions = [
            ("import_source", "Can import sources"),
            ("export_source", "Can export sources"),
            ("assess_source", "Can grade sources"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["normalised_url"], condition=~Q(normalised_url=""), name="source_url_unique"
            ),
            models.CheckConstraint(
                condition=Q(placeholder=False) | Q(url=""), name="source_placeholder_has_no_address"
            ),
        ]
        # The unique index above is partial, and SQLite will not use it for `normalised_url = ?`.
        indexes = [models.Index(fields=["normalised_url"], name="source_normalised_url")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.derive_from_address()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return path_for("articles:source-detail", pk=self.pk)

    @property
    def grade(self) -> str:
        """The Admiralty grade, such as B2; empty until the source is graded."""
        return f"{self.reliability}{self.credibility}" if self.reliability else ""

    def natural_key(self):
        return (self.key,)

    def clean(self):
        normalised = normalise_url(self.url)
        if len(normalised) > self._meta.get_field("normalised_url").max_length:
            raise ValidationError({"url": "This address is too long once written out in full; shorten it."})
        if self._address_is_taken(normalised):
            raise ValidationError({"url": "Another source already has this address."})

    def _address_is_taken(self, normalised: str) -> bool:
        # Spreadsheet imports look every address of a file up at once and skip this query.
        if not normalised or getattr(self, "addresses_checked_in_bulk", False):
            return False
        return Source.objects.filter(normalised_url=normalised).exclude(pk=self.pk).exists()

    def derive_from_address(self):
        """Set what follows from the address: its normal form, and whether the link is missing. A
        changed address starts unchecked: what the link checker found says nothing about it."""
        normalised = normalise_url(self.url)
        if self.pk is not None and normalised != self.normalised_url:
            self.link_status, self.link_checked_at = self.LinkStatus.UNCHECKED, None
            self.link_target = self.link_error = ""
        self.normalised_url = normalised
        if self.url:
            self.placeholder = False  # given an address, it is a source in its own right
            if self.link_status == self.LinkStatus.MISSING:
                self.link_status = self.LinkStatus.UNCHECKED
        elif self.link_status == self.LinkStatus.UNCHECKED:
            self.link_status = self.LinkStatus.MISSING


class CitationManager(models.Manager):
    def get_by_natural_key(self, article_slug, number):
        return self.get(article__slug=article_slug, number=number)


class Citation(models.Model):
    """One numbered note in an article: the linked words and the source behind them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="citations")
    number = models.PositiveSmallIntegerField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    anchor_text = models.CharField("linked words", max_length=1000, blank=True)

    objects = CitationManager()

    class Meta:
        ordering = ["article", "number"]
        verbose_name = "note"
        permissions = [("import_citation", "Can import notes"), ("export_citation", "Can export notes")]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="citation_number_unique_in_article"),
            models.CheckConstraint(condition=Q(number__gte=1), name="citation_number_positive"),
        ]

    def __str__(self):
        return f"[{self.number}] {self.source}"

    def natural_key(self):
        return (*self.article.natural_key(), self.number)

    natural_key.dependencies = ["articles.article", "articles.source"]


class TimePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class Approximation(models.TextChoices):
    """How a figure is worded: the value alone does not say "close to half a million"."""

    EXACT = quantities.Approximation.EXACT, "exactly"
    ABOUT = quantities.Approximation.ABOUT, "about"
    CLOSE_TO = quantities.Approximation.CLOSE_TO, "close to"
    MORE_THAN = quantities.Approximation.MORE_THAN, "more than"
    LESS_THAN = quantities.Approximation.LESS_THAN, "less than"
    UP_TO = quantities.Approximation.UP_TO, "up to"


class MissingLink(Citation):
    """A note still citing a placeholder: its address was lost and nobody has picked its source yet."""

    class Meta:
        proxy = True
        verbose_name = "missing link"
        verbose_name_plural = "missing links"


class ClaimQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_q("article__"))


class ClaimManager(models.Manager.from_queryset(ClaimQuerySet)):
    def get_by_natural_key(self, uid):
        return self.get(uid=uid)


@reversion.register(exclude=["search_document", "orphaned", "updated_at"], follow=["evidence"])
class Claim(models.Model):
    """One checkable statement an article makes, with the evidence behind it."""

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        VERIFIED = "verified", "Verified"
        DISPUTED = "disputed", "Disputed"
        FALSE = "false", "False"
        OUTDATED = "outdated", "Outdated"

    uid = models.UUIDField("stable ID", default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order of the claim in the article.")
    statement = models.TextField(help_text="The claim in one checkable sentence.")
    quote = models.TextField(blank=True, help_text="The exact words of the article the claim comes from.")
    quote_prefix = models.CharField(max_length=200, blank=True, help_text="A few words before the quote.")
    quote_suffix = models.CharField(max_length=200, blank=True, help_text="A few words after the quote.")
    orphaned = models.BooleanField(
        default=False,
        db_index=True,
        editable=False,
        help_text="Its quoted words are no longer in the article: re-anchor it to the text or retire it.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.UNVERIFIED, db_index=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checked_claims",
    )
    # The checker's name as it was, so who checked a claim outlives their account.
    checked_by_name = models.CharField("checked by (name)", max_length=150, blank=True, editable=False)
    checked_at = models.DateTimeField(null=True, blank=True)
    quantity_value = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    quantity_unit = models.CharField(max_length=50, blank=True, help_text="USD, people, per cent, …")
    quantity_approximation = models.CharField(
        "approximation", max_length=20, choices=Approximation, default=Approximation.EXACT
    )
    quantity_lower = models.DecimalField(
        "lower bound", max_digits=24, decimal_places=4, null=True, blank=True
    )
    quantity_upper = models.DecimalField(
        "upper bound", max_digits=24, decimal_places=4, null=True, blank=True
    )
    quantity_period_start = models.DateField(
        "period start", null=True, blank=True, help_text="Empty when the figure is for a point in time."
    )
    quantity_as_of = models.DateField(
        "as of (or period end)", null=True, blank=True, help_text="The date the figure is for."
    )
    quantity_time_precision = models.CharField(
        "precision of the dates", max_length=10, choices=TimePrecision, default=TimePrecision.DAY
    )
    quantity_period = models.CharField(
        "period as worded", max_length=100, blank=True, help_text="e.g. 2022, or January–September 2022"
    )
    derived_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived_figures",
        help_text="The figure this one is computed from, e.g. the earlier year for “up 45 per cent”.",
    )
    claimant_actor = models.ForeignKey(
        "relations.Actor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims_made",
        verbose_name="claimant (actor)",
        help_text="Who makes the claim, when it is not the article's own assessment.",
    )
    claimant_name = models.CharField(
        "claimant (as worded)",
        max_length=200,
        blank=True,
        help_text="e.g. Interior Ministry of Uzbekistan. Empty with no actor: the article's own assessment.",
    )
    actors = models.ManyToManyField("relations.Actor", related_name="claims", blank=True)
    developments = models.ManyToManyField(
        "relations.Development",
        related_name="claims",
        blank=True,
        help_text="The relation developments this claim is evidence for.",
    )
    sources = models.ManyToManyField(Source, through="ClaimEvidence", related_name="claims")
    # Filled by the database (search_index.py) on PostgreSQL; unused elsewhere.
    search_document = SearchVectorField(null=True, editable=False)
    updated_at = updated_at_field()

    objects = ClaimManager()

    class Meta:
        ordering = ["article", "position", "id"]
        permissions = [("import_claim", "Can import claims"), ("export_claim", "Can export claims")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(quantity_value__isnull=True, quantity_lower__isnull=True, quantity_upper__isnull=True)
                    | ~Q(quantity_unit="")
                ),
                name="claim_quantity_has_unit",
            ),
            models.CheckConstraint(
                condition=Q(quantity_lower__isnull=True)
                | Q(quantity_upper__isnull=True)
                | Q(quantity_lower__lte=F("quantity_upper")),
                name="claim_quantity_bounds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(quantity_lower__isnull=True)
                | Q(quantity_value__isnull=True)
                | Q(quantity_lower__lte=F("quantity_value")),
                name="claim_quantity_above_lower_bound",
            ),
            models.CheckConstraint(
                condition=Q(quantity_upper__isnull=True)
                | Q(quantity_value__isnull=True)
                | Q(quantity_value__lte=F("quantity_upper")),
                name="claim_quantity_below_upper_bound",
            ),
            models.CheckConstraint(
                condition=Q(quantity_period_start__isnull=True)
                | (Q(quantity_as_of__isnull=False) & Q(quantity_as_of__gte=F("quantity_period_start"))),
                name="claim_period_ends_after_start",
            ),
            models.CheckConstraint(condition=~Q(derived_from=F("id")), name="claim_not_derived_from_itself"),
        ]

    def __str__(self):
        return self.statement if len(self.statement) <= 80 else self.statement[:79] + "…"

    def get_absolute_url(self):
        return path_for("articles:claim-detail", pk=self.pk)

    def natural_key(self):
        return (str(self.uid),)

    def clean(self):
        if problems := quantity_problems(self):
            raise ValidationError(problems)

    @property
    def public_reviewer(self) -> "Author | None":
        """Who last reviewed the claim, as readers may know them: by their byline, if they have one.
        An account's own name stays on the desk."""
        try:
            return self.checked_by.author if self.checked_by_id else None
        except Author.DoesNotExist:
            return None

    @property
    def claimant(self) -> str:
        """Who makes the claim, in words; empty when it is the article's own assessment."""
        if self.claimant_name:
            return self.claimant_name
        return self.claimant_actor.name if self.claimant_actor_id else ""

    @property
    def has_quantity(self) -> bool:
        return (
            self.quantity_value is not None
            or self.quantity_lower is not None
            or self.quantity_upper is not None
        )


def quantity_problems(claim: "Claim") -> dict[str, str]:
    """What is wrong with a claim's figure, by field: the same rules as its check constraints."""
    value, lower, upper = claim.quantity_value, claim.quantity_lower, claim.quantity_upper
    problems = {}
    if claim.has_quantity and not claim.quantity_unit:
        problems["quantity_unit"] = "A quantity needs a unit."
    if lower is not None and upper is not None and lower > upper:
        problems["quantity_upper"] = "The upper bound is below the lower bound."
    elif value is not None and lower is not None and value < lower:
        problems["quantity_lower"] = "The lower bound is above the value."
    elif value is not None and upper is not None and value > upper:
        problems["quantity_upper"] = "The upper bound is below the value."
    start, end = claim.quantity_period_start, claim.quantity_as_of
    if start is not None and (end is None or end < start):
        problems["quantity_as_of"] = "A period needs an end on or after its start."
    if claim.pk is not None and claim.derived_from_id == claim.pk:
        problems["derived_from"] = "A figure cannot be derived from itself."
    return problems


class ClaimEvidenceManager(models.Manager):
    def get_by_natural_key(self, claim_uid, source_key, locator):
        return self.get(claim__uid=claim_uid, source__key=source_key, locator=locator)


@reversion.register()
class ClaimEvidence(models.Model):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        CONTRADICTS = "contradicts", "Contradicts"
        CONTEXT = "context", "Gives context"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="evidence")
    stance = models.CharField(max_length=20, choices=Stance, default=Stance.SUPPORTS)
    locator = models.CharField(
        max_length=300, blank=True, help_text="Where in the source: page, paragraph or table."
    )
    passage = models.TextField("quoted passage", blank=True, help_text="The source's own words, quoted.")

    objects = ClaimEvidenceManager()

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = "evidence"
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["claim", "source", "locator"], name="evidence_unique"),
        ]

    def __str__(self):
        return f"{self.source} {self.get_stance_display().lower()} “{self.claim}”"

    def natural_key(self):
        return (*self.claim.natural_key(), *self.source.natural_key(), self.locator)

    natural_key.dependencies = ["articles.claim", "articles.source"]


class ClaimSuggestion(models.Model):
    """A sentence of an article that may be worth checking: it carries a note or a figure.

    Found when an article is imported; an analyst accepts it (it becomes a claim), edits it first,
    or rejects it. Its fingerprint recognises the same sentence when the article is imported
    again, so a rejected suggestion does not come back. Never shown to the public.
    """

    class State(models.TextChoices):
        PENDING = "pending", "To review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claim_suggestions")
    position = models.PositiveIntegerField(default=0, help_text="Order of the sentence in the article.")
    fingerprint = models.CharField(max_length=64, editable=False)
    statement = models.TextField(help_text="The claim in one checkable sentence; edit it before accepting.")
    quote = models.TextField(help_text="The sentence as the article has it.")
    quote_prefix = models.CharField(max_length=200, blank=True)
    quote_suffix = models.CharField(max_length=200, blank=True)
    quantity_value = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    quantity_unit = models.CharField(max_length=50, blank=True)
    quantity_approximation = models.CharField(
        "approximation", max_length=20, choices=Approximation, default=Approximation.EXACT
    )
    quantity_period = models.CharField(max_length=100, blank=True)
    sources = models.ManyToManyField(
        Source,
        related_name="claim_suggestions",
        blank=True,
        help_text=(
            "The sources of the notes in its sentence: accepting makes them the claim's supporting "
            "evidence. Remove any that does not support the claim as you worded it."
        ),
    )
    actors = models.ManyToManyField("relations.Actor", related_name="claim_suggestions", blank=True)
    state = models.CharField(max_length=20, choices=State, default=State.PENDING, db_index=True)
    claim = models.OneToOneField(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestion", editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "position"]
        verbose_name = "suggested claim"
        constraints = [
            models.UniqueConstraint(fields=["article", "fingerprint"], name="suggestion_sentence_once"),
            models.CheckConstraint(
                condition=Q(quantity_value__isnull=True) | ~Q(quantity_unit=""),
                name="suggestion_quantity_has_unit",
            ),
        ]

    def __str__(self):
        return Truncator(self.statement).chars(80)


class ClaimReview(Recorded):
    """One change of a claim's verification status: who, when, from what to what, and why.

    Written only by `claim_set_status`; never edited or deleted, so a claim's history is complete.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reviews")
    from_status = models.CharField("from", max_length=20, choices=Claim.Status)
    to_status = models.CharField("to", max_length=20, choices=Claim.Status)
    note = models.TextField("why", blank=True, help_text="Internal: never shown to the public.")

    class Meta(Recorded.Meta):
        verbose_name = "review"
        indexes = [models.Index(fields=["claim", "-at"], name="claimreview_claim_at")]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}: {self.claim}"


class ClaimLinkQuerySet(models.QuerySet):
    def published(self):
        """Links between two public claims."""
        return self.filter(published_q("from_claim__article__"), published_q("to_claim__article__"))


class ClaimLink(models.Model):
    """How one claim bears on another: a later figure updates an earlier one, two sources' figures
    contradict, the same claim is made again in a later article."""

    class Kind(models.TextChoices):
        SUPPORTS = "supports", "supports"
        CONTRADICTS = "contradicts", "contradicts"
        UPDATES = "updates", "updates"
        SUPERSEDES = "supersedes", "supersedes"
        RESTATES = "restates", "restates"

    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links_out")
    kind = models.CharField(max_length=20, choices=Kind)
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links_in")
    note = models.CharField(max_length=300, blank=True)

    objects = ClaimLinkQuerySet.as_manager()

    class Meta:
        ordering = ["from_claim", "kind", "id"]
        verbose_name = "claim link"
        constraints = [
            models.UniqueConstraint(fields=["from_claim", "kind", "to_claim"], name="claimlink_unique"),
            models.CheckConstraint(condition=~Q(from_claim=F("to_claim")), name="claimlink_not_to_itself"),
        ]

    def __str__(self):
        return f"“{self.from_claim}” {self.get_kind_display()} “{self.to_claim}”"

    def clean(self):
        if self.from_claim_id and self.from_claim_id == self.to_claim_id:
            raise ValidationError("A claim cannot be linked to itself.")


class SourceAssessment(Recorded):
    """One grading of a source, kept apart from its bibliographic record: written only by
    `source_assess`, never edited, so the source's grades have a history."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="assessments")
    reliability = models.CharField(max_length=1, choices=Reliability)
    credibility = models.PositiveSmallIntegerField(choices=Credibility)
    origin = models.CharField(max_length=10, choices=Origin, blank=True)
    state_affiliated = models.BooleanField("state-affiliated outlet", default=False)
    note = models.TextField("why", blank=True)

    class Meta(Recorded.Meta):
        verbose_name = "assessment"
        indexes = [models.Index(fields=["source", "-at"], name="sourceassessment_source_at")]

    def __str__(self):
        return f"{self.grade} {self.source}"

    @property
    def grade(self) -> str:
        return f"{self.reliability}{self.credibility}"
