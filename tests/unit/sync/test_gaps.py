"""Which listed server positions a catch-up still has to fetch."""

from __future__ import annotations

from ohm_desktop.sync.gaps import Gap, SeenPositions, gaps


def test_nothing_seen_is_one_range_from_the_cursor() -> None:
    assert gaps("messages", 10, [11, 15, 20], SeenPositions(), max_count=500) == [Gap(10, 20, 3)]


def test_seen_positions_split_the_ranges_around_them() -> None:
    seen = SeenPositions()
    seen.add("messages", [15, 16])
    assert gaps("messages", 10, [11, 15, 16, 20, 30], seen, max_count=500) == [Gap(10, 11, 1), Gap(16, 30, 2)]


def test_everything_seen_fetches_nothing_and_other_tables_do_not_count() -> None:
    seen = SeenPositions()
    seen.add("messages", [11, 12])
    assert gaps("messages", 10, [11, 12], seen, max_count=500) == []
    assert gaps("chats", 10, [11, 12], seen, max_count=500) == [Gap(10, 12, 2)]


def test_a_long_run_is_cut_into_pages() -> None:
    listed = list(range(1, 8))
    assert gaps("messages", 0, listed, SeenPositions(), max_count=3) == [Gap(0, 3, 3), Gap(3, 6, 3), Gap(6, 7, 1)]


def test_forgetting_below_keeps_only_positions_above() -> None:
    seen = SeenPositions()
    seen.add("messages", [5, 10, 15])
    seen.forget_below("messages", 10)
    assert ("messages", 10) not in seen and ("messages", 15) in seen
