"""Benchmarks: `bench/run` runs them all and prints one `figure <name> <value> <unit>` per line."""

from __future__ import annotations
