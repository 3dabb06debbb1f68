"""The child channel on a cheap phone: what the child's home and the meeting preparation weigh,
and how long the server takes for them.

Weight, per page, as a browser fetches it on a first visit: the HTML as the application sends
it (uncompressed; a proxy may compress it further) with its response headers, plus every
stylesheet, script and icon the HTML links to, as WhiteNoise serves them: brotli-compressed
(quality 11, what collectstatic writes) with a typical ~300 bytes of response headers each. A
later visit fetches only the HTML: static files have hashed names and a one-year immutable
cache lifetime, so the browser does not ask again. Goals: first visit <= 50 KB, HTML <= 14 KB
(one TCP round trip), later visit <= 10 KB.

Server time: p50/p95 of the same pages as demo children of roskilde-sb01's caseload
(inddrag/portal/demo.py), in-process, with the access event each page writes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import brotli
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.common import (
    REQUESTS,
    calibration_ms,
    check_database,
    figure,
    finish_request,
    percentile,
    queries_per_request,
    time_requests,
)
from inddrag.portal.demo import demo_child_access, upcoming_meeting
from inddrag.test import child_login

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

ASSET = re.compile(r'(?:href|src)="/static/([^"?#]+)"')
STATIC_HEADERS = 300  # bytes of response headers for a static file (measured in Chromium: ~300)


def response_bytes(response: _MonkeyPatchedWSGIResponse) -> tuple[int, int]:
    """(HTML body bytes, body + status line + headers) of a test-client response."""
    content = response.content
    headers = sum(len(name) + len(value) + 4 for name, value in response.headers.items())
    cookies = sum(len(morsel.OutputString()) + 14 for morsel in response.cookies.values())
    return len(content), len(content) + headers + cookies + len("HTTP/1.1 200 OK\r\n\r\n")


def asset_bytes(html: str) -> tuple[int, list[str]]:
    """Brotli-compressed bytes (+ headers) of every static file the page links to."""
    total, names = 0, []
    for name in dict.fromkeys(ASSET.findall(html)):
        path = finders.find(name)
        if path is None:
            raise SystemExit(f"bench: the page links to /static/{name}, which does not exist")
        with open(str(path), "rb") as f:
            data = f.read()
        total += len(brotli.compress(data, quality=11)) + STATIC_HEADERS
        names.append(name)
    return total, names


def main() -> None:
    check_database()
    p50, p95 = calibration_ms()
    print(f"# machine steadiness: a fixed loop takes p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    # The home of a child with messages, summaries and a prepared meeting; the first step of
    # preparing a meeting for a child who has not begun (the page with the autosave script).
    home_child, preparing_child = demo_child_access(0), demo_child_access(2)
    meeting = upcoming_meeting(preparing_child, now=timezone.now())
    pages = [
        ("child_home", home_child, reverse("portal:home")),
        ("child_prepare", preparing_child, reverse("portal:prepare", args=[meeting.code])),
    ]
    for name, access, path in pages:
        client = Client()
        child_login(client, access)
        response = client.get(path)
        finish_request()
        if response.status_code != 200:
            raise SystemExit(f"bench: GET {path} answered {response.status_code}")
        html, sent = response_bytes(response)
        assets, names = asset_bytes(response.content.decode())
        print(f"# {name}: {path}, links to {', '.join(names) or 'no static files'}")
        figure(f"{name}_html", html / 1024, "KB")
        figure(f"{name}_first_visit", (sent + assets) / 1024, "KB")
        figure(f"{name}_later_visit", sent / 1024, "KB")
        times = time_requests(client, path, REQUESTS)
        figure(f"{name}_p50", percentile(times, 50), "ms")
        figure(f"{name}_p95", percentile(times, 95), "ms")
        figure(f"{name}_queries", queries_per_request(client, path), "queries")


if __name__ == "__main__":
    main()
