from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from inddrag.children.models import Case, Child
from inddrag.municipalities.models import Municipality


class Conversation(models.Model):
    """A child conversation (børnesamtale, barnets lov § 5), or a conversation at a supervision
    visit with a placed child without staff present (§ 156, stk. 5)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="conversations")
    held_on = models.DateField(_("dato"))
    place = models.CharField(_("sted"), max_length=200)
    present = models.CharField(_("hvem var med"), max_length=500, blank=True)
    had_bisidder = models.BooleanField(_("barnet havde en bisidder med"), default=False)
    without_staff_present = models.BooleanField(
        _("samtale uden personale til stede (tilsynsbesøg, § 156, stk. 5)"), default=False
    )
    assessment = models.TextField(_("sagsbehandlerens vurdering"), max_length=10000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking (T19): every save bumps it; a save from a stale version is refused.
    version = models.PositiveIntegerField(default=1)
    # The one-time token of the form that recorded it: a second submit of the same form finds
    # this row instead of making another (T20).
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("børnesamtale")
        verbose_name_plural = _("børnesamtaler")
        indexes = [
            # The caseload's "last conversation" and the case timeline.
            models.Index(fields=["case", "held_on"], name="conversation_case_held"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("conversations:detail", args=[self.code])


class Statement(models.Model):
    """What the child said, in the child's own words, and who the child agreed may read it."""

    class Sharing(models.TextChoices):
        CASEWORKER = "caseworker", _("Kun sagsbehandleren")
        CASE_FILE = "case_file", _("Må stå i sagen")
        PARENTS = "parents", _("Må også deles med forældrene")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="statements"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="statements")
    text = models.TextField(_("barnets egne ord"), max_length=5000)
    sharing = models.CharField(
        _("hvem må læse det"), max_length=20, choices=Sharing, default=Sharing.CASE_FILE
    )
    said_on = models.DateField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("barnets udsagn")
        verbose_name_plural = _("barnets udsagn")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sharing__in=["caseworker", "case_file", "parents"]),
                name="statement_sharing_valid",
            ),
        ]
        indexes = [
            # "Barnets perspektiv": the child's latest statements first.
            models.Index(fields=["child", "said_on"], name="statement_child_said"),
        ]

    def __str__(self) -> str:
        return self.text[:60]
