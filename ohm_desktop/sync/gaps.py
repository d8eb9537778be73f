"""Which server rows this workstation still lacks, so a dropped Realtime event is never lost.

Realtime is lossy by design: it drops changes silently when a project goes over its
``max_events_per_second`` (lib/extensions/postgres_cdc_rls/replication_poller.ex,
``handle_list_changes_result``: while the rate counter's 60 s average is over the limit, whole
polls are consumed and skipped) and while a socket reconnects. So live events never move the
catch-up cursor. Every row applied from the server is noted here by its ``server_seq``; a
catch-up first lists only the positions above the cursor (a few bytes each), then fetches the
full rows of the positions not seen — the gaps — and only then moves the cursor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Gap:
    """Rows to fetch: ``after < server_seq <= upto``, ``count`` of them (as listed)."""

    after: int
    upto: int
    count: int


class SeenPositions:
    """Server positions already applied here, per table, above the cursor (memory only)."""

    def __init__(self) -> None:
        self._seen: dict[str, set[int]] = {}

    def add(self, table: str, positions: Iterable[int]) -> None:
        self._seen.setdefault(table, set()).update(p for p in positions if p > 0)

    def __contains__(self, item: tuple[str, int]) -> bool:
        table, position = item
        return position in self._seen.get(table, ())

    def forget_below(self, table: str, position: int) -> None:
        """Positions at or below ``position`` are behind the cursor's overlap: drop them."""
        seen = self._seen.get(table)
        if seen:
            self._seen[table] = {p for p in seen if p > position}

    def clear(self) -> None:
        self._seen.clear()


def gaps(table: str, after: int, listed: list[int], seen: SeenPositions, *, max_count: int) -> list[Gap]:
    """The runs of ``listed`` (ascending positions above ``after``) not in ``seen``.

    A run is fetched with one range query; runs longer than ``max_count`` are split so no
    page grows past what one request should carry.
    """
    result: list[Gap] = []
    previous = after
    run_after: int | None = None
    run_count = 0
    for position in listed:
        if (table, position) in seen:
            if run_after is not None:
                result.append(Gap(run_after, previous, run_count))
                run_after, run_count = None, 0
        else:
            if run_after is None:
                run_after = previous
            run_count += 1
            if run_count == max_count:
                result.append(Gap(run_after, position, run_count))
                run_after, run_count = None, 0
        previous = position
    if run_after is not None:
        result.append(Gap(run_after, previous, run_count))
    return result
