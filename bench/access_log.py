"""What the access log costs: per request, and how many audited requests a process completes.

Every audited request appends one AccessEvent to its municipality's hash chain in its own
IMMEDIATE transaction (lock the chain head, insert, move the head) and commits before the
response; with WAL + synchronous=FULL that commit fsyncs the WAL, which is the durable cost.

Method for `access_log_overhead_*`: the case page's call of `record()` is wrapped with a timer
while real requests run, so each figure is the wall time of the whole write as a request pays it
(BEGIN IMMEDIATE, chain-head read, hash, insert, head update, COMMIT with its fsync). A second
figure cross-checks it from outside: the same page with `record()` replaced by a no-op, in
alternating blocks with the real one, and the difference of the two p50s.

`audited_requests_per_second`: whole case-page requests (each writes its READ event) back to
back in this one process for BENCH_SECONDS, each followed by the connection close a WSGI server
does. `record_calls_per_second`: `record()` alone in a loop on one open connection, the access
log's own ceiling (it is what limits audited requests only once pages cost less than a write).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from bench.common import (
    REQUESTS,
    USERNAME,
    WARMUP,
    calibration_ms,
    check_database,
    figure,
    finish_request,
    get_ok,
    logged_in_client,
    percentile,
    time_requests,
    timed_loop,
)
from bench.pages import case_page_path
from inddrag.audit import log
from inddrag.audit.context import RequestContext, current
from inddrag.children import views
from inddrag.children.models import Case
from inddrag.municipalities.models import Membership

SECONDS = float(os.getenv("BENCH_SECONDS", "5"))
LIMIT = 50_000  # bound on any loop, whatever the speed


@contextmanager
def timed_record(samples: list[float]) -> Iterator[None]:
    real = log.record

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            samples.append((time.perf_counter() - started) * 1000)

    with mock.patch.object(views, "record", timed):
        yield


def overhead(path: str) -> None:
    client = logged_in_client()
    samples: list[float] = []
    with timed_record(samples):
        time_requests(client, path, REQUESTS)
    samples = samples[WARMUP:]
    figure("access_log_overhead_p50", percentile(samples, 50), "ms")
    figure("access_log_overhead_p95", percentile(samples, 95), "ms")

    noop: Callable[..., None] = lambda *args, **kwargs: None  # noqa: E731
    with_log: list[float] = []
    without_log: list[float] = []
    for _ in range(6):  # alternating blocks, so drift hits both alike
        with_log += time_requests(client, path, REQUESTS // 6)
        with mock.patch.object(views, "record", noop):
            without_log += time_requests(client, path, REQUESTS // 6)
    figure(
        "access_log_overhead_ab_p50",
        percentile(with_log, 50) - percentile(without_log, 50),
        "ms",
    )


def throughput(path: str) -> None:
    client = logged_in_client()

    def request() -> None:
        get_ok(client, path)
        finish_request()

    for _ in range(WARMUP):
        request()
    calls, seconds = timed_loop(request, SECONDS, LIMIT)
    figure("audited_case_pages_per_second", calls / seconds, "req/s")  # whole pages, 1 process

    membership = Membership.objects.select_related("municipality").get(
        user__username=USERNAME, ended_at__isnull=True
    )
    case = Case.objects.select_related("child__municipality").get(code=path.split("/")[-2])
    token = current.set(RequestContext(request_id="bench", ip="127.0.0.1", path=path))
    try:

        def one() -> None:
            log.record(
                log.Action.READ,
                user=membership.user,
                membership=membership,
                child=case.child,
                obj=case,
            )

        calls, seconds = timed_loop(one, SECONDS / 2, LIMIT)
    finally:
        current.reset(token)
    # Each write is a durable commit (synchronous=FULL) that extends the hash chain: this is the
    # rate of audited requests the access log itself can take.
    figure("access_log_events_per_second", calls / seconds, "events/s")


def main() -> None:
    check_database()
    path = case_page_path()
    overhead(path)
    throughput(path)
    p50, p95 = calibration_ms()
    print(f"# machine steadiness at the end: p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
