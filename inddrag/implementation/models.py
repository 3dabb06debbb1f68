"""The implementation groups of the concept in a municipality: a steering group (quarterly), a
coordination group (monthly) and a training group (3-4 times a year), with members, meetings,
agendas, decisions and follow-up items (reflection.FollowUp). And the dialogue space across
municipalities, where groups share what they choose to share: never case data."""

from __future__ import annotations

import calendar
import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inddrag.municipalities.models import Membership, Municipality


def months_after(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day if it is shorter (31 January + 1
    month is 28 or 29 February)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class Group(models.Model):
    class Kind(models.TextChoices):
        STEERING = "steering", _("Styregruppe")
        COORDINATION = "coordination", _("Koordinationsgruppe")
        TRAINING = "training", _("Uddannelsesgruppe")

    # How often each group meets in the concept, as the longest gap between two meetings.
    RHYTHM_MONTHS = {Kind.STEERING: 3, Kind.COORDINATION: 1, Kind.TRAINING: 4}
    RHYTHM_WORDS = {
        Kind.STEERING: _("Mødes hvert kvartal"),
        Kind.COORDINATION: _("Mødes hver måned"),
        Kind.TRAINING: _("Mødes 3-4 gange om året"),
    }

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind)
    name = models.CharField(_("navn"), max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("implementeringsgruppe")
        verbose_name_plural = _("implementeringsgrupper")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind"], name="group_one_per_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("implementation:group_detail", args=[self.code])

    @property
    def rhythm_months(self) -> int:
        return self.RHYTHM_MONTHS[Group.Kind(self.kind)]

    @property
    def rhythm_words(self) -> str:
        return str(self.RHYTHM_WORDS[Group.Kind(self.kind)])

    def due_on(self, last_held_on: date | None) -> date:
        """The last day the next meeting should be held by the group's rhythm: the rhythm after
        the last meeting held, or after the group was set up if it never met (pure)."""
        start = last_held_on or timezone.localdate(self.created_at)
        return months_after(start, self.rhythm_months)

    def is_overdue(self, last_held_on: date | None, *, today: date) -> bool:
        """The group has gone longer without a meeting than its rhythm allows (pure): the
        steering group more than three months, say."""
        return today > self.due_on(last_held_on)


class GroupMeeting(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("dato"))
    agenda = models.TextField(_("dagsorden"), max_length=10000)
    decisions = models.TextField(_("beslutninger"), max_length=10000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking (T19)
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)  # T20

    class Meta:
        verbose_name = _("gruppemøde")
        verbose_name_plural = _("gruppemøder")
        indexes = [
            # The group's meetings newest first, and its last and next meeting.
            models.Index(fields=["group", "held_on"], name="groupmeeting_group_day"),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("implementation:meeting_detail", args=[self.code])


class DialoguePost(models.Model):
    """A post in the dialogue space across municipalities: experience a group chose to share.
    Free text is checked for case data (CPR numbers, addresses, exact dates) by the vignette
    function before it is saved. Other municipalities see the author's role and municipality,
    never the author's name."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    group_kind = models.CharField(max_length=12, choices=Group.Kind)
    title = models.CharField(_("overskrift"), max_length=200)
    text = models.TextField(_("erfaring"), max_length=5000)
    reply_to = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The role the author wrote in ("en leder i Roskilde Kommune"), kept as it was then.
    author_role = models.CharField(max_length=20, choices=Membership.Role, default="leader")
    created_at = models.DateTimeField(auto_now_add=True)
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)  # T20

    class Meta:
        verbose_name = _("indlæg i dialogrummet")
        verbose_name_plural = _("indlæg i dialogrummet")
        indexes = [
            # The list: the posts that start a thread, newest first; a thread's replies in order.
            models.Index(fields=["reply_to", "created_at"], name="dialoguepost_thread_time"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """A reply's address is its thread's page, at the reply. Note: reads self.reply_to for
        a reply; select_related("reply_to") to avoid a query."""
        thread = self.reply_to
        if thread is None:
            return reverse("implementation:dialogue_post", args=[self.code])
        url = reverse("implementation:dialogue_post", args=[thread.code])
        return f"{url}#svar-{self.code}"
