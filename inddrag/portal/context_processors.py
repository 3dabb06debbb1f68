from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def child_session(request: HttpRequest) -> dict[str, Any]:
    """The unlocked child device session of the child channel's pages, or None."""
    return {"child_session": getattr(request, "child_session", None)}
