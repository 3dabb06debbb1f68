"""Reminders: what is due for a caseworker, computed daily by the task worker (reminders/
compute.py), shown in the inbox (/paamindelser/) and summed up in a daily digest e-mail that says
how many, never what about which child."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inddrag.children.models import Case
from inddrag.municipalities.models import Municipality


class Reminder(models.Model):
    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Opfølgende børnesamtale")
        PLAN_REVIEW = "plan_review", _("Opfølgning på barnets plan")
        PREPARATION = "preparation", _("Forberedelse ikke besvaret")
        SUMMARY = "summary", _("Referat ikke skrevet")
        LETTER_UNREAD = "letter_unread", _("Brev ikke læst")
        BISIDDER = "bisidder", _("Ønske om bisidder venter")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    # What makes the reminder one and the same however often the task runs: its kind, the object
    # it is about and the due day, e.g. "letter_unread:letter:42:2026-11-20".
    key = models.CharField(max_length=120, unique=True)
    due_on = models.DateField()
    created_at = models.DateTimeField()
    # Done: the task found the cause gone (the letter was read); dismissed: the caseworker did.
    done_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("påmindelse")
        verbose_name_plural = _("påmindelser")
        indexes = [
            # The inbox: a caseworker's open reminders by due day.
            models.Index(fields=["caseworker", "done_at", "due_on"], name="reminder_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_on})"


class Digest(models.Model):
    """The daily digest e-mail sent to a user on a day: at most one (the unique day)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    reminders = models.PositiveIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"
