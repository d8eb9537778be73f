"""The window through the ChatSession: first visible text, and how late the event loop runs.

- first_text_ms: from the first answer chunk reaching the session to its words being in the live
  view's document (goal < 16 ms: one frame). Baseline in the same run: one empty turn of the
  event loop (``QTimer.singleShot(0)``), the least any deferred rendering can cost.
- loop lateness: a 5 ms ticker runs while (a) a 10,000-token answer streams from the fake gateway
  (real HTTP/SSE) through the real orchestrator, session and window, and (b) 100 messages arrive
  by sync in one transaction into the open chat. p99 lateness goal < 16 ms. Baseline: the same
  ticker on an idle loop.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

TOKENS = 10_000
SYNC_BURST = 100
TICK_S = 0.005


def _answer() -> str:
    """~10,000 tokens shaped like an answer: paragraphs, a list, code blocks (one token ≈ 4 characters)."""
    paragraph = "The driver takes PWM on D5 and D6; keep the motor supply separate from the logic rail. " * 3
    code = "```cpp\n" + "analogWrite(PWMA, speed);  // left motor\n" * 12 + "```"
    parts: list[str] = []
    while sum(len(part) for part in parts) < TOKENS * 4:
        parts += [paragraph, "- one\n- two\n- three", code]
    return "\n\n".join(parts)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


class _Ticker:
    def __init__(self) -> None:
        self.lateness_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(TICK_S)
            self.lateness_ms.append((time.perf_counter() - started - TICK_S) * 1000)

    def __enter__(self) -> _Ticker:
        self._task = asyncio.ensure_future(self._run())
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    def summary(self) -> dict[str, float]:
        values = self.lateness_ms or [0.0]
        return {"ticks": len(values), "lateness_ms_p50": round(statistics.median(values), 2),
                "lateness_ms_p99": round(_percentile(values, 0.99), 2), "lateness_ms_max": round(max(values), 2)}


async def _until(condition: Any, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark condition not met")
        await asyncio.sleep(0.005)


async def _scenario(app: Any, tmp: Path) -> dict[str, Any]:
    from PySide6.QtCore import QTimer

    from ohm_desktop.core.session_events import AnswerDelta
    from ohm_desktop.runtime import build_runtime
    from ohm_desktop.ui.main_window import MainWindow
    from tests.support.fake_gateway import FakeGateway, Reply

    gateway = FakeGateway().start()
    gateway.set_responder(lambda r: Reply(text="CHAT") if not r.stream else Reply(text=_answer(), chunk_chars=4))
    os.environ.update(OHM_DATA_DIR=str(tmp / "data"), OHM_CONFIG_DIR=str(tmp / "config"),
                      OHM_GATEWAY_URL=gateway.url, BYTEZ_API_KEY_1="sk-bytez-bench-session-00000000")
    runtime = build_runtime()
    window = MainWindow(runtime)
    window.resize(1300, 800)
    window.show()
    try:
        # Baseline: what one deferred loop turn costs here and now.
        turns: list[float] = []
        for _ in range(50):
            done = asyncio.get_running_loop().create_future()
            started = time.perf_counter()
            QTimer.singleShot(0, lambda done=done: done.set_result(None))
            await done
            turns.append((time.perf_counter() - started) * 1000)
        with _Ticker() as idle:
            await asyncio.sleep(1.0)
        await asyncio.to_thread(__import__, "openai")  # as the app does after its first paint

        first: dict[str, float] = {}
        live = window.transcript.live
        original_flush = live.flush

        def timed_flush() -> None:
            original_flush()
            if "shown" not in first and "driver" in live.toPlainText():
                first["shown"] = time.perf_counter()

        live.flush = timed_flush  # type: ignore[method-assign]

        def on_event(event: object) -> None:
            if isinstance(event, AnswerDelta) and "delta" not in first:
                first["delta"] = time.perf_counter()

        window.session.subscribe(on_event)
        with _Ticker() as answering:
            window.send("tell me about resistors")
            await _until(lambda: not window.session.running)
        first_text_ms = (first["shown"] - first["delta"]) * 1000

        chat_id = window.chat_id
        assert chat_id is not None
        base_seq = runtime.store.list_messages(chat_id)[-1].seq
        rows = [{"id": str(uuid.uuid4()), "chat_id": chat_id, "seq": base_seq + 1 + index, "role": "user",
                 "content": f"synced **message** {index}", "status": "complete",
                 "created_at": "2026-12-01T00:00:00.000000Z"} for index in range(SYNC_BURST)]
        with _Ticker() as burst:
            await asyncio.sleep(0.05)
            applied = time.perf_counter()
            runtime.store.apply_remote("messages", rows)
            apply_ms = (time.perf_counter() - applied) * 1000
            await _until(lambda: window.transcript.model.rowCount() >= SYNC_BURST + 2)
            await asyncio.sleep(0.2)
        return {
            "first_text_ms": round(first_text_ms, 2),
            "first_text_goal_ms": 16,
            "baseline_loop_turn_ms_median": round(statistics.median(turns), 3),
            "first_text_over_loop_turn": round(first_text_ms / max(statistics.median(turns), 1e-3), 1),
            "idle_loop": idle.summary(),
            "answer_10k_tokens": answering.summary(),
            "sync_burst_100_messages": {**burst.summary(), "store_apply_ms": round(apply_ms, 1)},
            "lateness_goal_ms_p99": 16,
        }
    finally:
        window.close()
        await runtime.aclose()
        gateway.stop()


def run() -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp:
        return loop.run_until_complete(_scenario(app, Path(tmp)))


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
