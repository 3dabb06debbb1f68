"""State changes for decisions and the municipality's due rules: each owns its transaction and
writes its access event inside it (house style rule 10)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.db import transaction

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.children.models import Case
from inddrag.decisions.models import Decision, DueRules
from inddrag.decisions.queries import is_heard, latest_conversation_on
from inddrag.municipalities.models import Membership, Municipality

# The rules an administrator may change, in the order the page shows them.
DUE_RULE_FIELDS = (
    "conversation_before_decision_days",
    "placement_follow_up_days",
    "visits_per_year",
    "plan_within_days",
    "youth_plan_age",
    "party_rights_age",
)


class DecisionError(Exception):
    pass


class ChildNotHeard(DecisionError):
    """No child conversation in the period before the decision, and no reason given (§ 5)."""


class SubmitTokenUsed(DecisionError):
    """The form's one-time token already created a decision in another case."""


class DueRulesError(Exception):
    pass


@transaction.atomic(durable=True)
def record_decision(
    case: Case,
    *,
    by: User,
    membership: Membership,
    kind: str,
    title: str,
    decided_on: date,
    child_perspective: str,
    child_told_how: str,
    not_heard_reason: str = "",
    not_heard_note: str = "",
    submit_token: UUID | None = None,
) -> Decision:
    """Record a decision or a recommendation. Whether the child was heard is decided here, from
    the conversations in the database, never from the form: barnets lov § 5 asks for the
    child's views before a decision, and without a conversation in the municipality's period
    a stated reason is required.

    A second call with the same `submit_token` returns the first call's decision (T20)."""
    # Lock the case: two submits of the same form queue here, and the second finds the first.
    case = Case.objects.select_for_update().select_related("child").get(pk=case.pk)
    if submit_token is not None:
        existing = Decision.objects.filter(submit_token=submit_token).first()
        if existing is not None:
            if existing.case_id != case.pk:
                raise SubmitTokenUsed(str(submit_token))
            return existing
    rules = DueRules.for_municipality(case.municipality)
    child_heard = is_heard(
        latest_conversation_on(case, decided_on),
        decided_on,
        period_days=rules.conversation_before_decision_days,
    )
    if child_heard:
        not_heard_reason = not_heard_note = ""
    elif not not_heard_reason:
        raise ChildNotHeard(case.reference)
    decision = Decision(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        title=title,
        decided_on=decided_on,
        child_perspective=child_perspective,
        child_told_how=child_told_how,
        child_heard=child_heard,
        not_heard_reason=not_heard_reason,
        not_heard_note=not_heard_note,
        created_by=by,
        submit_token=submit_token,
    )
    # Field rules (choices, lengths); the database checks uniqueness and the constraints.
    decision.full_clean(
        exclude=["case", "municipality", "created_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    decision.save()
    record(Action.CREATE, user=by, membership=membership, child=case.child, obj=decision)
    return decision


@transaction.atomic(durable=True)
def update_due_rules(
    municipality: Municipality, *, by: User, membership: Membership, **values: Any
) -> DueRules:
    """Save the municipality's due rules. Not child data, but a change to them changes what is
    shown as overdue, so it is in the access log with the old and new values."""
    if membership.municipality_id != municipality.pk or membership.role != Membership.Role.ADMIN:
        raise DueRulesError("Only the municipality's administrator may change its due rules")
    unknown = values.keys() - set(DUE_RULE_FIELDS)
    if unknown:
        raise DueRulesError(f"Unknown due rules: {sorted(unknown)}")
    # The row is created with the defaults the first time; update_or_create-style, so that two
    # administrators saving at once cannot both create it (rule 15).
    rules, _created = DueRules.objects.select_for_update().get_or_create(municipality=municipality)
    changes = []
    for field in DUE_RULE_FIELDS:
        if field in values and getattr(rules, field) != values[field]:
            changes.append(f"{field} {getattr(rules, field)}→{values[field]}")
            setattr(rules, field, values[field])
    if not changes and not _created:
        return rules
    rules.full_clean(exclude=["municipality"], validate_unique=False, validate_constraints=False)
    rules.save()
    record(
        Action.UPDATE,
        user=by,
        membership=membership,
        obj=rules,
        criterion="due rules: " + ("; ".join(changes) or "defaults saved"),
    )
    return rules
