from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from inddrag.municipalities.models import Membership
from inddrag.training import services


class Command(BaseCommand):
    help = (
        "Start the onboarding path of every active caseworker membership with a unit that has "
        "none yet (new caseworkers get it when they are added; this is for those from before). "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            help="Only memberships that started on this day or later (the newer caseworkers)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        memberships = Membership.objects.filter(
            role=Membership.Role.CASEWORKER,
            ended_at__isnull=True,
            unit__isnull=False,
            onboarding_steps__isnull=True,
        )
        if options["since"]:
            try:
                since = date.fromisoformat(options["since"])
            except ValueError as error:
                raise CommandError("Give --since as YYYY-MM-DD.") from error
            start = timezone.make_aware(datetime.combine(since, time.min))
            memberships = memberships.filter(created_at__gte=start)
        started = 0
        for membership in memberships.select_related("municipality", "user").order_by(
            "municipality__name", "user__username"
        ):
            steps = services.start_onboarding(membership)
            if steps:
                started += 1
                self.stdout.write(
                    f"{membership.municipality}: {membership.user.username} ({steps} steps)"
                )
        self.stdout.write(f"Started {started} onboarding path(s).")
