from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inddrag.accounts import services


class Command(BaseCommand):
    help = (
        "Lift the lockout of an IP address, with the reason in the access log. "
        "(Locked accounts are lifted by their leader or administrator in the app.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ip", required=True)
        parser.add_argument(
            "--reason", required=True, help="Why it was locked, and why it is safe now"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if len(options["reason"].strip()) < 10:
            raise CommandError("Give a reason of at least 10 characters.")
        removed = services.lift_ip_lockout(
            ip=options["ip"], reason=options["reason"], operator=f"operator:{getpass.getuser()}"
        )
        self.stdout.write(f"Removed {removed} failed-attempt record(s) for {options['ip']}.")
