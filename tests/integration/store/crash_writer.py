"""A bulk writer for the crash-safety test: writes versions and streams messages until killed.

Run as ``python -m tests.integration.store.crash_writer DB``. It prints ``READY`` once the
store is open and migrated (so the test can aim its kills at the writes, however slowly the
interpreter started), ``M`` once a reply is streaming (committed as ``streaming``), then ``V <n>`` only after ``write_version`` returned (the commit is
durable), so every number printed must survive a SIGKILL. Content is a pure function of the version number, so the test can tell a
half-written version from a whole one.
"""

from __future__ import annotations

import sys
from typing import Any

from ohm_desktop.store import LocalStore

REPLY = "The quick brown fox wires a resistor to pin nine. " * 40


def expected_content(number: int) -> dict[str, Any]:
    parts = [
        {"designator": f"R{i}", "name": "Resistor", "quantity": i + 1, "value": f"{number}-{i}"}
        for i in range(number % 40 + 1)
    ]
    # Sizes vary from a few bytes to several pages so commits cross page boundaries.
    return {"projectName": f"crash v{number}", "parts": parts, "blob": "x" * (number * 997 % 12_000)}


def main(path: str) -> None:
    store = LocalStore.open(path)
    chats = store.list_chats(limit=1)
    chat = chats[0] if chats else store.create_chat("crash test")
    print("READY", flush=True)
    while True:
        message = store.add_message(chat.id, "assistant", "", status="streaming")
        print("M", flush=True)
        for end in range(0, len(REPLY), 400):
            store.save_partial(message.id, REPLY[:end])
        artifact = store.get_artifact(chat.id, "bom")
        number = (artifact.current_version if artifact else 0) + 1
        version = store.write_version(
            chat.id, "bom", expected_content(number), change_summary=f"v{number}", created_by="crash-writer",
            message_id=message.id,
        )
        print(f"V {version.version_number}", flush=True)
        store.finish_message(message.id, content=REPLY)


if __name__ == "__main__":
    main(sys.argv[1])
