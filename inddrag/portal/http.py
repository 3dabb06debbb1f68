"""The typed request of the child channel's views (house style rule 17)."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from inddrag.portal.models import DeviceSession


class ChildHttpRequest(HttpRequest):
    # Set by ChildSessionMiddleware; AccessPolicyMiddleware guarantees it for `for_child` views.
    child_session: DeviceSession
    child_device: DeviceSession | None
    htmx: HtmxDetails
