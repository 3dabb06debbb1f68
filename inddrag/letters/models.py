"""What is written in a child's case: letters to the child (and to custody holders) in words the
reader understands, and recommendations to the committee (indstilling til Børne- og
Ungeudvalget) with the child's perspective in the child's own words."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from inddrag.children.models import Case
from inddrag.conversations.models import Statement
from inddrag.municipalities.models import Municipality


class PlainWord(models.Model):
    """A bureaucratic term and its plain alternative ("foranstaltning" → "den hjælp, du får").
    The list is data: rows without a municipality are everyone's, and a municipality adds its
    own. The letter composer's readability panel flags them."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    term = models.CharField(_("ord eller udtryk"), max_length=100)
    plain = models.CharField(_("sig hellere"), max_length=200)
    disabled_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("svært ord")
        verbose_name_plural = _("svære ord")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "term"], name="plainword_unique_term"),
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.plain}"


class LetterTemplate(models.Model):
    """A starting text for a letter, in child-friendly Danish. Rows without a municipality are
    everyone's; retired, not deleted."""

    class Audience(models.TextChoices):
        CHILD = "child", _("Barnet")
        CUSTODY = "custody", _("Forældremyndighedsindehavere")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("navn"), max_length=100)
    audience = models.CharField(max_length=10, choices=Audience, default=Audience.CHILD)
    subject = models.CharField(_("overskrift"), max_length=200)
    body = models.TextField(_("tekst"), max_length=20000)
    disabled_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("brevskabelon")
        verbose_name_plural = _("brevskabeloner")

    def __str__(self) -> str:
        return self.name


class Letter(models.Model):
    """A letter in the case. A letter to the child is delivered to the child channel when it is
    sent; the child's reading of it is the read receipt."""

    Audience = LetterTemplate.Audience
    MAX_LENGTH = 20000  # characters: about four pages; a longer letter is refused clearly

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letters")
    audience = models.CharField(_("til"), max_length=10, choices=Audience, default=Audience.CHILD)
    recipient = models.CharField(_("modtager"), max_length=200)
    subject = models.CharField(_("overskrift"), max_length=200)
    body = models.TextField(_("tekst"), max_length=MAX_LENGTH)
    lix = models.PositiveSmallIntegerField(null=True, blank=True)  # when sent
    # A letter to a child under 15 above the municipality's LIX limit needs a confirmation.
    hard_text_confirmed = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)  # the child opened it
    version = models.PositiveIntegerField(default=1)  # optimistic locking (T19)
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("brev")
        verbose_name_plural = _("breve")
        constraints = [
            models.CheckConstraint(
                condition=Q(read_at__isnull=True) | Q(sent_at__isnull=False),
                name="letter_read_only_when_sent",
            ),
        ]
        indexes = [models.Index(fields=["case", "sent_at"], name="letter_case_sent")]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("letters:detail", args=[self.code])


class Recommendation(models.Model):
    """An indstilling to Børne- og Ungeudvalget. "Barnets perspektiv" is required and quotes
    the child's own statements (never one the child shared with the caseworker only), and says
    how the child was involved."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="recommendations")
    title = models.CharField(_("indstillingen gælder"), max_length=300)
    recommendation = models.TextField(_("indstilling"), max_length=20000)
    child_perspective = models.TextField(_("Barnets perspektiv"), max_length=10000)
    involvement = models.TextField(_("sådan er barnet inddraget"), max_length=5000)
    quotes = models.ManyToManyField(Statement, through="Quote", related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking (T19)
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("indstilling")
        verbose_name_plural = _("indstillinger")
        constraints = [
            models.CheckConstraint(
                condition=~Q(child_perspective="") & ~Q(involvement=""),
                name="recommendation_child_perspective_required",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("letters:recommendation_detail", args=[self.code])


class Quote(models.Model):
    """A statement of the child quoted in a recommendation, in order."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="quote_rows"
    )
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("citat")
        verbose_name_plural = _("citater")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "statement"], name="quote_once_per_recommendation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} {self.statement}"
