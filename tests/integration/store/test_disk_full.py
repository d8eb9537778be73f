"""A full disk, for real: the data folder on a tiny tmpfs in a private mount namespace.

Root gets ``unshare -m``, anyone else ``unshare -rm`` (a user namespace may mount tmpfs), so
nothing is mounted outside the test's own process tree and nothing needs unmounting. The disk
fills with a file until only a few KB are left, then ``ohm ask`` runs: it must end with exit 5
and one "Disk full" sentence (no traceback), and what was saved before must still be there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ohm_desktop.store import LocalStore
from tests.support.fake_gateway import FakeGateway, Reply

ROOT = Path(__file__).resolve().parents[3]
KEY = "sk-bytez-disk-full-key-7d1e"
LONG_ANSWER = "All the parts, one by one. " * 40_000  # ~1 MB: more than the disk has left

SCRIPT = r"""
set -e
data="$1"; out="$2"; left="$3"; shift 3
mount -t tmpfs -o size=4m tmpfs "$data"
"$@" ask --new --agent CHAT "short question" > "$out/first.out" 2> "$out/first.err"
free=$(df --output=avail -B1 "$data" | tail -1)
head -c $((free - left)) /dev/zero > "$data/filler" 2>/dev/null || true
set +e
"$@" ask --agent CHAT "long question" > "$out/second.out" 2> "$out/second.err"
echo $? > "$out/second.rc"
rm -f "$data/filler"
cp "$data"/ohm.sqlite3* "$out/"
"""


def _namespace() -> list[str]:
    flags = "-m" if os.geteuid() == 0 else "-rm"
    probe = subprocess.run(["unshare", flags, "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || "
                            "mount -t tmpfs -o size=64k tmpfs /tmp"], capture_output=True)
    if probe.returncode != 0 or shutil.which("mount") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("cannot mount a tmpfs in a private mount namespace here")
        pytest.skip("cannot mount a tmpfs in a private mount namespace here")
    return ["unshare", flags, "sh", "-c", SCRIPT, "sh"]


@pytest.mark.parametrize("left_kb", [256, 4], ids=["full-mid-turn", "full-before-start"])
def test_a_full_disk_is_one_disk_full_sentence_and_exit_5(tmp_path: Path, gateway: FakeGateway, left_kb: int) -> None:
    gateway.set_responder(lambda r: Reply(text=LONG_ANSWER if "long question" in str(r.messages) else "Short answer.",
                                          chunk_chars=4096))
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    out.mkdir()
    env = {**os.environ, "OHM_DATA_DIR": str(data), "OHM_GATEWAY_URL": gateway.url, "BYTEZ_API_KEY_1": KEY,
           "PYTHONPATH": str(ROOT)}
    command = [*_namespace(), str(data), str(out), str(left_kb * 1024), sys.executable, "-m", "ohm_desktop.cli"]
    subprocess.run(command, env=env, check=True, timeout=120)
    first_err = (out / "first.err").read_text()
    assert "Traceback" not in first_err, first_err
    stderr = (out / "second.err").read_text()
    assert int((out / "second.rc").read_text()) == 5, stderr
    assert "Traceback" not in stderr and KEY not in stderr
    assert "Disk full" in stderr.strip().splitlines()[-1], stderr
    assert sum("Disk full" in line for line in stderr.splitlines()) == 1, stderr
    store = LocalStore.open(out / "ohm.sqlite3")
    try:
        [first, *_] = sorted(store.list_chats(), key=lambda chat: chat.created_at)
        messages = store.list_messages(first.id)
        assert [(m.role, m.content, m.status) for m in messages[:2]] == [
            ("user", "short question", "complete"), ("assistant", "Short answer.", "complete")]
        store.recover_interrupted()  # what the next start does with a reply left "streaming"
        answers = [m for m in store.list_messages(first.id) if m.role == "assistant"][1:]
        assert all(m.status != "complete" for m in answers)  # a cut-off answer is never "complete"
    finally:
        store.close()
