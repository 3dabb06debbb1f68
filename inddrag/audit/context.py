"""Where the current request came from, so access events can name it without threading `request`
through every service call. RequestIdMiddleware sets it for each request."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    path: str = ""


EMPTY = RequestContext()
current: ContextVar[RequestContext | None] = ContextVar("inddrag_request_context", default=None)
