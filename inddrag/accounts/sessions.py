"""Django's database sessions, with the one read of every request built once.

Loading the session is the first query of every signed-in request; Django's ORM spent longer
building its SQL than SQLite spent running it (bench/pages.py). The SQL is built once by
lib/prepared.py; what is stored, and how a missing or expired session is handled, is Django's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from inddrag.lib.prepared import Prepared

_live_session = Prepared(
    lambda session_key, now: Session.objects.filter(
        session_key=session_key, expire_date__gt=now
    ).order_by()[:1],
    session_key="stand-in-session-key",
    now=datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC),
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        if self.session_key is None:
            return None
        found = _live_session(session_key=self.session_key, now=timezone.now())
        if not found:
            self._session_key = None
            return None
        return found[0]
