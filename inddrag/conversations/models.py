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


class Meeting(models.Model):
    """A meeting about the child, framed with the child (core effort 1): the caseworker plans it
    and invites the child, the child prepares, the caseworker records it and writes the child a
    short summary ("Det aftalte vi"), and the child says whether they felt heard."""

    class Kind(models.TextChoices):
        CHILD_CONVERSATION = "child_conversation", _("Børnesamtale")
        NETWORK = "network", _("Netværksmøde")
        FOLLOW_UP = "follow_up", _("Opfølgning")
        STATUS = "status", _("Statusmøde")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        HELD = "held", _("Afholdt")
        CANCELLED = "cancelled", _("Aflyst")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("slags møde"), max_length=20, choices=Kind)
    starts_at = models.DateTimeField(_("tidspunkt"))
    place = models.CharField(_("sted"), max_length=200)
    # The child sees the meeting in the child channel and can prepare it.
    child_invited = models.BooleanField(_("inviter barnet"), default=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PLANNED)
    notes = models.TextField(_("referat til sagen"), max_length=10000, blank=True)
    # The child conversation recorded from this meeting, if it was one: the child's words from
    # the preparation or the feedback can be copied into the case as its statements.
    conversation = models.OneToOneField(
        Conversation, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting"
    )
    summary = models.TextField(_("Det aftalte vi"), max_length=5000, blank=True)
    summary_written_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking (T19) of the record and summary; a stale save is refused.
    version = models.PositiveIntegerField(default=1)
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("møde")
        verbose_name_plural = _("møder")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["child_conversation", "network", "follow_up", "status"]),
                name="meeting_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "held", "cancelled"]),
                name="meeting_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(summary_written_at__isnull=True) | ~Q(summary=""),
                name="meeting_summary_written_with_text",
            ),
        ]
        indexes = [
            # The child's next meeting and the case's meetings, by time.
            models.Index(fields=["case", "starts_at"], name="meeting_case_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("conversations:meeting_detail", args=[self.code])


class MeetingPreparation(models.Model):
    """The child's preparation of a meeting. A draft is saved as the child types and survives a
    closed browser; submitting it (once, however often the form is sent: T20) shows the shared
    answers to the caseworker."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="preparation")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)  # None: still a draft
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("barnets forberedelse")
        verbose_name_plural = _("børns forberedelser")

    def __str__(self) -> str:
        return f"{self.meeting}"


class PreparationAnswer(models.Model):
    """One answer of a preparation: text, a choice, or both; `shared` is the child's choice of
    whether the caseworker may see it (not shared: it stays the child's own note)."""

    class Question(models.TextChoices):
        TOPICS = "topics", _("Det vil jeg gerne tale om")
        GOING_WELL = "going_well", _("Det går godt")
        HARD = "hard", _("Det er svært")
        NOT_TALK = "not_talk", _("Det vil jeg IKKE tale om, eller det skal andre ikke høre")
        WHO_WITH = "who_with", _("Dem vil jeg have med")
        WHERE = "where", _("Her vil jeg gerne mødes")
        BISIDDER = "bisidder", _("Vil du have en bisidder med?")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    preparation = models.ForeignKey(
        MeetingPreparation, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.CharField(max_length=20, choices=Question)
    text = models.TextField(max_length=3000, blank=True)
    choice = models.CharField(max_length=40, blank=True)  # e.g. an emoji scale value or yes/no
    shared = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("svar i forberedelsen")
        verbose_name_plural = _("svar i forberedelser")
        constraints = [
            models.UniqueConstraint(
                fields=["preparation", "question"], name="preparationanswer_one_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.preparation} {self.question}"


class MeetingFeedback(models.Model):
    """The child's answer to the summary: "Følte du dig hørt?" and "Forstod du, hvad der blev
    besluttet?" on a five-point smiley scale (1 = not at all, 5 = completely), plus words."""

    SCALE = [(n, str(n)) for n in range(1, 6)]

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="feedback")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    felt_heard = models.PositiveSmallIntegerField(_("Følte du dig hørt?"), choices=SCALE)
    understood = models.PositiveSmallIntegerField(
        _("Forstod du, hvad der blev besluttet?"), choices=SCALE
    )
    text = models.TextField(_("Vil du sige mere?"), max_length=3000, blank=True)
    given_at = models.DateTimeField()
    submit_token = models.UUIDField(unique=True, editable=False)

    class Meta:
        verbose_name = _("barnets svar på mødet")
        verbose_name_plural = _("børns svar på møder")
        constraints = [
            models.CheckConstraint(
                condition=Q(felt_heard__gte=1, felt_heard__lte=5, understood__gte=1)
                & Q(understood__lte=5),
                name="meetingfeedback_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}"
