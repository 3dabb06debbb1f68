from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from inddrag.audit.context import RequestContext, current

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,32}$")


class RequestIdMiddleware:
    """Gives every request an id (a proxy's X-Request-ID if well-formed) for the access log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = current.set(
            RequestContext(
                request_id=request_id,
                ip=request.META.get("REMOTE_ADDR") or None,
                path=request.path[:300],
            )
        )
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response["X-Request-ID"] = request_id
        return response
