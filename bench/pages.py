"""Server time and queries of the caseworker's two main pages: the case list (62 open cases, one
page) and a case page, both the first case on the list and the case with the longest timeline
(goal: 300 items, p95 <= 25 ms). Each request writes its access event (durable, hash-chained)
before the response, so these times include the access log."""

from __future__ import annotations

from django.utils import timezone

from bench.common import (
    REQUESTS,
    USERNAME,
    calibration_ms,
    check_database,
    figure,
    logged_in_client,
    percentile,
    queries_per_request,
    time_requests,
)
from inddrag.children.queries import case_list_queryset
from inddrag.children.timeline import timeline_rows
from inddrag.municipalities.models import Membership


def case_page_path() -> str:
    """The first case on the caseworker's list: the same case every run (deterministic seed)."""
    membership = Membership.objects.get(user__username=USERNAME, ended_at__isnull=True)
    case = case_list_queryset(membership).first()
    assert case is not None, "the demo caseworker has no cases"
    return case.get_absolute_url()


def longest_timeline_path() -> tuple[str, int]:
    """The caseworker's case with the most timeline items, and how many it has."""
    membership = Membership.objects.get(user__username=USERNAME, ended_at__isnull=True)
    today = timezone.localdate()
    counted = [
        (timeline_rows(case, kind="all", today=today).count(), case)
        for case in case_list_queryset(membership)
    ]
    items, case = max(counted, key=lambda pair: (pair[0], -pair[1].pk))
    return case.get_absolute_url(), items


def main() -> None:
    check_database()
    p50, p95 = calibration_ms()
    print(f"# machine steadiness: a fixed loop takes p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    client = logged_in_client()
    for name, path in [("caseload", "/sager/"), ("case_page", case_page_path())]:
        times = time_requests(client, path, REQUESTS)
        figure(f"{name}_p50", percentile(times, 50), "ms")
        figure(f"{name}_p95", percentile(times, 95), "ms")
        figure(f"{name}_queries", queries_per_request(client, path), "queries")
    path, items = longest_timeline_path()
    print(f"# the case with the longest timeline has {items} items (the goal is for 300)")
    times = time_requests(client, path, REQUESTS)
    figure("case_page_300_p50", percentile(times, 50), "ms")
    figure("case_page_300_p95", percentile(times, 95), "ms")
    figure("case_page_300_queries", queries_per_request(client, path), "queries")


if __name__ == "__main__":
    main()
