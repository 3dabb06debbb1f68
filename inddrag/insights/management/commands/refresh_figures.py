"""Rebuild the leaders' figure tables now, synchronously: `manage.py refresh_figures` for every
municipality, or `--municipality <name or id>` for one. The worker does the same every night
(inddrag/insights/tasks.py)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from inddrag.insights.refresh import refresh_municipality
from inddrag.municipalities.models import Municipality


class Command(BaseCommand):
    help = "Genberegn tallene bag ledernes overblik (alle kommuner, eller én med --municipality)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--municipality", help="kommunens navn eller id (udelades: alle kommuner)"
        )
        parser.add_argument(
            "--today", type=date.fromisoformat, help="beregn som på denne dag (ÅÅÅÅ-MM-DD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today: date = options["today"] or timezone.localdate()
        municipalities = Municipality.objects.order_by("pk")
        chosen: str | None = options["municipality"]
        if chosen:
            found = (
                municipalities.filter(pk=int(chosen))
                if chosen.isdigit()
                else municipalities.filter(name=chosen)
            )
            if not found.exists():
                raise CommandError(f"Kommunen findes ikke: {chosen}")
            municipalities = found
        started = time.perf_counter()
        count = 0
        for municipality_id, name in municipalities.values_list("pk", "name"):
            refresh_municipality(municipality_id, today=today)
            count += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"{name}: genberegnet")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{count} kommuner genberegnet på {elapsed:.1f} s (pr. {today}).")
