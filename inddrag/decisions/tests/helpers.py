"""Shared bits of the decision tests: conversations made directly (the conversations service
is another module's), a valid form, and a session that is not saved during counted requests."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.test import Client

from inddrag.accounts.models import User
from inddrag.children.models import Case
from inddrag.conversations.models import Conversation

DECIDED_ON = date(2025, 6, 1)


def make_conversation(case: Case, caseworker: User, held_on: date) -> Conversation:
    return Conversation.objects.create(
        municipality=case.municipality,
        case=case,
        held_on=held_on,
        place="Skolen",
        created_by=caseworker,
    )


def decision_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "submit_token": "6f1c5a3e-0d53-4b7e-9a51-2f3c4d5e6f70",
        "kind": "decision",
        "title": "Anbringelsen i plejefamilien fortsætter",
        "decided_on": DECIDED_ON.isoformat(),
        "child_perspective": "Asta siger: »Jeg vil gerne blive hos Mette og Jens.«",
        "child_told_how": "Jeg fortalte det til Asta på skolen dagen efter.",
        "not_heard_reason": "",
        "not_heard_note": "",
    }
    data.update(overrides)
    return data


def prime_session(client: Client) -> None:
    """Mark the session as just seen, so SessionTimeoutMiddleware does not save it during a
    counted request (it writes the idle clock at most once a minute)."""
    session = client.session
    session["last_seen"] = session["auth_started"] = time.time()
    session.save()
