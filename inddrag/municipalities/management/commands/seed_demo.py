from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from inddrag.municipalities import demo


class Command(BaseCommand):
    help = (
        "Build the demo municipalities, staff and 6,000 fictitious children (only with DEBUG on)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data exists only for development: set DEBUG=1.")
        started = time.monotonic()
        summary = demo.seed()
        if summary.created:
            self.stdout.write(f"Demo data built in {time.monotonic() - started:.1f} s.")
        else:
            self.stdout.write("Demo data is already there.")
        self.stdout.write(
            f"Case with a long history (300+ timeline items): {demo.LONG_HISTORY_REFERENCE}"
        )
        self.stdout.write(
            "Child channel (/barn/): a demo child's code (single use, 72 hours; the child "
            "chooses a PIN): DEBUG=1 .venv/bin/python manage.py demo_child_code"
        )
        self.stdout.write(
            f"\nDemo logins (password: {demo.DEMO_PASSWORD}; "
            "the code: ./manage.py demo_totp USERNAME):"
        )
        for username, description in summary.logins:
            self.stdout.write(f"  {username:<16} {description}")
