from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inddrag.children.models import Assignment
from inddrag.municipalities.models import Membership
from inddrag.portal import demo
from inddrag.portal.services import issue_invitation


class Command(BaseCommand):
    help = (
        "Give a demo child a fresh invitation code for the child channel (only with DEBUG on). "
        "Without a case reference: the first demo child of roskilde-sb01."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", nargs="?", help="the case reference, e.g. 265-2024-00007")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo codes exist only for development: set DEBUG=1.")
        cases = demo.demo_cases()
        if options["reference"]:
            cases = [case for case in cases if case.reference == options["reference"]]
        if not cases:
            known = ", ".join(case.reference for case in demo.demo_cases()) or "none (seed_demo)"
            raise CommandError(f"Not a demo child's case. Demo children's cases: {known}")
        case = cases[0]
        assignment = Assignment.objects.select_related("caseworker").get(
            case=case, ended_at__isnull=True
        )
        membership = Membership.objects.get(
            user=assignment.caseworker,
            municipality_id=case.municipality_id,
            role=Membership.Role.CASEWORKER,
            ended_at__isnull=True,
        )
        latest = case.child.access.invitations.order_by("-created_at", "-pk").first()
        issued = issue_invitation(
            case,
            by=assignment.caseworker,
            membership=membership,
            seen_latest=latest.code if latest else None,
        )
        self.stdout.write(
            f"{issued.code}  (case {case.reference}, {case.child.first_name}; single use, valid "
            "72 hours: open /barn/start/ on a phone, type the code and choose a PIN)"
        )
