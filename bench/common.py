"""Shared set-up for the in-process benchmarks.

Each bench script runs Django in this process against the real SQLite file that `bench/run`
seeded (bench/out/bench.sqlite3), with the production settings: DEBUG off, WAL,
synchronous=FULL, IMMEDIATE transactions. Requests go through Django's test Client, so the whole
middleware stack, the view, the access-log write and the template run, but no network server.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BENCH_DB = OUT / "bench.sqlite3"
USERNAME = "roskilde-sb01"  # the demo caseworker with a full caseload (62 open cases)

# Production-like settings; `bench/run` sets the same, so a script also runs on its own.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inddrag.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic needed
os.environ.setdefault("DB_NAME", str(BENCH_DB))
os.environ.setdefault("LOG_LEVEL", "ERROR")
# WhiteNoise warns that STATIC_ROOT is missing (no collectstatic): static files are not measured.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Load the application as the WSGI server does (inddrag/wsgi.py also freezes the start-up objects
# out of the garbage collector's way), so the figures are those of a production worker.
import inddrag.wsgi  # noqa: E402, F401

# isort: split

from django.conf import settings  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from inddrag.accounts.models import User  # noqa: E402

WARMUP = int(os.getenv("BENCH_WARMUP", "50"))
REQUESTS = int(os.getenv("BENCH_REQUESTS", "300"))


def check_database() -> None:
    """Refuse to measure anything but the seeded bench file with the durable settings."""
    name = str(settings.DATABASES["default"]["NAME"])
    if settings.DEBUG or connection.vendor != "sqlite" or not Path(name).exists():
        sys.exit(f"bench: run bench/run (needs DEBUG off and the seeded SQLite file {BENCH_DB})")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
    if (journal, synchronous) != ("wal", 2):
        sys.exit(f"bench: expected WAL + synchronous=FULL (2), got {journal} + {synchronous}")


def logged_in_client() -> Client:
    """A client signed in as the full-caseload caseworker with the second factor verified, as
    inddrag/test.py's login() does it."""
    user = User.objects.get(username=USERNAME)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    session.save()
    return client


def get_ok(client: Client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"bench: GET {path} answered {response.status_code}, not 200")


def finish_request() -> None:
    """What a WSGI server does after each response and the test Client leaves out: fire
    `request_finished`'s close_old_connections. With the SQLite settings' CONN_MAX_AGE (600) the
    connection is kept for the next request, as in production."""
    close_old_connections()


def time_requests(client: Client, path: str, n: int) -> list[float]:
    """Wall time in ms of each of n GET requests (the response, not the close after it), after
    WARMUP untimed ones."""
    for _ in range(WARMUP):
        get_ok(client, path)
        finish_request()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        get_ok(client, path)
        times.append((time.perf_counter() - started) * 1000)
        finish_request()
    return times


def queries_per_request(client: Client, path: str) -> int:
    """SQL statements of one request (counted in an extra, untimed request)."""
    with CaptureQueriesContext(connection) as captured:
        get_ok(client, path)
    finish_request()
    return len(captured.captured_queries)


def calibration_ms() -> tuple[float, float]:
    """p50 and p95 of a fixed pure-Python loop: how steady this machine is right now (a shared
    or busy machine stretches every p95 below by about the same factor)."""
    times = []
    for _ in range(100):
        started = time.perf_counter()
        total = 0
        for i in range(100_000):
            total += i * i
        times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 50), percentile(times, 95)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def figure(name: str, value: float, unit: str) -> None:
    shown = f"{value:.0f}" if unit in {"queries", "req/s", "calls/s"} else f"{value:.2f}"
    print(f"figure {name} {shown} {unit}", flush=True)


def timed_loop(action: Callable[[], object], seconds: float, limit: int) -> tuple[int, float]:
    """Call action repeatedly for about `seconds` (at most `limit` times); return (calls, s)."""
    calls = 0
    started = time.perf_counter()
    deadline = started + seconds
    while calls < limit and time.perf_counter() < deadline:
        action()
        calls += 1
    return calls, time.perf_counter() - started
