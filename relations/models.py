from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from common.addresses import path_for
from common.models import SlugManager, updated_at_field


class MembershipManager(models.Manager):
    def get_by_natural_key(self, member_slug, organisation_slug, role):
        return self.get(member__slug=member_slug, organisation__slug=organisation_slug, role=role)


class Actor(models.Model):
    class Kind(models.TextChoices):
        STATE = "state", "State"
        ORGANISATION = "organisation", "International organisation"
        COMPANY = "company", "Company"
        PERSON = "person", "Person"
        REGION = "region", "Region"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, db_index=True)
    aliases = models.TextField(
        blank=True,
        help_text="One per line: demonyms, capitals, abbreviations (Kazakh, Astana, CSTO).",
    )
    iso_code = models.CharField(
        "ISO 3166 code",
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Two capital letters, e.g. KZ.")],
        help_text="States only.",
    )
    wikidata_id = models.CharField(
        "Wikidata ID",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata item ID such as Q232.")],
    )
    description = models.TextField(blank=True)
    updated_at = updated_at_field()

    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        permissions = [("import_actor", "Can import actors"), ("export_actor", "Can export actors")]
        constraints = [
            models.UniqueConstraint(
                fields=["iso_code"], condition=~Q(iso_code=""), name="actor_iso_code_unique"
            ),
            models.UniqueConstraint(
                fields=["wikidata_id"], condition=~Q(wikidata_id=""), name="actor_wikidata_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(iso_code="") | Q(kind="state"), name="actor_iso_code_only_for_states"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return path_for("relations:actor-detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        OBSERVER = "observer", "Observer"
        PARTNER = "partner", "Partner"
        SUSPENDED = "suspended", "Suspended member"

    member = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="member_rows",
        limit_choices_to={"kind": Actor.Kind.ORGANISATION},
    )
    role = models.CharField(max_length=20, choices=Role, default=Role.MEMBER)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    objects = MembershipManager()

    class Meta:
        ordering = ["organisation__name", "member__name"]
        permissions = [
            ("import_membership", "Can import memberships"),
            ("export_membership", "Can export memberships"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["member", "organisation", "role"], name="membership_unique_role"),
            models.CheckConstraint(condition=~Q(member=F("organisation")), name="membership_not_in_itself"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_role_display().lower()} of {self.organisation}"

    def natural_key(self):
        return (*self.member.natural_key(), *self.organisation.natural_key(), self.role)

    natural_key.dependencies = ["relations.actor"]

    def clean(self):
        if self.organisation_id and self.organisation.kind != Actor.Kind.ORGANISATION:
            raise ValidationError({"organisation": "Only an international organisation has members."})


class Relation(models.Model):
    """A curated pair of actors, stored once with the lower id first."""

    class State(models.TextChoices):
        ALLIED = "allied", "Allied"
        COOPERATIVE = "cooperative", "Cooperative"
        MIXED = "mixed", "Mixed"
        TENSE = "tense", "Tense"
        HOSTILE = "hostile", "Hostile"

    actor_a = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    actor_b = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=200, unique=True)
    state = models.CharField("assessed state", max_length=20, choices=State, default=State.MIXED)
    assessed_on = models.DateField(
        "assessed on",
        null=True,
        blank=True,
        help_text="The day an analyst judged the state above; the page's “as of” date is this or the "
        "latest development, whichever is later.",
    )
    summary = models.TextField(blank=True)
    updated_at = updated_at_field()

    objects = SlugManager()

    class Meta:
        ordering = ["slug"]
        permissions = [
            ("import_relation", "Can import relations"),
            ("export_relation", "Can export relations"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["actor_a", "actor_b"], name="relation_pair_unique"),
            # Canonical order also rules out pairing an actor with itself.
            models.CheckConstraint(
                condition=Q(actor_a__lt=F("actor_b")), name="relation_pair_canonical_order"
            ),
        ]

    def __str__(self):
        return f"{self.actor_a} – {self.actor_b}"

    def save(self, *args, **kwargs):
        if self.actor_a_id and self.actor_b_id and self.actor_a_id > self.actor_b_id:
            self.actor_a, self.actor_b = self.actor_b, self.actor_a
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return path_for("relations:relation-detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        if self.actor_a_id and self.actor_a_id == self.actor_b_id:
            raise ValidationError("A relation needs two different actors.")

    def developments(self):
        """The relation's timeline: developments in which both actors take part."""
        return (
            Development.objects.filter(participants=self.actor_a_id)
            .filter(participants=self.actor_b_id)
            .order_by("-date")
        )


class Development(models.Model):
    class Precision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"

    class Dimension(models.TextChoices):
        DIPLOMATIC = "diplomatic", "Diplomatic"
        SECURITY = "security", "Security"
        ECONOMIC = "economic", "Economic"
        ENERGY = "energy", "Energy"
        MIGRATION = "migration", "Migration"
        CULTURAL = "cultural", "Cultural"

    class Tone(models.IntegerChoices):
        CONFLICT = -2, "Conflict"
        TENSION = -1, "Tension"
        NEUTRAL = 0, "Neutral"
        COOPERATION = 1, "Cooperation"
        CLOSE_COOPERATION = 2, "Close cooperation"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    date = models.DateField(db_index=True)
    date_precision = models.CharField(max_length=10, choices=Precision, default=Precision.DAY)
    end_date = models.DateField(null=True, blank=True)
    participants = models.ManyToManyField(Actor, related_name="developments")
    dimension = models.CharField(max_length=20, choices=Dimension, db_index=True)
    tone = models.SmallIntegerField(choices=Tone, default=Tone.NEUTRAL)
    description = models.TextField(blank=True)

    updated_at = updated_at_field()

    objects = SlugManager()

    class Meta:
        ordering = ["-date", "title"]
        permissions = [
            ("import_development", "Can import developments"),
            ("export_development", "Can export developments"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tone__gte=-2) & Q(tone__lte=2), name="development_tone_in_scale"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")),
                name="development_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    @property
    def date_display(self):
        formats = {self.Precision.YEAR: "%Y", self.Precision.MONTH: "%B %Y"}
        return self.date.strftime(formats.get(self.date_precision, "%-d %B %Y"))
