from __future__ import annotations

import asyncio
from pathlib import Path

from ohm_desktop.firmware import CompileLoop, CompileResultStore, CompileUpdate, SketchCompiler
from ohm_desktop.store import LocalStore
from tests.integration.firmware.conftest import BROKEN_SKETCH, GOOD_SKETCH


def _code(text: str) -> dict[str, object]:
    return {"board": "arduino:avr:uno", "files": [{"path": "sketch.ino", "content": text}]}


class ScriptedDebug:
    """Stands in for a DEBUG turn: writes the next scripted sketch as a new code version."""

    def __init__(self, store: LocalStore, fixes: list[str]) -> None:
        self.store = store
        self.fixes = fixes
        self.contexts: list[str] = []

    async def __call__(self, chat_id: str, context: str) -> None:
        self.contexts.append(context)
        if self.fixes:
            self.store.write_version(chat_id, "code", _code(self.fixes.pop(0)),
                                     change_summary="fix compile errors", created_by="DEBUG")


async def test_broken_version_goes_to_debug_and_the_fix_is_checked(tmp_path: Path,
                                                                    compiler: SketchCompiler) -> None:
    store = LocalStore.open(tmp_path / "ohm.sqlite3")
    chat = store.create_chat("blink")
    debug = ScriptedDebug(store, [GOOD_SKETCH])
    loop = CompileLoop(store, compiler, ask_debug=debug, max_rounds=2)
    updates: list[CompileUpdate] = []
    loop.subscribe(updates.append)
    detach = loop.attach()

    broken = store.write_version(chat.id, "code", _code(BROKEN_SKETCH), change_summary="first", created_by="CODE")
    await loop.drain()
    detach()

    versions = store.list_versions(chat.id, "code")
    assert [v.version_number for v in versions] == [1, 2]
    assert len(debug.contexts) == 1
    assert "sketch.ino:7" in debug.contexts[0] and "undefinedDelay" in debug.contexts[0]
    assert "round 1 of 2" in debug.contexts[0]
    results = CompileResultStore(store)
    first, second = results.get(broken.id), results.get(versions[1].id)
    assert first is not None and first.status == "errors"
    assert second is not None and second.ok and second.flash_bytes
    assert [u.state for u in updates] == ["compiling", "done", "repairing", "compiling", "done"]
    # The result survives reopening the store: it is attached to the version.
    store.close()
    reopened = LocalStore.open(tmp_path / "ohm.sqlite3")
    stored = CompileResultStore(reopened).get(versions[1].id)
    assert stored is not None and stored.ok
    reopened.close()


async def test_repair_rounds_are_bounded(compiler: SketchCompiler) -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    debug = ScriptedDebug(store, [BROKEN_SKETCH] * 5)
    loop = CompileLoop(store, compiler, ask_debug=debug, max_rounds=2)
    updates: list[CompileUpdate] = []
    loop.subscribe(updates.append)
    loop.attach()
    store.write_version(chat.id, "code", _code(BROKEN_SKETCH), change_summary="first", created_by="CODE")
    await loop.drain()

    assert len(debug.contexts) == 2
    assert [v.version_number for v in store.list_versions(chat.id, "code")] == [1, 2, 3]
    assert updates[-1].state == "stopped" and "2 automatic fix rounds" in (updates[-1].reason or "")
    assert all(CompileResultStore(store).get(v.id) is not None for v in store.list_versions(chat.id, "code"))


async def test_without_consent_errors_are_only_recorded(compiler: SketchCompiler) -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    debug = ScriptedDebug(store, [GOOD_SKETCH])
    loop = CompileLoop(store, compiler, ask_debug=debug, consent=lambda: False)
    loop.attach()
    version = store.write_version(chat.id, "code", _code(BROKEN_SKETCH), change_summary="x", created_by="CODE")
    await loop.drain()
    assert debug.contexts == []
    result = loop.result_for(version.id)
    assert result is not None and result.status == "errors"


async def test_debug_that_writes_nothing_stops_the_loop(compiler: SketchCompiler) -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    debug = ScriptedDebug(store, [])
    loop = CompileLoop(store, compiler, ask_debug=debug)
    updates: list[CompileUpdate] = []
    loop.subscribe(updates.append)
    loop.attach()
    store.write_version(chat.id, "code", _code(BROKEN_SKETCH), change_summary="x", created_by="CODE")
    await loop.drain()
    assert len(debug.contexts) == 1
    assert updates[-1].state == "stopped" and "did not write" in (updates[-1].reason or "")


async def test_other_artifacts_and_no_toolchain_do_not_trigger_debug(tmp_path: Path) -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    debug = ScriptedDebug(store, [GOOD_SKETCH])
    loop = CompileLoop(store, SketchCompiler(tmp_path, toolchains=[]), ask_debug=debug)
    loop.attach()
    store.write_version(chat.id, "bom", {"projectName": "x", "parts": []}, change_summary="b", created_by="BOM")
    version = store.write_version(chat.id, "code", _code(BROKEN_SKETCH), change_summary="c", created_by="CODE")
    await loop.drain()
    assert debug.contexts == []
    result = loop.result_for(version.id)
    assert result is not None and result.status == "no_toolchain" and result.hint


async def test_compiling_does_not_block_the_event_loop(compiler: SketchCompiler) -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    loop = CompileLoop(store, compiler)
    loop.attach()
    store.write_version(chat.id, "code", _code(GOOD_SKETCH), change_summary="c", created_by="CODE")
    ticks = 0
    while not ticks or loop.busy:
        await asyncio.sleep(0.005)
        ticks += 1
    await loop.drain()
    assert ticks > 3  # the loop kept running other work while avr-gcc ran


async def test_a_bad_board_name_is_an_error_debug_can_fix(compiler: SketchCompiler) -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    debug = ScriptedDebug(store, [GOOD_SKETCH])
    loop = CompileLoop(store, compiler, ask_debug=debug)
    loop.attach()
    bad = store.write_version(chat.id, "code", {"board": "uno", "files": [{"path": "s.ino", "content": GOOD_SKETCH}]},
                              change_summary="x", created_by="CODE")
    await loop.drain()
    result = loop.result_for(bad.id)
    assert result is not None and result.status == "errors" and "FQBN" in result.errors[0].message
    assert len(debug.contexts) == 1 and "FQBN" in debug.contexts[0]
    fixed = store.get_version(chat.id, "code")
    assert fixed is not None and fixed.version_number == 2
    fixed_result = loop.result_for(fixed.id)
    assert fixed_result is not None and fixed_result.ok


async def test_versions_a_person_wrote_are_checked_but_not_sent_to_debug(compiler: SketchCompiler) -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    debug = ScriptedDebug(store, [GOOD_SKETCH])
    loop = CompileLoop(store, compiler, ask_debug=debug)
    loop.attach()
    mine = store.write_version(chat.id, "code", _code(BROKEN_SKETCH), change_summary="my edit", created_by="you")
    await loop.drain()
    assert debug.contexts == []
    result = loop.result_for(mine.id)
    assert result is not None and result.status == "errors"
