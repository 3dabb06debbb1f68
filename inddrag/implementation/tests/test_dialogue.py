"""The dialogue space across municipalities: leaders and administrators of every municipality
read every post (the one place that crosses tenants, by design); a post never holds case data
(refused before it is saved) and never shows its author's name to another municipality."""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.implementation import services
from inddrag.implementation.models import DialoguePost, Group
from inddrag.implementation.tests.helpers import make_post
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase, make_conversation

URL = reverse("implementation:dialogue")
REFUSED = "Del erfaringer, ikke sager."


class DialogueTestCase(BaseTestCase):
    def setUp(self) -> None:
        # A surname found nowhere else in the test world, to prove it is not shown.
        self.leo.last_name = "Lindqvist"
        self.leo.save(update_fields=["last_name"])

    def post_data(self, **fields: Any) -> dict[str, Any]:
        data = {
            "group_kind": "coordination",
            "title": "Børnesamtaler uden for kontoret",
            "text": "Vi holder nu de fleste børnesamtaler på skolen eller en gåtur. Det virker.",
            "submit_token": str(uuid.uuid4()),
        }
        data.update(fields)
        return data

    def reply_data(self, **fields: Any) -> dict[str, Any]:
        data = {
            "group_kind": "steering",
            "text": "Det har vi også gode erfaringer med i styregruppen.",
            "submit_token": str(uuid.uuid4()),
        }
        data.update(fields)
        return data

    def case_data_of_the_world(self) -> list[str]:
        """Every child's names, CPR number and case reference in both municipalities."""
        texts = []
        for case in [self.case_a, self.case_a2, self.case_b]:
            child = case.child
            texts += [child.first_name, child.last_name, child.cpr, case.reference]
        return texts

    # Posting.

    def test_it_shares_a_post(self) -> None:
        self.login(self.leo)
        r = self.client.post(URL, self.post_data())
        post = DialoguePost.objects.get()
        self.assertRedirects(r, post.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(
            (post.municipality, post.author, post.author_role, post.group_kind, post.reply_to),
            (self.nordby, self.leo, "leader", "coordination", None),
        )
        self.assertEqual(post.title, "Børnesamtaler uden for kontoret")
        event = AccessEvent.objects.get(action="create")
        self.assertEqual(
            (event.user, event.object_type, event.object_code, event.child),
            (self.leo, "DialoguePost", str(post.code), None),
        )
        r = self.client.get(post.get_absolute_url())
        self.assertContains(r, "Børnesamtaler uden for kontoret")
        self.assertContains(r, "Dig (Nordby Kommune) · Koordinationsgruppe")

    def test_it_shares_a_post_once_for_a_form_sent_twice(self) -> None:
        """T20: the same form (the same token) sent twice makes one post."""
        self.login(self.leo)
        data = self.post_data()
        first = self.client.post(URL, data)
        second = self.client.post(URL, data)
        post = DialoguePost.objects.get()
        for r in [first, second]:
            self.assertRedirects(r, post.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 1)

    def test_it_refuses_a_post_with_case_data(self) -> None:
        """A CPR number, an address or an exact date, in the text or the title, and the post is
        refused with a Danish message naming what was found; nothing is saved or logged, and
        the text stays in the form to be rewritten."""
        self.login(self.leo)
        cases = [
            ({"text": "Barnet (CPR 010190-1234) blev hørt."}, "et CPR-nummer"),
            ({"text": "Barnet 0101901234 blev hørt."}, "et CPR-nummer"),
            ({"text": "Vi mødtes hos familien på Bakkevej 12, 2300 København S."}, "en adresse"),
            ({"text": "Samtalen den 3. maj 2026 gik godt."}, "en dato"),
            ({"text": "Samtalen 03-05-2026 gik godt."}, "en dato"),
            ({"title": "Mødet 12.03.2026"}, "en dato"),
            (
                {"title": "Sagen 010190-1234", "text": "Mødet 3. maj 2026."},
                "et CPR-nummer og en dato",
            ),
        ]
        for fields, found in cases:
            with self.subTest(fields=fields):
                data = self.post_data(**fields)
                r = self.client.post(URL, data)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "Indlægget er ikke delt")
                self.assertContains(
                    r, f"Indlægget ser ud til at indeholde {found}. Del erfaringer, ikke sager."
                )
                self.assertContains(r, data["text"])
        self.assertFalse(DialoguePost.objects.exists())
        self.assertFalse(AccessEvent.objects.filter(action="create").exists())

    def test_the_service_refuses_case_data_too(self) -> None:
        """Whoever calls it, post_to_dialogue saves nothing with case data in it."""
        membership = Membership.objects.get(user=self.leo)
        with self.assertRaises(services.CaseDataFound) as raised:
            services.post_to_dialogue(
                by=self.leo,
                membership=membership,
                group_kind="steering",
                title="Erfaring",
                text="Barnet på Bakkevej 12 (010190-1234).",
            )
        self.assertEqual(raised.exception.kinds, ["et CPR-nummer", "en adresse"])
        self.assertFalse(DialoguePost.objects.exists())

    def test_it_validates_a_post(self) -> None:
        self.login(self.leo)
        cases = [
            ({"group_kind": ""}, "Vælg den gruppe, du skriver fra."),
            ({"group_kind": "board"}, "Vælg den gruppe, du skriver fra."),
            ({"title": ""}, "Skriv en overskrift."),
            ({"text": ""}, "Skriv jeres erfaring."),
            ({"text": "a" * 5001}, "Skriv højst 5000 tegn."),
            ({"text": "Se <a href='x'>her</a>"}, "Skriv teksten uden HTML-koder"),
            ({"title": "<script>x</script>"}, "Skriv teksten uden HTML-koder"),
            ({"submit_token": ""}, "Formularen er ikke komplet."),
        ]
        for fields, message in cases:
            with self.subTest(fields=str(fields)[:40]):
                r = self.client.post(URL, self.post_data(**fields))
                self.assertContains(r, message)
        self.assertFalse(DialoguePost.objects.exists())

    # Reading across municipalities.

    def test_sydbys_leader_reads_nordbys_post_without_the_authors_name(self) -> None:
        """Bea (Sydby) sees Nordby's post with its group kind and "En leder i Nordby Kommune",
        never Leo's name; Bo (Sydby's administrator) too."""
        post = make_post(self.nordby, self.leo, title="Børnenes stemme i styregruppen")
        for user in [self.bea, self.bo]:
            self.login(user)
            for url in [URL, post.get_absolute_url()]:
                with self.subTest(user=user.username, url=url):
                    r = self.client.get(url)
                    self.assertEqual(r.status_code, 200)
                    self.assertContains(r, "Børnenes stemme i styregruppen")
                    self.assertContains(r, "En leder i Nordby Kommune · Koordinationsgruppe")
                    self.assertNotContains(r, "Lindqvist")
                    self.assertNotContains(r, "Leo")
                    self.assertNotContains(r, str(self.leo.code))

    def test_it_names_the_author_only_inside_the_municipality(self) -> None:
        make_post(self.nordby, self.leo, title="Fra Leo")
        make_post(self.sydby, self.bo, title="Fra Bo", author_role="admin")
        self.login(self.ada)
        r = self.client.get(URL)
        self.assertContains(r, "Leo Lindqvist, leder i Nordby Kommune")
        self.assertContains(r, "En kommune-administrator i Sydby Kommune")
        self.assertNotContains(r, "Bo Testesen")

    def test_the_pages_show_no_case_data_even_when_there_are_cases(self) -> None:
        """ "The cross-municipality space shows no case data": both municipalities have cases
        with children, CPR numbers, references and conversations; the dialogue pages, read by
        Nordby's and Sydby's leaders, show none of it."""
        make_conversation(self.case_a, self.alice, "Jeg vil gerne bo hos mormor.")
        make_conversation(self.case_b, self.bob, "Jeg kan godt lide fodbold.")
        post = make_post(self.nordby, self.leo)
        make_post(self.sydby, self.bea, reply_to=post, title=f"Sv: {post.title}")
        forbidden = [
            *self.case_data_of_the_world(),
            "Jeg vil gerne bo hos mormor.",
            "Jeg kan godt lide fodbold.",
        ]
        for user in [self.leo, self.bea]:
            self.login(user)
            for url in [URL, post.get_absolute_url()]:
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                for text in forbidden:
                    with self.subTest(user=user.username, url=url, text=text):
                        self.assertNotContains(r, text)
        self.assertFalse(AccessEvent.objects.filter(child__isnull=False).exists())

    def test_it_lists_the_threads_newest_first_with_their_replies_counted(self) -> None:
        older = make_post(self.sydby, self.bea, title="Ældre", group_kind="training")
        newer = make_post(self.nordby, self.leo, title="Nyere")
        for n in range(2):
            make_post(self.nordby, self.ada, reply_to=older, title="Sv: Ældre", text=f"Svar {n}")
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertEqual([row.post for row in r.context["rows"]], [newer, older])
        self.assertEqual([row.reply_count for row in r.context["rows"]], [0, 2])
        self.assertContains(r, "2 svar")
        self.assertNotContains(r, "Svar 0")  # replies are on the thread's page
        r = self.client.get(URL, {"gruppe": "training"})
        self.assertEqual([row.post for row in r.context["rows"]], [older])
        r = self.client.get(URL, {"gruppe": "nonsense"})
        self.assertEqual(len(r.context["rows"]), 2)

    def test_it_says_when_there_are_no_posts(self) -> None:
        self.login(self.bea)
        r = self.client.get(URL)
        self.assertContains(r, "Der er ingen indlæg endnu. Del jeres første erfaring.")
        r = self.client.get(URL, {"gruppe": "steering"})
        self.assertContains(r, "Der er ingen indlæg fra den slags gruppe endnu.")

    def test_it_pages_the_threads(self) -> None:
        for n in range(23):
            make_post(self.nordby, self.leo, title=f"Indlæg {n:02d}")
        self.login(self.bea)
        r = self.client.get(URL)
        self.assertEqual(len(r.context["rows"]), 20)
        self.assertContains(r, "Side 1 af 2")
        r = self.client.get(URL, {"page": "2"})
        self.assertEqual([row.post.title for row in r.context["rows"]][-1], "Indlæg 00")

    # Replies.

    def test_sydby_replies_to_nordby(self) -> None:
        post = make_post(self.nordby, self.leo, title="Spørgsmål om temadage")
        self.login(self.bea)
        r = self.client.post(post.get_absolute_url(), self.reply_data())
        reply = DialoguePost.objects.get(reply_to=post)
        self.assertRedirects(
            r, f"{post.get_absolute_url()}#svar-{reply.code}", fetch_redirect_response=False
        )
        self.assertEqual(
            (reply.municipality, reply.author, reply.group_kind, reply.title),
            (self.sydby, self.bea, "steering", "Sv: Spørgsmål om temadage"),
        )
        self.login(self.leo)
        r = self.client.get(post.get_absolute_url())
        self.assertContains(r, "Det har vi også gode erfaringer med i styregruppen.")
        self.assertContains(r, "En leder i Sydby Kommune · Styregruppe")
        self.assertNotContains(r, "Bea")
        self.assertContains(r, f'id="svar-{reply.code}"')

    def test_it_refuses_a_reply_with_case_data(self) -> None:
        post = make_post(self.nordby, self.leo)
        self.login(self.bea)
        r = self.client.post(post.get_absolute_url(), self.reply_data(text="Ring på 12 34 56 78."))
        self.assertContains(r, "Dit svar er ikke delt")
        self.assertContains(
            r, "Indlægget ser ud til at indeholde et telefonnummer. Del erfaringer, ikke sager."
        )
        r = self.client.post(
            post.get_absolute_url(), self.reply_data(text="Barnet 010190-1234 sagde ja.")
        )
        self.assertContains(r, "et CPR-nummer")
        self.assertFalse(DialoguePost.objects.filter(reply_to=post).exists())

    def test_a_reply_is_not_a_thread_of_its_own(self) -> None:
        post = make_post(self.nordby, self.leo)
        reply = make_post(self.sydby, self.bea, reply_to=post)
        self.login(self.leo)
        url = reverse("implementation:dialogue_post", args=[reply.code])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, self.reply_data()).status_code, 404)
        unknown = reverse("implementation:dialogue_post", args=[uuid.uuid4()])
        self.assertEqual(self.client.get(unknown).status_code, 404)
        self.assertEqual(DialoguePost.objects.count(), 2)

    # Access.

    def test_it_is_for_leaders_and_administrators(self) -> None:
        """T2: caseworkers of both municipalities get 403, logged by the policy; nothing is
        posted."""
        post = make_post(self.nordby, self.leo)
        for user in [self.alice, self.bob]:
            self.login(user)
            requests = [
                ("get", URL, {}),
                ("post", URL, self.post_data()),
                ("get", post.get_absolute_url(), {}),
                ("post", post.get_absolute_url(), self.reply_data()),
            ]
            for method, url, data in requests:
                with self.subTest(user=user.username, method=method, url=url):
                    self.assertEqual(getattr(self.client, method)(url, data).status_code, 403)
            self.assertEqual(AccessEvent.objects.filter(action="denied", user=user).count(), 4)
        self.assertEqual(DialoguePost.objects.count(), 1)

    # Query counts (house style rule 26).

    def prime_session(self) -> None:
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()

    # Expect 6 queries for the list, whatever the number of posts, replies and municipalities:
    #   1 session, 2 user, 3 OTP device, 4 memberships,
    #   5 the count of threads (the pager), 6 the page of threads with their municipality and
    #   author and their replies counted.
    LIST_QUERIES = 6

    def test_it_lists_the_threads_in_constant_queries(self) -> None:
        self.login(self.bea)
        self.client.get(URL)
        authors = [(self.nordby, self.leo), (self.sydby, self.bea), (self.sydby, self.bo)]
        for n in [1, 12]:
            for k in range(n):
                municipality, author = authors[k % 3]
                thread = make_post(municipality, author, group_kind=Group.Kind.values[k % 3])
                make_post(self.nordby, self.ada, reply_to=thread)
            self.prime_session()
            with self.subTest(threads=n), self.assertNumQueries(self.LIST_QUERIES):
                r = self.client.get(URL)
            self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.context["rows"]), 13)

    # Expect 6 queries for a thread, whatever the number of replies:
    #   1 session, 2 user, 3 OTP device, 4 memberships,
    #   5 the thread with its municipality and author, 6 the replies with theirs.
    THREAD_QUERIES = 6

    def test_it_shows_a_thread_in_constant_queries(self) -> None:
        post = make_post(self.nordby, self.leo)
        self.login(self.bea)
        self.client.get(post.get_absolute_url())
        authors = [(self.nordby, self.ada), (self.sydby, self.bea), (self.sydby, self.bo)]
        for n in [1, 12]:
            for k in range(n):
                municipality, author = authors[k % 3]
                make_post(municipality, author, reply_to=post)
            self.prime_session()
            with self.subTest(replies=n), self.assertNumQueries(self.THREAD_QUERIES):
                r = self.client.get(post.get_absolute_url())
            self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.context["replies"]), 13)
