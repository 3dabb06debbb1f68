"""State changes of Barnets plan: each owns its transaction and writes its access event (house
style rule 10). The caseworker edits the draft (optimistic locking on its `revision`, T19) and
approves it; the child checks in on a goal and proposes goals (once per form, T20)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.children.models import Case
from inddrag.lib.text import reject_markup
from inddrag.municipalities.models import Membership
from inddrag.plans.models import Goal, GoalCheckIn, GoalProposal, Plan, PlanVersion
from inddrag.portal.access import record_for_child
from inddrag.portal.models import ChildAccess
from inddrag.portal.notify import notify_child_on_commit

# What a goal says: the fields the caseworker writes, compared between versions (diff.py).
GOAL_FIELDS = (
    "area",
    "child_words",
    "child_words_missing_reason",
    "description",
    "who_does_what",
    "review_on",
)
CHILD_WORDS_LIMIT = 2000  # the child's words, in a goal and in a proposal
COMMENT_LIMIT = 2000  # a check-in's comment
# The foreign keys and generated values: clean_fields() would read each key's row to validate it.
_GOAL_EXCLUDE = ["municipality", "version", "key", "code"]


class PlanError(Exception):
    pass


class PlanConflict(PlanError):
    """The draft was changed (or approved) after this editor loaded it (optimistic locking, T19)."""


class EmptyPlan(PlanError):
    """A draft without goals cannot be approved."""


class AlreadyApproved(PlanError):
    """The version was approved meanwhile (the same form sent twice, or a colleague)."""


class GoalNotInPlan(PlanError):
    """No goal with that key in the draft (removed meanwhile) or in the child's approved plan."""


class ProposalHandled(PlanError):
    """The child's proposal was already taken into the plan."""


# The caseworker's plan.


@transaction.atomic(durable=True)
def create_plan(case: Case, *, by: User, membership: Membership) -> tuple[Plan, bool]:
    """The case's plan with its first draft; (plan, True) when made now. A case has one plan:
    a second call returns the first call's plan, also when both run at once."""
    existing = Plan.objects.filter(case_id=case.pk).first()
    if existing is not None:
        return existing, False
    plan = Plan(municipality_id=case.municipality_id, case=case, created_by=by)
    try:
        with transaction.atomic():
            plan.save(force_insert=True)
    except IntegrityError:
        # PostgreSQL: made twice at once; the other transaction committed first.
        return Plan.objects.get(case_id=case.pk), False
    PlanVersion.objects.create(municipality_id=case.municipality_id, plan=plan, number=1)
    record(Action.CREATE, user=by, membership=membership, child=case.child, obj=plan)
    return plan, True


@transaction.atomic(durable=True)
def add_goal(
    plan: Plan,
    *,
    by: User,
    membership: Membership,
    draft_number: int,
    revision: int,
    **fields: Any,
) -> Goal:
    """Add a goal at the end of the draft. `draft_number` and `revision` are the draft as the
    editor loaded it: if it changed since, nothing is saved and PlanConflict is raised (T19)."""
    draft = _lock_draft(plan, draft_number, revision)
    goal = Goal(
        municipality_id=plan.municipality_id,
        version=draft,
        position=_next_position(draft),
        **fields,
    )
    _validate_goal(goal)
    goal.save(force_insert=True)
    record(Action.CREATE, user=by, membership=membership, child=plan.case.child, obj=goal)
    return goal


@transaction.atomic(durable=True)
def update_goal(
    plan: Plan,
    *,
    key: UUID,
    by: User,
    membership: Membership,
    draft_number: int,
    revision: int,
    **fields: Any,
) -> Goal:
    """Change the draft's goal with `key` (whether the child proposed it stays as it was).
    PlanConflict if the draft changed since the editor loaded it (T19); GoalNotInPlan if the
    goal is not in the draft."""
    draft = _lock_draft(plan, draft_number, revision)
    goal = Goal.objects.filter(version_id=draft.pk, key=key).first()
    if goal is None:
        raise GoalNotInPlan(str(key))
    for name in GOAL_FIELDS:
        setattr(goal, name, fields[name])
    _validate_goal(goal)
    goal.save(update_fields=list(GOAL_FIELDS))
    record(Action.UPDATE, user=by, membership=membership, child=plan.case.child, obj=goal)
    return goal


@transaction.atomic(durable=True)
def remove_goal(
    plan: Plan,
    *,
    key: UUID,
    by: User,
    membership: Membership,
    draft_number: int,
    revision: int,
) -> None:
    """Remove the goal with `key` from the draft (approved versions keep it). PlanConflict if
    the draft changed since the editor loaded it (T19); GoalNotInPlan if it is not there."""
    draft = _lock_draft(plan, draft_number, revision)
    goal = Goal.objects.filter(version_id=draft.pk, key=key).first()
    if goal is None:
        raise GoalNotInPlan(str(key))
    goal.delete()
    record(Action.DELETE, user=by, membership=membership, child=plan.case.child, obj=goal)


@transaction.atomic(durable=True)
def take_proposal(
    plan: Plan,
    proposal: GoalProposal,
    *,
    by: User,
    membership: Membership,
    draft_number: int,
    revision: int,
    **fields: Any,
) -> Goal:
    """Take the child's proposal into the draft: a goal with the child's words as the child
    wrote them, marked as the child's, and the proposal handled. ProposalHandled when it was
    taken already (the same form sent twice); PlanConflict when the draft changed (T19)."""
    key = uuid4()
    taken = GoalProposal.objects.filter(
        pk=proposal.pk, plan_id=plan.pk, handled_at__isnull=True
    ).update(handled_at=timezone.now(), goal_key=key)
    if not taken:
        raise ProposalHandled(str(proposal.code))
    draft = _lock_draft(plan, draft_number, revision)
    fields = {**fields, "child_words": proposal.child_words, "child_words_missing_reason": ""}
    goal = Goal(
        municipality_id=plan.municipality_id,
        version=draft,
        key=key,
        position=_next_position(draft),
        proposed_by_child=True,
        **fields,
    )
    _validate_goal(goal)
    goal.save(force_insert=True)
    record(
        Action.CREATE,
        user=by,
        membership=membership,
        child=plan.case.child,
        obj=goal,
        criterion=f"from the child's proposal {proposal.code}",
    )
    return goal


@transaction.atomic(durable=True)
def approve_draft(
    plan: Plan, *, by: User, membership: Membership, draft_number: int, revision: int
) -> PlanVersion:
    """Approve the draft as it was loaded: it is kept as version N for good, and its goals are
    copied (same keys) into a new draft N + 1 for the next changes. The child gets a notice.

    AlreadyApproved when version N is approved already; PlanConflict when the draft changed
    since it was loaded (T19); EmptyPlan when it has no goals (then nothing changes)."""
    draft = PlanVersion.objects.filter(plan_id=plan.pk, number=draft_number).first()
    if draft is None:
        raise PlanConflict(f"{plan.code} v{draft_number}")
    if draft.approved_at is not None:
        raise AlreadyApproved(f"{plan.code} v{draft_number}")
    now = timezone.now()
    # The check and the approval are one statement: a concurrent change of the draft either
    # came first (the revision differs) or waits and then finds it approved.
    approved = PlanVersion.objects.filter(
        pk=draft.pk, approved_at__isnull=True, revision=revision
    ).update(approved_at=now, approved_by=by, revision=F("revision") + 1, updated_at=now)
    if not approved:
        raise PlanConflict(f"{plan.code} v{draft_number}")
    goals = list(Goal.objects.filter(version_id=draft.pk).order_by("position", "pk"))
    if not goals:
        raise EmptyPlan(str(plan.code))  # the transaction rolls the approval back
    draft.approved_at, draft.approved_by, draft.revision = now, by, revision + 1
    following = PlanVersion.objects.create(
        municipality_id=plan.municipality_id, plan=plan, number=draft.number + 1
    )
    Goal.objects.bulk_create(
        Goal(
            municipality_id=plan.municipality_id,
            version=following,
            key=goal.key,
            proposed_by_child=goal.proposed_by_child,
            position=goal.position,
            **{name: getattr(goal, name) for name in GOAL_FIELDS},
        )
        for goal in goals
    )
    case = plan.case
    record(
        Action.UPDATE,
        user=by,
        membership=membership,
        child=case.child,
        obj=draft,
        criterion=f"approved version {draft.number}",
    )
    access_id = ChildAccess.objects.filter(child_id=case.child_id).values_list("pk", flat=True)
    first = access_id.first()
    if first is not None:
        notify_child_on_commit(first)  # "Du har en ny besked i Inddrag", nothing more
    return draft


def _lock_draft(plan: Plan, draft_number: int, revision: int) -> PlanVersion:
    """The draft, with its revision moved on, if it is still the draft the editor loaded; else
    PlanConflict. The check and the write are one statement (as update_conversation's)."""
    changed = PlanVersion.objects.filter(
        plan_id=plan.pk, number=draft_number, approved_at__isnull=True, revision=revision
    ).update(revision=F("revision") + 1, updated_at=timezone.now())
    if not changed:
        raise PlanConflict(f"{plan.code} v{draft_number} r{revision}")
    return PlanVersion.objects.get(plan_id=plan.pk, number=draft_number)


def _next_position(draft: PlanVersion) -> int:
    last = Goal.objects.filter(version_id=draft.pk).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _validate_goal(goal: Goal) -> None:
    """The model's checks and what forms check too: the child's words or why they are missing,
    text lengths, and no markup in the free text."""
    if not goal.child_words.strip() and not goal.child_words_missing_reason.strip():
        raise ValidationError({"child_words": "The child's words, or why they are missing"})
    if len(goal.child_words) > CHILD_WORDS_LIMIT:
        raise ValidationError({"child_words": f"At most {CHILD_WORDS_LIMIT} characters"})
    _validate(goal, exclude=_GOAL_EXCLUDE)
    for name in ("child_words", "child_words_missing_reason", "description", "who_does_what"):
        reject_markup(getattr(goal, name))


def _validate(row: models.Model, *, exclude: list[str]) -> None:
    """The model's field checks, plus the length of text fields, which Django leaves to forms."""
    row.clean_fields(exclude=exclude)
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if (
            isinstance(field, models.TextField)
            and field.max_length
            and isinstance(value, str)
            and len(value) > field.max_length
        ):
            raise ValidationError({field.name: f"At most {field.max_length} characters"})


# The child's side (the child channel).


def approved_version(plan: Plan) -> PlanVersion | None:
    """The plan's newest approved version: all the child ever sees of the plan. One query."""
    return (
        PlanVersion.objects.filter(plan_id=plan.pk, approved_at__isnull=False)
        .order_by("-number")
        .first()
    )


@transaction.atomic(durable=True)
def check_in(
    access: ChildAccess,
    plan: Plan,
    *,
    goal_key: UUID,
    rating: int,
    comment: str,
    submit_token: UUID,
) -> GoalCheckIn:
    """The child's "Hvordan går det?" on a goal of the approved plan. A second call with the same
    `submit_token` saves nothing and returns the first call's check-in, also when both run at
    once (T20). GoalNotInPlan when the goal is not in the child's approved plan."""
    _check_own(access, plan)
    earlier = GoalCheckIn.objects.filter(submit_token=submit_token).first()
    if earlier is not None:
        return _same_check_in(earlier, access, goal_key)
    version = approved_version(plan)
    if version is None or not Goal.objects.filter(version_id=version.pk, key=goal_key).exists():
        raise GoalNotInPlan(str(goal_key))
    if len(comment) > COMMENT_LIMIT:
        raise ValidationError({"comment": f"At most {COMMENT_LIMIT} characters"})
    reject_markup(comment)
    row = GoalCheckIn(
        municipality_id=plan.municipality_id,
        plan=plan,
        child_id=access.child_id,
        goal_key=goal_key,
        rating=rating,
        comment=comment,
        checked_in_at=timezone.now(),
        submit_token=submit_token,
    )
    row.clean_fields(exclude=["municipality", "plan", "child", "code", "submit_token"])
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        # PostgreSQL: the same form sent twice at once; the other transaction committed first.
        found = GoalCheckIn.objects.get(submit_token=submit_token)
        return _same_check_in(found, access, goal_key)
    record_for_child(access, Action.CREATE, obj=row)
    return row


@transaction.atomic(durable=True)
def propose_goal(
    access: ChildAccess, plan: Plan, *, child_words: str, area: str, submit_token: UUID
) -> GoalProposal:
    """The child proposes a goal in their own words ("Det vil jeg gerne"), in an area or none.
    The caseworker sees it on the plan page and the case page. Once per form (T20)."""
    _check_own(access, plan)
    earlier = GoalProposal.objects.filter(submit_token=submit_token).first()
    if earlier is not None:
        return _same_proposal(earlier, access)
    if not child_words.strip():
        raise ValidationError({"child_words": "A proposal needs words"})
    reject_markup(child_words)
    row = GoalProposal(
        municipality_id=plan.municipality_id,
        plan=plan,
        child_id=access.child_id,
        child_words=child_words,
        area=area,
        proposed_at=timezone.now(),
        submit_token=submit_token,
    )
    _validate(row, exclude=["municipality", "plan", "child", "code", "submit_token", "goal_key"])
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return _same_proposal(GoalProposal.objects.get(submit_token=submit_token), access)
    record_for_child(access, Action.CREATE, obj=row)
    return row


def _check_own(access: ChildAccess, plan: Plan) -> None:
    if plan.municipality_id != access.municipality_id or plan.case.child_id != access.child_id:
        raise PlanError("The plan is not the child's")


def _same_check_in(row: GoalCheckIn, access: ChildAccess, goal_key: UUID) -> GoalCheckIn:
    if row.child_id != access.child_id or row.goal_key != goal_key:
        raise PlanError("The form's token belongs to another check-in")
    return row


def _same_proposal(row: GoalProposal, access: ChildAccess) -> GoalProposal:
    if row.child_id != access.child_id:
        raise PlanError("The form's token belongs to another proposal")
    return row
