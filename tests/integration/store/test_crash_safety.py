"""SIGKILL a bulk writer at a few hundred random points: nothing committed is lost, nothing half-written stays."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ohm_desktop.store import LocalStore
from tests.integration.store.crash_writer import REPLY, expected_content

ROOT = Path(__file__).resolve().parents[3]
KILLS = int(os.environ.get("OHM_CRASH_KILLS", "200"))


def _verify(path: Path, reported: set[int], *, checked: int = 0) -> tuple[int, int]:
    """Check every invariant after a crash; returns (versions present, replies recovered as interrupted).

    Versions up to ``checked`` had their content compared after an earlier crash already.
    """
    store = LocalStore.open(path)
    try:
        assert store.recovered_from is None
        assert store.integrity_check() == "ok"
        recovered = store.recover_interrupted()
        assert store._db.execute("SELECT COUNT(*) FROM messages WHERE status = 'streaming'").fetchone()[0] == 0
        chats = store.list_chats()
        if not chats:
            assert not reported
            return 0, recovered
        [chat] = chats
        versions = store.list_versions(chat.id, "bom")
        numbers = [v.version_number for v in versions]
        assert numbers == list(range(1, len(numbers) + 1)), "version numbers have a gap"
        assert reported <= set(numbers), f"committed versions lost: {sorted(reported - set(numbers))}"
        for version in versions[checked:]:
            assert version.content == expected_content(version.version_number), "half-written version"
        artifact = store.get_artifact(chat.id, "bom")
        current = artifact.current_version if artifact is not None else 0  # no artifact before the first write
        assert current == (numbers[-1] if numbers else 0)
        shipped = store._db.execute(
            "SELECT payload_json FROM outbox WHERE table_name = 'artifact_versions'"
        ).fetchall()
        assert sorted(json.loads(row[0])["version_number"] for row in shipped) == numbers
        for message in store.list_messages(chat.id, limit=50):
            if message.status == "complete":
                assert message.content == REPLY
            else:
                assert message.status == "interrupted" and REPLY.startswith(message.content)
        return len(numbers), recovered
    finally:
        store.close()


def _kill_at_a_random_point(writer: subprocess.Popen[str], rng: random.Random) -> list[str]:
    """SIGKILL ``writer`` somewhere random; returns the stdout lines read before the kill.

    A fifth of the kills land anywhere in the first 200 ms (importing, opening, migrating).
    The rest wait for the writer to say a reply is streaming, or that a version was committed,
    so that kills land in writes and commits however slow the machine is: a fixed delay measured
    from the spawn hit the writes on an idle machine and the start-up on a busy one. The seeded
    ``rng`` makes the mix of modes the same on every run.
    """
    assert writer.stdout is not None
    mode = rng.choices(("start-up", "streaming", "after a commit"), weights=(1, 2, 2))[0]
    lines: list[str] = []
    if mode == "start-up":
        time.sleep(rng.uniform(0.0, 0.2))
    else:
        wanted = "M" if mode == "streaming" else "V "
        while not (line := writer.stdout.readline()).startswith(wanted):
            assert line, "the writer ended before it was killed"
            lines.append(line)
        lines.append(line)
        time.sleep(rng.uniform(0.0, 0.02))  # where in the next writes the kill lands
    writer.send_signal(signal.SIGKILL)
    return lines


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sigkill_at_random_points_never_loses_or_tears_a_version(tmp_path: Path) -> None:
    path = tmp_path / "ohm.sqlite3"
    rng = random.Random(int(os.environ.get("OHM_CRASH_SEED", "4")))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    reported: set[int] = set()
    interrupted = present = 0
    started = time.monotonic()
    for _ in range(KILLS):
        writer = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.store.crash_writer", str(path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        )
        before = _kill_at_a_random_point(writer, rng)
        out, err = writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL, err
        lines = before + out.splitlines()
        reported |= {int(line.split()[1]) for line in lines if line.startswith("V ")}
        present, recovered = _verify(path, reported, checked=max(0, present - 1))
        interrupted += recovered
    present, _ = _verify(path, reported)  # every version's content, once more at the end
    elapsed = time.monotonic() - started
    # The kills must actually have landed mid-write, or the test proved nothing.
    assert len(reported) > KILLS // 4, f"only {len(reported)} versions were committed"
    assert interrupted > KILLS // 4, f"only {interrupted} streaming replies were interrupted"
    print(f"{KILLS} kills, {present} versions, {interrupted} interrupted replies, {elapsed:.1f} s")
