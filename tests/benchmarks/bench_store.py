"""Local store speed on this disk: open/paginate a 10,000-message chat, search, write a version.

Targets (issue 4): list/paginate < 50 ms, search < 30 ms, write a version < 5 ms p99 with
synchronous=FULL. The store lives in a temp folder on the same disk as the data dir would
(not tmpfs), so fsync costs are real. A raw ``INSERT`` + fsync'd commit of the same row size
is measured as the baseline for the write (``write_version_vs_raw_commit``).
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ohm_desktop.store import ARTIFACT_TYPES, LocalStore

WORDS = ["resistor", "capacitor", "esp32", "arduino", "relay", "motor", "driver", "sensor", "voltage", "current", "pin", "ground", "wire", "solder", "breadboard", "servo", "stepper", "mosfet", "diode", "led", "buzzer", "battery", "regulator", "i2c", "spi", "uart", "pwm", "interrupt", "timer", "firmware", "sketch", "library", "header", "footprint", "datasheet", "tolerance", "pullup", "pulldown", "oscilloscope", "multimeter"]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _content(kind: str, number: int, rng: random.Random) -> dict[str, Any]:
    if kind == "bom":
        parts = [
            {"designator": f"R{i}", "name": _text(rng, 3), "quantity": 1 + i % 4, "value": f"{i}k"}
            for i in range(20)
        ]
        return {"projectName": f"Bench project v{number}", "parts": parts}
    if kind == "code":
        body = "\n".join(f"  digitalWrite({i % 14}, HIGH); // {_text(rng, 6)}" for i in range(60))
        return {"board": "arduino:avr:uno", "files": [{"path": "bench.ino", "content": f"void loop() {{\n{body}\n}}\n"}]}
    return {"connections": [{"from": f"U1.D{i}", "to": f"R{i}.1", "net": f"N{i}"} for i in range(30)]}


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 3), "p99": round(p99, 3), "max": round(ordered[-1], 3)}


def _build(path: Path, messages: int, versions: int, rng: random.Random) -> str:
    store = LocalStore.open(path)
    try:
        for index in range(20):
            other = store.create_chat(f"Other chat {index}")
            store.add_message(other.id, "user", _text(rng, 20))
        chat = store.create_chat("The big chat")
        with store.transaction():  # one commit: building the fixture is not what is measured
            for index in range(messages):
                role = "user" if index % 2 == 0 else "assistant"
                store.add_message(chat.id, role, _text(rng, 12 if role == "user" else 80))
            for number in range(versions):
                kind = ARTIFACT_TYPES[number % 3]
                store.write_version(
                    chat.id, kind, _content(kind, number, rng), change_summary=_text(rng, 5), created_by="bench"
                )
        return chat.id
    finally:
        store.close()


def run(messages: int = 10_000, versions: int = 500, writes: int = 300, repeat: int = 200) -> dict[str, Any]:
    rng = random.Random(42)
    folder = Path(tempfile.mkdtemp(prefix="ohm-bench-store-", dir=os.environ.get("OHM_BENCH_DIR")))
    path = folder / "ohm.sqlite3"
    build_started = time.perf_counter()
    chat_id = _build(path, messages, versions, rng)
    build_s = time.perf_counter() - build_started

    open_started = time.perf_counter()
    store = LocalStore.open(path)
    open_ms = (time.perf_counter() - open_started) * 1000
    try:
        def open_chat() -> None:
            store.get_chat(chat_id)
            store.list_messages(chat_id, limit=50)
            store.count_messages(chat_id)
            for artifact in store.list_artifacts(chat_id):
                store.get_version(chat_id, artifact.type)

        newest = messages + 1
        page_starts = [rng.randint(2, newest) for _ in range(repeat)]
        pages = iter(page_starts)
        paginate = _timed(lambda: store.list_messages(chat_id, limit=50, before_seq=next(pages)), repeat)
        list_chats = _timed(lambda: store.list_chats(limit=50), repeat)
        open_chat_samples = _timed(open_chat, repeat)

        queries = ["esp32", "oscilloscope multimeter", "solder", "pullup resist", "datasheet tolerance footprint"]
        query_cycle = iter(queries * (repeat // len(queries) + 1))
        search = _timed(lambda: store.search(next(query_cycle), limit=50), repeat)
        hits = len(store.search("esp32", limit=50))

        number = iter(range(writes))
        write = _timed(
            lambda: store.write_version(
                chat_id, "bom", _content("bom", next(number), rng), change_summary="bench write", created_by="bench"
            ),
            writes,
        )
        integrity = store.integrity_check()
    finally:
        store.close()

    raw = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    raw.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    body = str(_content("bom", 0, rng))
    raw_commit = _timed(lambda: raw.execute("INSERT INTO t (body) VALUES (?)", (body,)), writes)
    raw.close()

    results: dict[str, Any] = {
        "messages": messages,
        "versions": versions,
        "build_s": round(build_s, 2),
        "db_mb": round(path.stat().st_size / 1e6, 1),
        "open_store_ms": round(open_ms, 2),
        "open_chat_ms": _stats(open_chat_samples),
        "paginate_50_ms": _stats(paginate),
        "list_chats_ms": _stats(list_chats),
        "search_ms": _stats(search),
        "search_hits_esp32": hits,
        "write_version_ms": _stats(write),
        "raw_fsync_commit_ms": _stats(raw_commit),
        "integrity": integrity,
    }
    results["write_version_vs_raw_commit"] = round(results["write_version_ms"]["p50"] / max(results["raw_fsync_commit_ms"]["p50"], 1e-6), 2)
    results["targets"] = {
        "paginate_lt_50ms": results["paginate_50_ms"]["p99"] < 50 and results["open_chat_ms"]["p99"] < 50,
        "search_lt_30ms": results["search_ms"]["p99"] < 30,
        "write_p99_lt_5ms": results["write_version_ms"]["p99"] < 5,
    }
    for leftover in folder.iterdir():
        leftover.unlink()
    folder.rmdir()
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
