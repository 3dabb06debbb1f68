"""Reflection on one's own practice. Nothing here is case data: a personal reflection names the
conversation or meeting it follows (the caseworker's own), and a team session works on a vignette
that the pseudonymisation function (reflection/vignettes.py) built from a case, never by hand."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inddrag.conversations.models import Conversation, Meeting
from inddrag.municipalities.models import Municipality, Unit


class ReflectionModel(models.Model):
    """A list of guided questions the municipality maintains (a reflection model), for personal
    reflections (`personal`), team sessions or leaders' quarterly reflections."""

    class Use(models.TextChoices):
        PERSONAL = "personal", _("Personlig refleksion")
        TEAM = "team", _("Teamrefleksion")
        LEADERS = "leaders", _("Leder- og koordinatorrefleksion")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # NULL: the defaults every municipality has
    use = models.CharField(max_length=10, choices=Use)
    name = models.CharField(_("navn"), max_length=200)
    questions = models.JSONField(default=list)  # list of question texts, in order
    disabled_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("refleksionsmodel")
        verbose_name_plural = _("refleksionsmodeller")

    def __str__(self) -> str:
        return self.name


class Reflection(models.Model):
    """A caseworker's personal reflection after a child conversation or a meeting: the answers
    to the model's questions and an optional self-rating. Private to its author unless shared
    with the team sessions of the author's unit."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    model = models.ForeignKey(ReflectionModel, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=list)  # [{"question": …, "answer": …}], in order
    self_rating = models.PositiveSmallIntegerField(null=True, blank=True)  # 1-5
    shared_with_team = models.BooleanField(_("del med teamet"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("refleksion")
        verbose_name_plural = _("refleksioner")
        constraints = [
            models.CheckConstraint(
                condition=Q(self_rating__isnull=True) | Q(self_rating__gte=1, self_rating__lte=5),
                name="reflection_self_rating_scale",
            ),
        ]
        indexes = [models.Index(fields=["author", "created_at"], name="reflection_author_time")]

    def __str__(self) -> str:
        return f"{self.author} {self.created_at:%Y-%m-%d}"


class ReflectionSession(models.Model):
    """A team reflection session on a team meeting, or a leaders' quarterly reflection: planned
    by a leader or coordinator, with vignettes, a reflection model, notes, agreements and who took
    part."""

    class Kind(models.TextChoices):
        TEAM = "team", _("Teamrefleksion")
        LEADERS = "leaders", _("Kvartalsvis leder- og koordinatorrefleksion")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.TEAM)
    held_on = models.DateField(_("dato"))
    title = models.CharField(_("emne"), max_length=200)
    model = models.ForeignKey(ReflectionModel, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("noter"), max_length=20000, blank=True)
    themes = models.CharField(_("temaer"), max_length=300, blank=True)  # comma-separated tags
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking (T19)
    # The one-time token of the form that planned it: the same form sent twice plans one (T20).
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("refleksionsmøde")
        verbose_name_plural = _("refleksionsmøder")

    def __str__(self) -> str:
        return f"{self.title} {self.held_on}"


class Vignette(models.Model):
    """A case turned into a pseudonymised story for a session: built by
    reflection.vignettes.make_vignette (names, CPR numbers, addresses and exact dates removed),
    never typed by hand. It keeps no link to the case."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        ReflectionSession, on_delete=models.CASCADE, related_name="vignettes"
    )
    title = models.CharField(max_length=200)
    text = models.TextField(max_length=50000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case-vignet")
        verbose_name_plural = _("case-vignetter")

    def __str__(self) -> str:
        return self.title


class FollowUp(models.Model):
    """An agreement that became a follow-up item: an owner and a date. It comes from a reflection
    session or from an implementation group's meeting."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        ReflectionSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    group_meeting = models.ForeignKey(
        "implementation.GroupMeeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    text = models.CharField(_("aftale"), max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("frist"))
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opfølgningspunkt")
        verbose_name_plural = _("opfølgningspunkter")
        constraints = [
            models.CheckConstraint(
                condition=Q(session__isnull=False) | Q(group_meeting__isnull=False),
                name="followup_has_a_source",
            ),
        ]
        indexes = [models.Index(fields=["owner", "done_at"], name="followup_owner_open")]

    def __str__(self) -> str:
        return self.text[:60]
