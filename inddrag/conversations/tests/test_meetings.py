"""The caseworker's meeting pages: schedule, the meeting page with the child's preparation, record
the meeting held (and the child conversation), cancel it, and copy the child's words into the
case. Plus the whole way with the child, from the invitation to the feedback figures."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.conversations.models import (
    Conversation,
    Meeting,
    MeetingFeedback,
    MeetingPreparation,
    PreparationAnswer,
    Statement,
)
from inddrag.portal.models import ChildAccess
from inddrag.test import BaseTestCase, child_login, login, make_child_access, make_meeting

Q = PreparationAnswer.Question
NOTIFY = "inddrag.portal.notify.send_child_notice"


def make_preparation(
    meeting: Meeting, *answers: tuple[str, str, bool], submitted: bool = True
) -> MeetingPreparation:
    """A preparation with (question, text, shared) answers, sent unless `submitted` is False."""
    preparation = MeetingPreparation.objects.create(
        municipality_id=meeting.municipality_id,
        meeting=meeting,
        child_id=meeting.case.child_id,
        submitted_at=timezone.now() if submitted else None,
        submit_token=uuid.uuid4() if submitted else None,
    )
    for question, text, shared in answers:
        PreparationAnswer.objects.create(
            municipality_id=meeting.municipality_id,
            preparation=preparation,
            question=question,
            text=text,
            shared=shared,
        )
    return preparation


def schedule_data(**fields: Any) -> dict[str, Any]:
    day = timezone.localdate() + timedelta(days=7)
    data = {
        "kind": "child_conversation",
        "day": day.isoformat(),
        "time": "14:30",
        "place": "Skolen, mødelokale 2",
        "child_invited": "on",
        "submit_token": str(uuid.uuid4()),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


class MeetingsTestCase(BaseTestCase):
    def past_meeting(self, **fields: Any) -> Meeting:
        fields.setdefault("starts_at", timezone.now() - timedelta(days=1))
        return make_meeting(self.case_a, self.alice, **fields)

    def held_meeting_with_conversation(self) -> Meeting:
        meeting = self.past_meeting(status=Meeting.Status.HELD)
        meeting.conversation = Conversation.objects.create(
            municipality=self.nordby,
            case=self.case_a,
            held_on=timezone.localdate(meeting.starts_at),
            place=meeting.place,
            created_by=self.alice,
        )
        meeting.save()
        return meeting

    # Schedule.

    def test_it_shows_the_schedule_form(self) -> None:
        self.login(self.alice)
        r = self.client.get(reverse("conversations:meeting_create", args=[self.case_a.code]))
        self.assertContains(r, "Planlæg et møde")
        self.assertContains(r, 'name="submit_token"')
        self.assertContains(r, 'id="id_child_invited" checked')
        self.assertTrue(r.context["form"]["child_invited"].value())
        for kind in ["Børnesamtale", "Netværksmøde", "Opfølgning", "Statusmøde"]:
            self.assertContains(r, kind)
        event = AccessEvent.objects.get(action="read")
        self.assertEqual((event.user, event.child), (self.alice, self.case_a.child))

    def test_it_schedules_a_meeting_and_tells_the_child(self) -> None:
        """A create event; the invited child with access gets a notice once the change has
        committed, and no notice while it has not."""
        access = make_child_access(self.case_a, self.alice)
        self.login(self.alice)
        url = reverse("conversations:meeting_create", args=[self.case_a.code])
        with mock.patch(NOTIFY) as task, self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(url, schedule_data(kind="network"))
        meeting = Meeting.objects.get()
        self.assertRedirects(r, meeting.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(meeting.kind, "network")
        self.assertEqual(meeting.place, "Skolen, mødelokale 2")
        self.assertTrue(meeting.child_invited)
        self.assertEqual(meeting.status, "planned")
        self.assertEqual(meeting.created_by, self.alice)
        local = timezone.localtime(meeting.starts_at)
        self.assertEqual(
            (local.date(), local.hour, local.minute),
            (timezone.localdate() + timedelta(days=7), 14, 30),
        )
        task.enqueue.assert_called_once_with(access_id=access.pk)
        event = AccessEvent.objects.get(action="create")
        self.assertEqual(event.object_code, str(meeting.code))
        self.assertEqual(event.child, self.case_a.child)

    def test_it_tells_no_child_who_is_not_invited(self) -> None:
        make_child_access(self.case_a, self.alice)
        self.login(self.alice)
        url = reverse("conversations:meeting_create", args=[self.case_a.code])
        with mock.patch(NOTIFY) as task, self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, schedule_data(child_invited=None))
        self.assertFalse(Meeting.objects.get().child_invited)
        task.enqueue.assert_not_called()

    def test_it_rejects_bad_input_in_danish(self) -> None:
        self.login(self.alice)
        url = reverse("conversations:meeting_create", args=[self.case_a.code])
        yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
        far = (timezone.localdate() + timedelta(days=2 * 366 + 2)).isoformat()
        cases = [
            ({"day": yesterday}, "Tidspunktet er gået"),
            ({"day": far}, "Et møde kan højst planlægges to år frem."),
            ({"day": "31-02-2026"}, "Skriv en rigtig dato."),
            ({"time": "25:99"}, "Skriv et klokkeslæt som 14:30."),
            ({"place": ""}, "Skriv, hvor mødet skal være."),
            ({"place": "<b>Skolen</b>"}, "Skriv teksten uden HTML-koder"),
            ({"kind": ""}, "Vælg, hvilken slags møde det er."),
            ({"kind": "party"}, "Vælg en af mødetyperne."),
            ({"submit_token": ""}, "Formularen er ikke komplet"),
        ]
        for fields, message in cases:
            with self.subTest(fields=fields):
                r = self.client.post(url, schedule_data(**fields))
                self.assertContains(r, message)
                self.assertContains(r, "Mødet er ikke planlagt")
        self.assertFalse(Meeting.objects.exists())

    def test_it_schedules_once_for_a_double_submit(self) -> None:
        """T20: the same page sent twice plans one meeting; both answers lead to it."""
        self.login(self.alice)
        url = reverse("conversations:meeting_create", args=[self.case_a.code])
        data = schedule_data()
        first, second = self.client.post(url, data), self.client.post(url, data)
        meeting = Meeting.objects.get()
        for r in [first, second]:
            self.assertRedirects(r, meeting.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 1)

    def test_it_is_404_to_caseworkers_without_the_case(self) -> None:
        """T1, T3: Anna (other unit) and Bob (Sydby) can neither see the form nor plan; logged."""
        for user in [self.anna, self.bob]:
            with self.subTest(user=user.username):
                self.login(user)
                url = reverse("conversations:meeting_create", args=[self.case_a.code])
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, schedule_data()).status_code, 404)
                denied = AccessEvent.objects.filter(action="denied", user=user).count()
                self.assertEqual(denied, 2)
        self.assertFalse(Meeting.objects.exists())

    def test_it_refuses_the_leader_the_schedule_form(self) -> None:
        """T2: Leo reads the case but plans nothing: 403, logged, nothing saved."""
        self.login(self.leo)
        url = reverse("conversations:meeting_create", args=[self.case_a.code])
        self.assertEqual(self.client.post(url, schedule_data()).status_code, 403)
        self.assertFalse(Meeting.objects.exists())
        self.assertTrue(AccessEvent.objects.filter(action="denied", user=self.leo).exists())
        self.assertFalse(AccessEvent.objects.exclude(action__in=["denied", "login_ok"]).exists())

    # The meeting page.

    def test_it_shows_only_what_the_child_shared(self) -> None:
        """The child's private answer is not on the page at all, not even its existence."""
        meeting = make_meeting(self.case_a, self.alice)
        make_preparation(
            meeting,
            (Q.TOPICS, "Jeg vil tale om fodbold.", True),
            (Q.NOT_TALK, "Far må ikke høre om min kæreste.", False),
            (Q.HARD, "Matematik er svært.", True),
            (Q.WHO_WITH, "", True),
        )
        self.login(self.alice)
        r = self.client.get(meeting.get_absolute_url())
        self.assertContains(r, "Jeg vil tale om fodbold.")
        self.assertContains(r, "Matematik er svært.")
        self.assertNotContains(r, "kæreste")
        self.assertNotContains(r, "Det vil jeg IKKE tale om")
        self.assertNotContains(r, "Dem vil jeg have med")  # an empty answer: nothing to show
        # Grouped by question, in the order the child met them.
        body = r.content.decode()
        self.assertLess(body.index("Det vil jeg gerne tale om"), body.index("Det er svært"))
        event = AccessEvent.objects.get(action="read")
        self.assertEqual(event.object_code, str(meeting.code))
        self.assertEqual(event.child, self.case_a.child)

    def test_it_shows_no_content_of_a_draft(self) -> None:
        meeting = make_meeting(self.case_a, self.alice)
        make_preparation(meeting, (Q.TOPICS, "Hemmelig kladde", True), submitted=False)
        self.login(self.alice)
        r = self.client.get(meeting.get_absolute_url())
        self.assertContains(r, "Barnet er i gang med at forberede sig")
        self.assertNotContains(r, "Hemmelig kladde")

    def test_it_says_when_the_child_has_not_prepared(self) -> None:
        meeting = make_meeting(self.case_a, self.alice)
        self.login(self.alice)
        r = self.client.get(meeting.get_absolute_url())
        self.assertContains(r, "Barnet har ikke forberedt sig endnu")
        self.assertContains(r, reverse("conversations:meeting_record", args=[meeting.code]))

    def test_it_shows_the_childs_feedback_with_words(self) -> None:
        meeting = self.past_meeting(
            status=Meeting.Status.HELD,
            summary="Du bor hos mormor.",
            summary_written_at=timezone.now(),
        )
        MeetingFeedback.objects.create(
            municipality=self.nordby,
            meeting=meeting,
            child=self.case_a.child,
            felt_heard=4,
            understood=2,
            text="Det var lidt hurtigt.",
            given_at=timezone.now(),
            submit_token=uuid.uuid4(),
        )
        self.login(self.alice)
        r = self.client.get(meeting.get_absolute_url())
        self.assertContains(r, "Du bor hos mormor.")
        self.assertContains(r, "For det meste (4/5)")
        self.assertContains(r, "Ikke rigtig (2/5)")
        self.assertContains(r, "Det var lidt hurtigt.")

    def test_it_shows_the_meeting_to_the_leader_without_actions(self) -> None:
        """T2: Leo reads the meeting of his unit's case, and gets no buttons to change it."""
        meeting = self.held_meeting_with_conversation()
        make_preparation(meeting, (Q.TOPICS, "Fodbold", True))
        self.login(self.leo)
        r = self.client.get(meeting.get_absolute_url())
        self.assertContains(r, "Fodbold")
        self.assertNotContains(r, reverse("conversations:meeting_record", args=[meeting.code]))
        self.assertNotContains(r, reverse("conversations:meeting_summary", args=[meeting.code]))
        self.assertNotContains(r, "Kopiér til sagen")
        self.assertContains(r, reverse("conversations:feedback_figures"))
        self.assertEqual(AccessEvent.objects.get(action="read").user, self.leo)

    def test_it_reads_the_meeting_page_in_as_many_queries_for_six_answers_as_for_one(
        self,
    ) -> None:
        """Rule 26: no query per answer or per statement."""
        meeting = self.held_meeting_with_conversation()
        preparation = make_preparation(meeting, (Q.TOPICS, "Fodbold", True))
        self.login(self.alice)
        self.client.get(meeting.get_absolute_url())  # the session's first request writes its clock
        # session, user, OTP device, membership; the meeting (+ case, child, creator,
        # conversation); preparation and feedback; the shared answers; the statements' texts;
        # the access event (savepoint, head lock, insert, head move, release).
        with self.assertNumQueries(14):
            self.client.get(meeting.get_absolute_url())
        for question in [Q.GOING_WELL, Q.HARD, Q.WHO_WITH, Q.WHERE, Q.BISIDDER]:
            PreparationAnswer.objects.create(
                municipality=self.nordby,
                preparation=preparation,
                question=question,
                text=f"Svar {question}",
                choice="yes" if question == Q.BISIDDER else "",
            )
        with self.assertNumQueries(14):
            r = self.client.get(meeting.get_absolute_url())
        self.assertEqual(len(r.context["answers"]), 6)

    def test_it_is_404_to_others(self) -> None:
        """T1, T3: Anna and Bob get 404 for Alice's meeting; each attempt logged."""
        meeting = make_meeting(self.case_a, self.alice)
        for user in [self.anna, self.bob]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(meeting.get_absolute_url()).status_code, 404)
                self.assertTrue(AccessEvent.objects.filter(action="denied", user=user).exists())
        self.assertFalse(AccessEvent.objects.filter(action="read").exists())

    def test_it_lists_the_meetings_on_the_case_page(self) -> None:
        meeting = make_meeting(self.case_a, self.alice)
        make_preparation(meeting, (Q.TOPICS, "x", True), submitted=False)
        self.login(self.alice)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, meeting.get_absolute_url())
        self.assertContains(r, "barnet er i gang med at forberede sig")
        self.assertContains(r, reverse("conversations:meeting_create", args=[self.case_a.code]))
        self.login(self.leo)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, meeting.get_absolute_url())
        self.assertNotContains(r, reverse("conversations:meeting_create", args=[self.case_a.code]))

    # Record the meeting.

    def test_it_records_a_child_conversation_in_the_case(self) -> None:
        """Held, with notes, and the child conversation made from it (the meeting's day and
        place, the bisidder and no-staff checkboxes), linked to the meeting."""
        meeting = self.past_meeting(place="Hjemme hos mormor")
        self.login(self.alice)
        url = reverse("conversations:meeting_record", args=[meeting.code])
        r = self.client.get(url)
        self.assertContains(r, "Registrér mødet som børnesamtale i sagen")
        data = {
            "notes": "Asta fortalte om skolen.",
            "record_conversation": "on",
            "present": "Asta, mormor og Alice",
            "had_bisidder": "on",
            "version": "1",
        }
        r = self.client.post(url, data)
        self.assertRedirects(r, meeting.get_absolute_url(), fetch_redirect_response=False)
        meeting.refresh_from_db()
        self.assertEqual((meeting.status, meeting.version), ("held", 2))
        self.assertEqual(meeting.notes, "Asta fortalte om skolen.")
        conversation = meeting.conversation
        assert conversation is not None
        self.assertEqual(conversation.held_on, timezone.localdate(meeting.starts_at))
        self.assertEqual(conversation.place, "Hjemme hos mormor")
        self.assertEqual(conversation.present, "Asta, mormor og Alice")
        self.assertTrue(conversation.had_bisidder)
        self.assertFalse(conversation.without_staff_present)
        self.assertEqual(conversation.created_by, self.alice)
        self.assertEqual(conversation.case, self.case_a)
        created = AccessEvent.objects.get(action="create")
        self.assertEqual(created.object_code, str(conversation.code))
        updated = AccessEvent.objects.get(action="update")
        self.assertEqual(updated.object_code, str(meeting.code))
        # Recorded again (the notes changed): still one conversation, no offer to make another.
        r = self.client.get(url)
        self.assertNotContains(r, "Registrér mødet som børnesamtale i sagen")
        self.client.post(url, {"notes": "Rettet.", "record_conversation": "on", "version": "2"})
        self.assertEqual(Conversation.objects.count(), 1)
        meeting.refresh_from_db()
        self.assertEqual((meeting.notes, meeting.version), ("Rettet.", 3))

    def test_it_records_a_network_meeting_without_a_conversation(self) -> None:
        meeting = self.past_meeting(kind=Meeting.Kind.NETWORK)
        self.login(self.alice)
        url = reverse("conversations:meeting_record", args=[meeting.code])
        self.assertNotContains(self.client.get(url), "record_conversation")
        self.client.post(url, {"notes": "", "record_conversation": "on", "version": "1"})
        meeting.refresh_from_db()
        self.assertEqual(meeting.status, "held")
        self.assertFalse(Conversation.objects.exists())

    def test_it_refuses_to_record_a_meeting_that_has_not_been(self) -> None:
        meeting = make_meeting(
            self.case_a, self.alice, starts_at=timezone.now() + timedelta(days=2)
        )
        self.login(self.alice)
        url = reverse("conversations:meeting_record", args=[meeting.code])
        self.assertContains(self.client.get(url), "Mødet er ikke holdt endnu")
        r = self.client.post(url, {"notes": "x", "version": "1"})
        self.assertContains(r, "Mødet er ikke holdt endnu")
        meeting.refresh_from_db()
        self.assertEqual((meeting.status, meeting.version), ("planned", 1))

    def test_it_rejects_markup_and_overlong_notes(self) -> None:
        meeting = self.past_meeting()
        self.login(self.alice)
        url = reverse("conversations:meeting_record", args=[meeting.code])
        for notes, message in [
            ("<script>x</script>", "Skriv teksten uden HTML-koder"),
            ("x" * 10001, "højst have 10000 tegn"),
        ]:
            with self.subTest(message=message):
                r = self.client.post(url, {"notes": notes, "version": "1"})
                self.assertContains(r, message)
        meeting.refresh_from_db()
        self.assertEqual(meeting.status, "planned")

    def test_it_shows_a_conflict_for_a_stale_record(self) -> None:
        """T19: someone saved the meeting since this editor loaded it: 409, nothing saved, their
        notes kept in the form with the saved version's number."""
        meeting = self.past_meeting()
        self.login(self.alice)
        url = reverse("conversations:meeting_record", args=[meeting.code])
        self.client.post(url, {"notes": "Den gemte udgave.", "version": "1"})
        r = self.client.post(url, {"notes": "Min udgave.", "version": "1"})
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "Den gemte udgave.", status_code=409)
        self.assertContains(r, "\nMin udgave.</textarea>", status_code=409)
        self.assertContains(r, 'name="version" value="2"', status_code=409)
        meeting.refresh_from_db()
        self.assertEqual((meeting.notes, meeting.version), ("Den gemte udgave.", 2))
        event = AccessEvent.objects.filter(action="read").latest("seq")
        self.assertEqual(event.criterion, "edit conflict: version 1 is now 2")
        # The same form sent twice is no conflict.
        r = self.client.post(url, {"notes": "Den gemte udgave.", "version": "1"})
        self.assertEqual(r.status_code, 302)

    def test_it_cancels_a_meeting_after_asking(self) -> None:
        access = make_child_access(self.case_a, self.alice)
        meeting = make_meeting(self.case_a, self.alice)
        self.login(self.alice)
        url = reverse("conversations:meeting_record", args=[meeting.code])
        r = self.client.post(url, {"cancel": "ask", "version": "1"})
        self.assertContains(r, "Vil du aflyse mødet?")
        self.assertContains(r, 'value="confirm"')
        meeting.refresh_from_db()
        self.assertEqual(meeting.status, "planned")
        with mock.patch(NOTIFY) as task, self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(url, {"cancel": "confirm", "version": "1"})
        self.assertRedirects(r, meeting.get_absolute_url(), fetch_redirect_response=False)
        meeting.refresh_from_db()
        self.assertEqual((meeting.status, meeting.version), ("cancelled", 2))
        task.enqueue.assert_called_once_with(access_id=access.pk)
        self.assertEqual(AccessEvent.objects.get(action="update").criterion, "cancelled")
        # A cancelled meeting is never recorded as held.
        self.client.post(url, {"notes": "x", "version": "2"})
        meeting.refresh_from_db()
        self.assertEqual(meeting.status, "cancelled")

    def test_it_refuses_the_leader_the_record(self) -> None:
        """T2: 403 on every change, nothing changed."""
        meeting = self.held_meeting_with_conversation()
        make_preparation(meeting, (Q.TOPICS, "Fodbold", True))
        self.login(self.leo)
        posts = [
            ("conversations:meeting_record", {"notes": "x", "version": "1"}),
            ("conversations:meeting_record", {"cancel": "confirm", "version": "1"}),
            ("conversations:meeting_summary", {"summary": "x", "version": "1"}),
            ("conversations:meeting_copy_statement", {"source": "answer:topics"}),
        ]
        for name, data in posts:
            with self.subTest(name=name):
                r = self.client.post(reverse(name, args=[meeting.code]), data)
                self.assertEqual(r.status_code, 403)
        meeting.refresh_from_db()
        self.assertEqual((meeting.version, meeting.notes, meeting.summary), (1, "", ""))
        self.assertFalse(Statement.objects.exists())
        self.assertFalse(AccessEvent.objects.exclude(action__in=["denied", "login_ok"]).exists())

    def test_it_is_404_to_others_for_every_change(self) -> None:
        meeting = self.held_meeting_with_conversation()
        make_preparation(meeting, (Q.TOPICS, "Fodbold", True))
        for user in [self.anna, self.bob]:
            self.login(user)
            for name in [
                "conversations:meeting_record",
                "conversations:meeting_summary",
                "conversations:meeting_copy_statement",
            ]:
                with self.subTest(user=user.username, name=name):
                    r = self.client.post(
                        reverse(name, args=[meeting.code]),
                        {"source": "answer:topics", "notes": "x", "version": "1"},
                    )
                    self.assertEqual(r.status_code, 404)
        self.assertFalse(Statement.objects.exists())
        meeting.refresh_from_db()
        self.assertEqual(meeting.version, 1)

    # Copy the child's words into the case.

    def test_it_copies_a_shared_answer_into_the_case_once(self) -> None:
        meeting = self.held_meeting_with_conversation()
        make_preparation(meeting, (Q.TOPICS, "Jeg vil tale om fodbold.", True))
        self.login(self.alice)
        url = reverse("conversations:meeting_copy_statement", args=[meeting.code])
        r = self.client.get(meeting.get_absolute_url())
        self.assertContains(r, "Kopiér til sagen")
        self.assertContains(r, '<option value="case_file" selected>', html=False)
        r = self.client.post(url, {"source": "answer:topics", "sharing": "caseworker"})
        self.assertRedirects(r, meeting.get_absolute_url(), fetch_redirect_response=False)
        statement = Statement.objects.get()
        self.assertEqual(statement.text, "Jeg vil tale om fodbold.")
        self.assertEqual(statement.sharing, "caseworker")
        self.assertEqual(statement.said_on, timezone.localdate(meeting.starts_at))
        self.assertEqual(statement.conversation, meeting.conversation)
        self.assertEqual(statement.child, self.case_a.child)
        event = AccessEvent.objects.get(action="create")
        self.assertEqual(event.object_code, str(statement.code))
        # The same words again: still one statement, and the page says it is in the case.
        r = self.client.post(url, {"source": "answer:topics", "sharing": "case_file"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Statement.objects.count(), 1)
        r = self.client.get(meeting.get_absolute_url())
        self.assertContains(r, "Står i sagen med barnets egne ord.")
        self.assertNotContains(r, "Kopiér til sagen")

    def test_it_copies_the_feedback_text(self) -> None:
        meeting = self.held_meeting_with_conversation()
        MeetingFeedback.objects.create(
            municipality=self.nordby,
            meeting=meeting,
            child=self.case_a.child,
            felt_heard=5,
            understood=5,
            text="Tak fordi du lyttede.",
            given_at=timezone.now(),
            submit_token=uuid.uuid4(),
        )
        self.login(self.alice)
        url = reverse("conversations:meeting_copy_statement", args=[meeting.code])
        self.client.post(url, {"source": "feedback", "sharing": "parents"})
        statement = Statement.objects.get()
        self.assertEqual((statement.text, statement.sharing), ("Tak fordi du lyttede.", "parents"))

    def test_it_refuses_to_copy_a_private_answer(self) -> None:
        """A private answer is not the caseworker's to read: 404, logged, nothing copied. So are
        answers of a draft and answers that do not exist."""
        meeting = self.held_meeting_with_conversation()
        make_preparation(meeting, (Q.NOT_TALK, "Hemmeligt", False), (Q.TOPICS, "Fodbold", True))
        self.login(self.alice)
        url = reverse("conversations:meeting_copy_statement", args=[meeting.code])
        for source in ["answer:not_talk", "answer:hard", "feedback"]:
            with self.subTest(source=source):
                r = self.client.post(url, {"source": source, "sharing": "case_file"})
                self.assertEqual(r.status_code, 404)
        self.assertFalse(Statement.objects.exists())
        self.assertEqual(AccessEvent.objects.filter(action="denied").count(), 3)
        r = self.client.post(url, {"source": "answer:nonsense", "sharing": "case_file"})
        self.assertContains(r, "Formularen er ikke komplet")  # the page again, with the error
        r = self.client.post(url, {"source": "answer:topics", "sharing": "everyone"})
        self.assertContains(r, "Vælg, hvem der må læse det.", status_code=200)
        self.assertFalse(Statement.objects.exists())

    def test_it_needs_a_recorded_conversation(self) -> None:
        meeting = self.past_meeting(status=Meeting.Status.HELD)
        make_preparation(meeting, (Q.TOPICS, "Fodbold", True))
        self.login(self.alice)
        url = reverse("conversations:meeting_copy_statement", args=[meeting.code])
        r = self.client.post(url, {"source": "answer:topics", "sharing": "case_file"}, follow=True)
        self.assertContains(r, "Registrér mødet som børnesamtale først")
        self.assertFalse(Statement.objects.exists())
        self.assertEqual(self.client.get(url).status_code, 405)

    # The whole way.

    def test_it_frames_a_meeting_with_the_child_from_invitation_to_figures(self) -> None:
        """The acceptance path: Alice plans; the child prepares over several screens (one private
        answer, two shared), closes the browser, comes back on a new device session and goes on;
        sends twice (one preparation, T20); Alice sees the two shared answers only, records the
        meeting, writes the summary with the LIX hint; the child answers; Leo's figures show it
        under Alice. Every step leaves its access event."""
        morning = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Copenhagen
        access = make_child_access(self.case_a, self.alice)
        child = Client()
        with time_machine.travel(morning, tick=False) as traveller:
            self.login(self.alice)
            create = reverse("conversations:meeting_create", args=[self.case_a.code])
            r = self.client.post(create, schedule_data(day="2026-03-02", time="14:00"))
            meeting = Meeting.objects.get()
            self.assertRedirects(r, meeting.get_absolute_url(), fetch_redirect_response=False)

            child_login(child, access)
            prepare = reverse("portal:prepare", args=[meeting.code])
            self.assertContains(
                child.get(reverse("portal:meeting", args=[meeting.code])), "Forbered mødet"
            )
            r = child.post(
                prepare, {"trin": "1", "text": "Jeg vil tale om fodbold.", "shared": "ja"}
            )
            self.assertRedirects(r, f"{prepare}?trin=2", fetch_redirect_response=False)
            child.post(prepare, {"trin": "2", "text": "Skolen går godt.", "shared": "ja"})
            child.post(
                prepare,
                {"trin": "4", "text": "Far må ikke vide det med min kæreste.", "shared": "nej"},
            )

            # The browser is closed. An hour later the child opens the channel again: a new
            # device session on a new client.
            traveller.move_to(morning + timedelta(hours=1))
            again = Client()
            child_login(again, access)
            r = again.get(prepare)
            self.assertEqual(r.context["step"].number, 3)  # the first question not answered
            r = again.get(f"{prepare}?trin=1")
            self.assertContains(r, "Jeg vil tale om fodbold.")
            again.post(prepare, {"trin": "3", "text": "", "shared": "ja"})
            r = again.get(f"{prepare}?trin=8")
            self.assertContains(r, "Kun dig")
            self.assertContains(r, "Din sagsbehandler kan se det")
            token = str(r.context["form"]["submit_token"].value())
            first = again.post(prepare, {"submit_token": token})
            second = again.post(prepare, {"submit_token": token})
            self.assertEqual(first["Location"], second["Location"])
            preparation = MeetingPreparation.objects.get()
            self.assertIsNotNone(preparation.submitted_at)
            self.assertEqual(str(preparation.submit_token), token)

            self.client = Client()  # staff sessions end when idle: a new one after the move
            self.login(self.alice)
            r = self.client.get(meeting.get_absolute_url())
            self.assertContains(r, "Jeg vil tale om fodbold.")
            self.assertContains(r, "Skolen går godt.")
            self.assertNotContains(r, "kæreste")

            traveller.move_to(morning + timedelta(hours=6))  # after the meeting
            self.client = Client()
            self.login(self.alice)
            record_url = reverse("conversations:meeting_record", args=[meeting.code])
            self.client.post(
                record_url, {"notes": "Godt møde.", "record_conversation": "on", "version": "1"}
            )
            summary_url = reverse("conversations:meeting_summary", args=[meeting.code])
            text = "Vi mødtes i dag. Du fortalte om skolen og om fodbold."
            r = self.client.post(summary_url, {"summary": text, "version": "2", "check": "1"})
            self.assertContains(r, "LIX 24: meget let.")
            self.client.post(summary_url, {"summary": text, "version": "2"})
            meeting.refresh_from_db()
            self.assertEqual(meeting.summary, text)

            child_login(again, access)
            feedback_url = reverse("portal:feedback", args=[meeting.code])
            r = again.get(feedback_url)
            token = str(r.context["form"]["submit_token"].value())
            again.post(
                feedback_url,
                {"felt_heard": "5", "understood": "4", "text": "Tak", "submit_token": token},
            )
            self.assertEqual(MeetingFeedback.objects.get().felt_heard, 5)

            login(self.client, self.leo)
            r = self.client.get(reverse("conversations:feedback_figures"))
            rows = r.context["rows"]
            self.assertEqual(
                [(row.name, row.held, row.summaries, row.answers) for row in rows],
                [("Alice Testesen", 1, 1, 1)],
            )
            self.assertContains(r, "For få svar til at vise et gennemsnit")

        # Every read and change left its event: the child's with the role "child".
        child_events = AccessEvent.objects.filter(role="child")
        self.assertEqual(child_events.filter(action="update", criterion="submitted").count(), 1)
        self.assertEqual(child_events.filter(action="create").count(), 1)  # the feedback
        self.assertEqual(
            child_events.filter(action="update").exclude(criterion="submitted").count(), 4
        )
        self.assertTrue(child_events.filter(action="read").exists())
        for action in ["create", "update", "read"]:
            self.assertTrue(AccessEvent.objects.filter(user=self.alice, action=action).exists())
        self.assertTrue(AccessEvent.objects.filter(user=self.leo, action="list").exists())
        self.assertEqual(ChildAccess.objects.count(), 1)
        self.assertEqual(meeting.conversation_id, Conversation.objects.get().pk)
        self.assertEqual(Conversation.objects.get().held_on, date(2026, 3, 2))
