"""Checking the access log's hash chains (used by `manage.py verify_access_log` and its tests)."""

from __future__ import annotations

from dataclasses import dataclass

from inddrag.audit.models import AccessEvent, ChainHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class Break:
    chain: int
    seq: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"chain {self.chain}, seq {self.seq}"
        if self.event_id is not None:
            where += f" (event id {self.event_id})"
        return f"{where}: {self.problem}"


def verify_chains(*, batch_size: int = 5000) -> tuple[int, list[Break]]:
    """Walk every chain in seq order; return (events checked, breaks found)."""
    breaks: list[Break] = []
    checked = 0
    heads = {head.chain: head for head in ChainHead.objects.all()}
    chains = set(AccessEvent.objects.values_list("chain", flat=True).distinct()) | set(heads)
    for chain in sorted(chains):
        expected_seq, prev_hash = 1, GENESIS
        events = AccessEvent.objects.filter(chain=chain).order_by("seq")
        for event in events.iterator(chunk_size=batch_size):
            checked += 1
            if event.seq != expected_seq:
                breaks.append(
                    Break(
                        chain,
                        expected_seq,
                        None,
                        f"rows {expected_seq}–{event.seq - 1} are missing (deleted)",
                    )
                )
            if event.prev_hash != prev_hash:
                breaks.append(
                    Break(chain, event.seq, event.pk, "does not link to the row before it")
                )
            if event.compute_hash() != event.hash:
                breaks.append(
                    Break(chain, event.seq, event.pk, "content was changed after it was written")
                )
            expected_seq, prev_hash = event.seq + 1, event.hash
        head = heads.get(chain)
        if head is not None and (head.seq != expected_seq - 1 or head.last_hash != prev_hash):
            breaks.append(
                Break(
                    chain,
                    head.seq,
                    None,
                    f"the newest rows after seq {expected_seq - 1} are missing (deleted)",
                )
            )
    return checked, breaks
