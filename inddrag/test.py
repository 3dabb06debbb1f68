"""The small, named test world every test starts from (house style rule 24).

Nordby Kommune:
  Alice is a caseworker in Team Vest with Case A (child Asta). Anna is a caseworker in Team Øst
  with Case A2 (child Aksel): Alice must not see it (T3). Leo leads Team Vest and sees Case A but
  not Case A2. Ada is Nordby's administrator: she sees users and the access log, no case files.
Sydby Kommune:
  Bob is a caseworker with Case B (child Bertram); Bea leads his team; Bo administers Sydby.
  Nobody in Nordby may see anything of Sydby's, and the other way round (T1).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.models import User
from inddrag.children.models import Assignment, Case, Child, Measure, NetworkMember
from inddrag.conversations.models import Conversation, Meeting, Statement
from inddrag.decisions.models import Decision
from inddrag.implementation.models import DialoguePost, Group, GroupMeeting
from inddrag.letters.models import Letter, Recommendation
from inddrag.municipalities.models import Membership, Municipality, Unit
from inddrag.plans.models import Area, Goal, GoalProposal, Plan, PlanVersion
from inddrag.portal.models import ChildAccess, ChildMessage, DeviceSession
from inddrag.portal.session import cookie_name, new_token, set_device_cookie, token_hash
from inddrag.reflection.models import FollowUp, Reflection, ReflectionModel, ReflectionSession
from inddrag.reminders.models import Reminder
from inddrag.training.models import Module, TrainingSession

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"
Role = Membership.Role


def make_municipality(name: str, **fields: Any) -> Municipality:
    n = next(_seq)
    fields.setdefault("cvr", f"{10000000 + n:08d}")
    fields.setdefault("municipality_code", f"{n % 1000:03d}")
    return Municipality.objects.create(name=name, **fields)


def make_user(username: str, *, with_device: bool = True, **fields: Any) -> User:
    fields.setdefault("first_name", username.capitalize())
    fields.setdefault("last_name", "Testesen")
    user = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com", **fields
    )
    if with_device:
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user


def make_member(
    username: str, municipality: Municipality, role: str, unit: Unit | None = None
) -> User:
    user = make_user(username)
    Membership.objects.create(user=user, municipality=municipality, role=role, unit=unit)
    return user


def make_case(unit: Unit, caseworker: User | None, **child_fields: Any) -> Case:
    n = next(_seq)
    child_fields.setdefault("first_name", f"Barn{n}")
    child_fields.setdefault("last_name", "Fiktivsen")
    child_fields.setdefault("birth_date", date(2012, 3, 5))
    child_fields.setdefault("cpr", f"0523{12:02d}{n % 10000:04d}")
    child = Child.objects.create(municipality=unit.municipality, **child_fields)
    case = Case.objects.create(
        municipality=unit.municipality,
        unit=unit,
        child=child,
        reference=f"T-{n:05d}",
        opened_on=date(2024, 1, 10),
    )
    if caseworker is not None:
        Assignment.objects.create(
            municipality=unit.municipality,
            case=case,
            caseworker=caseworker,
            started_at=datetime(2024, 1, 10, 8, 0, tzinfo=UTC),
        )
    return case


def current_token(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{token:0{device.digits}d}"


def login(client: Client, user: User) -> None:
    """Sign in with the second factor verified, as the real login flow would leave the session."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    session.save()


@dataclass(frozen=True)
class Route:
    """One URL pattern of the URLconf, with the parameters it takes from all its prefixes."""

    name: str | None  # "children:case_detail"; None when the pattern has no name
    route: str  # "sager/<uuid:code>/", for messages
    params: tuple[str, ...]  # keyword parameters; "?" for an unnamed regex group
    callback: Callable[..., Any]


def _params_of(pattern: object) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    if isinstance(pattern, RegexPattern):
        named = tuple(pattern.regex.groupindex)
        return named + ("?",) * (pattern.regex.groups - len(named))
    return ()


def walk_urlpatterns(
    patterns: Sequence[URLPattern | URLResolver] | None = None,
    *,
    prefix: str = "",
    namespaces: tuple[str, ...] = (),
    params: tuple[str, ...] = (),
) -> Iterator[Route]:
    """Every URLPattern of the URLconf (ROOT_URLCONF by default), through every include()."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        entry_params = params + _params_of(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk_urlpatterns(
                entry.url_patterns, prefix=route, namespaces=inner, params=entry_params
            )
        else:
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield Route(name=name, route=route, params=entry_params, callback=entry.callback)


class BaseTestCase(TestCase):
    nordby: Municipality
    sydby: Municipality
    vest: Unit
    oest: Unit
    syd: Unit
    alice: User
    anna: User
    leo: User
    ada: User
    bob: User
    bea: User
    bo: User
    case_a: Case
    case_a2: Case
    case_b: Case

    @classmethod
    def setUpTestData(cls) -> None:
        cls.nordby = make_municipality("Nordby Kommune")
        cls.sydby = make_municipality("Sydby Kommune")
        cls.vest = Unit.objects.create(municipality=cls.nordby, name="Team Vest")
        cls.oest = Unit.objects.create(municipality=cls.nordby, name="Team Øst")
        cls.syd = Unit.objects.create(municipality=cls.sydby, name="Team Syd")
        cls.alice = make_member("alice", cls.nordby, Role.CASEWORKER, cls.vest)
        cls.anna = make_member("anna", cls.nordby, Role.CASEWORKER, cls.oest)
        cls.leo = make_member("leo", cls.nordby, Role.LEADER, cls.vest)
        cls.ada = make_member("ada", cls.nordby, Role.ADMIN)
        cls.bob = make_member("bob", cls.sydby, Role.CASEWORKER, cls.syd)
        cls.bea = make_member("bea", cls.sydby, Role.LEADER, cls.syd)
        cls.bo = make_member("bo", cls.sydby, Role.ADMIN)
        cls.case_a = make_case(cls.vest, cls.alice, first_name="Asta")
        cls.case_a2 = make_case(cls.oest, cls.anna, first_name="Aksel")
        cls.case_b = make_case(cls.syd, cls.bob, first_name="Bertram")

    def login(self, user: User) -> None:
        login(self.client, user)


def make_decision(case: Case, caseworker: User, **fields: Any) -> Decision:
    """A decision recorded without a heard child (urgency), unless `fields` say otherwise."""
    fields.setdefault("title", "Fortsat støtte")
    fields.setdefault("decided_on", date(2024, 6, 1))
    fields.setdefault("child_perspective", "Barnet vil gerne blive boende.")
    fields.setdefault("child_told_how", "Fortalt på skolen.")
    if not fields.get("child_heard"):
        fields.setdefault("not_heard_reason", Decision.NotHeardReason.URGENCY)
    return Decision.objects.create(
        municipality=case.municipality, case=case, created_by=caseworker, **fields
    )


def make_network_member(case: Case, **fields: Any) -> NetworkMember:
    """A person in the network of the case's child (a custody holder unless `fields` say)."""
    fields.setdefault("kind", NetworkMember.Kind.CUSTODY_HOLDER)
    fields.setdefault("name", f"Netværksperson {next(_seq)}")
    return NetworkMember.objects.create(
        municipality_id=case.municipality_id, child=case.child, **fields
    )


def make_measure(case: Case, **fields: Any) -> Measure:
    """A measure of the case (preventive support from 1 February 2024 unless `fields` say)."""
    fields.setdefault("kind", Measure.Kind.PREVENTIVE)
    fields.setdefault("started_on", date(2024, 2, 1))
    return Measure.objects.create(municipality_id=case.municipality_id, case=case, **fields)


def make_conversation(
    case: Case, by: User, *statements: str, held_on: date = date(2024, 3, 1), **fields: Any
) -> Conversation:
    """A child conversation with the child's statements (each one for the case file), written
    directly: no access event."""
    fields.setdefault("place", "Skolen")
    conversation = Conversation.objects.create(
        municipality_id=case.municipality_id, case=case, held_on=held_on, created_by=by, **fields
    )
    Statement.objects.bulk_create(
        Statement(
            municipality_id=case.municipality_id,
            conversation=conversation,
            child_id=case.child_id,
            text=text,
            sharing=Statement.Sharing.CASE_FILE,
            said_on=held_on,
            position=position,
        )
        for position, text in enumerate(statements)
    )
    return conversation


def make_child_access(case: Case, by: User, *, pin: str = "2580", **fields: Any) -> ChildAccess:
    """The case's child with access to the child channel and a chosen PIN."""
    return ChildAccess.objects.create(
        municipality_id=case.municipality_id,
        child=case.child,
        pin_hash=make_password(pin),
        created_by=by,
        **fields,
    )


def child_login(client: Client, access: ChildAccess) -> DeviceSession:
    """Sign the child in on `client` as after the PIN: an unlocked device session and its signed
    cookie (the shortcut; the real flow is tested in portal/tests/test_entry.py)."""
    token = new_token()
    now = timezone.now()
    device = DeviceSession.objects.create(
        municipality_id=access.municipality_id,
        access=access,
        token_hash=token_hash(token),
        last_seen_at=now,
        unlocked_at=now,
    )
    response = HttpResponse()
    set_device_cookie(response, token)
    client.cookies[cookie_name()] = response.cookies[cookie_name()].value
    return device


def make_meeting(case: Case, by: User, **fields: Any) -> Meeting:
    fields.setdefault("kind", Meeting.Kind.CHILD_CONVERSATION)
    fields.setdefault("starts_at", timezone.now() + timedelta(days=7))
    fields.setdefault("place", "Skolen")
    return Meeting.objects.create(
        municipality_id=case.municipality_id, case=case, created_by=by, **fields
    )


def make_child_message(case: Case, **fields: Any) -> ChildMessage:
    """A message from the case's child in the child channel, sent an hour ago unless `fields`
    say otherwise."""
    fields.setdefault("kind", ChildMessage.Kind.MESSAGE)
    fields.setdefault("text", "Jeg vil gerne tale om skolen.")
    fields.setdefault("sent_at", timezone.now() - timedelta(hours=1))
    return ChildMessage.objects.create(
        municipality_id=case.municipality_id,
        child_id=case.child_id,
        case=case,
        submit_token=uuid.uuid4(),
        **fields,
    )


def make_plan(case: Case, by: User, *, goals: int = 1, approved: bool = False) -> Plan:
    """The case's plan with a draft (or, approved=True, version 1 approved and a new draft with
    the same goals) holding `goals` goals in the child's words."""
    plan = Plan.objects.create(municipality_id=case.municipality_id, case=case, created_by=by)
    version = PlanVersion.objects.create(municipality_id=case.municipality_id, plan=plan, number=1)
    for n in range(goals):
        Goal.objects.create(
            municipality_id=case.municipality_id,
            version=version,
            area=Area.SCHOOL,
            child_words=f"Jeg vil gerne have det godt i skolen ({n + 1}).",
            description="Støtte i klassen to timer om ugen.",
            review_on=timezone.localdate() + timedelta(days=90),
            position=n,
        )
    if approved:
        version.approved_at, version.approved_by = timezone.now(), by
        version.save(update_fields=["approved_at", "approved_by"])
        draft = PlanVersion.objects.create(
            municipality_id=case.municipality_id, plan=plan, number=2
        )
        for goal in version.goals.all():
            goal.pk, goal.code, goal.version = None, uuid.uuid4(), draft
            goal.save(force_insert=True)
    return plan


def make_letter(case: Case, by: User, *, sent: bool = False, **fields: Any) -> Letter:
    """A letter to the case's child, a draft unless sent=True."""
    fields.setdefault("recipient", case.child.first_name)
    fields.setdefault("subject", "Vi ses på torsdag")
    fields.setdefault(
        "body", "Hej. Vi ses på torsdag klokken 14 på din skole. Hilsen din sagsbehandler."
    )
    if sent:
        fields.setdefault("sent_at", timezone.now())
        fields.setdefault("sent_by", by)
    return Letter.objects.create(
        municipality_id=case.municipality_id, case=case, created_by=by, **fields
    )


def make_recommendation(case: Case, by: User, **fields: Any) -> Recommendation:
    fields.setdefault("title", "Fortsat støttekontaktperson")
    fields.setdefault("recommendation", "Forvaltningen indstiller, at støtten fortsætter.")
    fields.setdefault("child_perspective", "Barnet vil gerne beholde sin støttekontaktperson.")
    fields.setdefault("involvement", "Børnesamtale på skolen med bisidder.")
    return Recommendation.objects.create(
        municipality_id=case.municipality_id, case=case, created_by=by, **fields
    )


def make_goal_proposal(plan: Plan, **fields: Any) -> GoalProposal:
    """A goal the plan's child proposed in the child channel."""
    fields.setdefault("child_words", "Jeg vil gerne gå til svømning.")
    fields.setdefault("proposed_at", timezone.now())
    return GoalProposal.objects.create(
        municipality_id=plan.municipality_id,
        plan=plan,
        child_id=plan.case.child_id,
        submit_token=uuid.uuid4(),
        **fields,
    )


def make_reflection_model(
    use: str = "personal", municipality: Municipality | None = None
) -> ReflectionModel:
    return ReflectionModel.objects.create(
        municipality=municipality,
        use=use,
        name=f"Model ({use})",
        questions=["Hvad sagde barnet, som betød mest?", "Hvad gør jeg anderledes?"],
    )


def make_reflection(author: User, *, shared: bool = False, **fields: Any) -> Reflection:
    """A personal reflection by `author` (in the author's unit), private unless shared."""
    membership = Membership.objects.get(user=author, ended_at__isnull=True)
    fields.setdefault("model", make_reflection_model("personal"))
    fields.setdefault(
        "answers", [{"question": "Hvad sagde barnet, som betød mest?", "answer": "At hun savner"}]
    )
    return Reflection.objects.create(
        municipality_id=membership.municipality_id,
        author=author,
        unit_id=membership.unit_id,
        shared_with_team=shared,
        **fields,
    )


def make_reflection_session(unit: Unit, planned_by: User, **fields: Any) -> ReflectionSession:
    fields.setdefault("model", make_reflection_model("team"))
    fields.setdefault("held_on", timezone.localdate())
    fields.setdefault("title", "Barnets perspektiv i teamet")
    return ReflectionSession.objects.create(
        municipality_id=unit.municipality_id, unit=unit, planned_by=planned_by, **fields
    )


def make_follow_up(session: ReflectionSession, owner: User, **fields: Any) -> FollowUp:
    fields.setdefault("text", "Vi spørger barnet, hvor det vil mødes.")
    fields.setdefault("due_on", timezone.localdate() + timedelta(days=30))
    return FollowUp.objects.create(
        municipality_id=session.municipality_id, session=session, owner=owner, **fields
    )


def make_module(municipality: Municipality | None = None, **fields: Any) -> Module:
    fields.setdefault("title", "Børnesamtalen")
    fields.setdefault("summary", "Sådan taler du med barnet.")
    return Module.objects.create(municipality=municipality, **fields)


def make_training_session(module: Module, municipality: Municipality, by: User) -> TrainingSession:
    return TrainingSession.objects.create(
        municipality=municipality,
        module=module,
        held_on=timezone.localdate(),
        place="Rådhuset",
        created_by=by,
    )


def make_group(municipality: Municipality, kind: str = "steering") -> Group:
    return Group.objects.create(municipality=municipality, kind=kind, name=f"Gruppe ({kind})")


def make_group_meeting(group: Group, by: User) -> GroupMeeting:
    return GroupMeeting.objects.create(
        municipality_id=group.municipality_id,
        group=group,
        held_on=timezone.localdate(),
        agenda="Status på inddragelse.",
        created_by=by,
    )


def make_dialogue_post(author: User, **fields: Any) -> DialoguePost:
    membership = Membership.objects.get(user=author, ended_at__isnull=True)
    fields.setdefault("group_kind", "steering")
    fields.setdefault("author_role", membership.role)
    fields.setdefault("title", "Sådan fik vi børnene med")
    fields.setdefault("text", "Vi inviterer børnene til at forberede møderne.")
    return DialoguePost.objects.create(
        municipality_id=membership.municipality_id, author=author, **fields
    )


def make_reminder(case: Case, caseworker: User, **fields: Any) -> Reminder:
    """An open reminder for the caseworker about the case (a follow-up conversation due today)."""
    fields.setdefault("kind", Reminder.Kind.FOLLOW_UP)
    fields.setdefault("due_on", timezone.localdate())
    fields.setdefault("key", f"{fields['kind']}:case:{case.pk}:{fields['due_on']}:{uuid.uuid4()}")
    fields.setdefault("created_at", timezone.now())
    return Reminder.objects.create(
        municipality_id=case.municipality_id, case=case, caseworker=caseworker, **fields
    )
