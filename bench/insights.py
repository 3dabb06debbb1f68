"""Server time and queries of the leaders' dashboards on the national synthetic data set
(`build_national_data`: 98 municipalities, 60,000 children, ~10 million events over 5 years):
a municipality's dashboard (/indsigt/ as the leader of no unit in the largest municipality) and
the platform operator's national figures (/indsigt/landet/). Goals (issue 8): p95 <= 200 ms on
SQLite, <= 50 ms on PostgreSQL. The figures read the tables the worker refreshes
(insights/refresh.py), never the event tables."""

from __future__ import annotations

import sys

# bench.common sets up Django with the production settings: import it before any model.
from bench.common import (
    REQUESTS,
    calibration_ms,
    figure,
    percentile,
    queries_per_request,
    time_requests,
)

# isort: split

from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.models import User
from inddrag.insights.models import CaseSnapshot
from inddrag.municipalities.models import Membership

OPERATOR = "national-operatoer"


def signed_in(user: User) -> Client:
    """A client signed in as `user` with a verified second factor (a device is added once)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def main() -> None:
    suffix = "_pg" if connection.vendor == "postgresql" else ""
    if not CaseSnapshot.objects.exists():
        sys.exit("bench: no national data (run build_national_data first, see bench/run)")
    p50, p95 = calibration_ms()
    print(f"# machine steadiness: a fixed loop takes p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    head = (
        Membership.objects.filter(role=Membership.Role.LEADER, unit__isnull=True)
        .select_related("user", "municipality")
        .order_by("pk")
        .first()
    )
    assert head is not None, "the national data set has no leader of a whole municipality"
    cases = CaseSnapshot.objects.filter(municipality_id=head.municipality_id).count()
    print(f"# {head.municipality.name}: {cases} cases; {CaseSnapshot.objects.count()} nationally")
    operator, _created = User.objects.get_or_create(
        username=OPERATOR, defaults={"is_operator": True, "first_name": "Olga"}
    )
    for name, user, path in [
        ("insights_municipality", head.user, "/indsigt/?periode=sidste-12-maaneder"),
        ("insights_national", operator, "/indsigt/landet/?periode=sidste-12-maaneder"),
    ]:
        client = signed_in(user)
        times = time_requests(client, path, REQUESTS)
        figure(f"{name}_p50{suffix}", percentile(times, 50), "ms")
        figure(f"{name}_p95{suffix}", percentile(times, 95), "ms")
        figure(f"{name}_queries{suffix}", queries_per_request(client, path), "queries")


if __name__ == "__main__":
    main()
