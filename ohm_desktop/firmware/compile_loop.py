"""Compile-in-the-loop: check every new code version, and let DEBUG fix what does not compile.

When a code version is written, :class:`CompileLoop` compiles it in the background and stores
the result on the version. If it has errors, the user consented (Settings.compile_feedback)
and rounds are left, the errors (as ``file:line: error: ...``) go to the DEBUG agent through
``ask_debug``, which is expected to write a corrected version; that version is checked the same
way. Every round is an ordinary, visible version. Rounds are bounded, so a model that cannot fix
its code stops after ``max_rounds`` attempts.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from ohm_desktop.errors import UsageError
from ohm_desktop.firmware.compiler import SketchCompiler
from ohm_desktop.firmware.result import CompileDiagnostic, CompileResult
from ohm_desktop.firmware.results_store import CompileResultStore
from ohm_desktop.store import ArtifactVersion, LocalStore, StoreChange

log = logging.getLogger(__name__)

AskDebug = Callable[[str, str], Awaitable[None]]
"""``async def ask_debug(chat_id, context)``: run one DEBUG turn in that chat with ``context`` attached."""

AfterCompile = Callable[[ArtifactVersion, CompileResult, int, int], Awaitable[str | None]]
"""``async def check(version, result, round, max_rounds)``: a DEBUG report when a version that compiles
still misbehaves (the simulation, ohm_desktop/simulation/loop_check.py), else None."""

HUMAN_AUTHORS = frozenset({"you", "user"})
CompileState = Literal["compiling", "done", "repairing", "stopped"]


@dataclass(frozen=True, slots=True)
class CompileUpdate:
    """What the loop is doing for a chat's code version (the code panel shows it).

    ``compiling`` → ``done`` (with ``result``) → maybe ``repairing`` (DEBUG asked, round
    ``round`` of ``max_rounds``) → ``stopped`` when rounds ran out or DEBUG wrote no new version.
    """

    chat_id: str
    version_id: str
    version_number: int
    state: CompileState
    result: CompileResult | None = None
    round: int = 0
    max_rounds: int = 0
    reason: str | None = None


@dataclass
class _Chain:
    task: asyncio.Task[CompileResult | None] | None = None
    awaiting_debug: bool = False
    pending: ArtifactVersion | None = None


class CompileLoop:
    """Background compile checks of code versions, with bounded DEBUG repair rounds."""

    def __init__(
        self,
        store: LocalStore,
        compiler: SketchCompiler,
        *,
        ask_debug: AskDebug | None = None,
        consent: Callable[[], bool] = lambda: True,
        max_rounds: int = 2,
        after_compile: AfterCompile | None = None,
    ) -> None:
        self._store = store
        self._compiler = compiler
        self._results = CompileResultStore(store)
        self._ask_debug = ask_debug
        self._consent = consent
        self.max_rounds = max_rounds
        self._after_compile = after_compile
        self._listeners: list[Callable[[CompileUpdate], None]] = []
        self._chains: dict[str, _Chain] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    # ------------------------------------------------------------ wiring
    def attach(self, loop: asyncio.AbstractEventLoop | None = None) -> Callable[[], None]:
        """Start checking every new code version written to the store; returns a detach function."""
        self._loop = loop or asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        return self._store.subscribe(self._on_store_change)

    def subscribe(self, listener: Callable[[CompileUpdate], None]) -> Callable[[], None]:
        """Hear about compile progress; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def result_for(self, version_id: str) -> CompileResult | None:
        """The stored compile result of a version, if it was checked."""
        return self._results.get(version_id)

    @property
    def busy(self) -> bool:
        """True while a check or a repair round is running."""
        return any(c.task is not None and not c.task.done() for c in self._chains.values())

    async def drain(self) -> None:
        """Wait until every background check and repair round has finished."""
        while True:
            tasks = [c.task for c in self._chains.values() if c.task is not None and not c.task.done()]
            if not tasks:
                return
            await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel background work (app shutdown). Stored results and versions stay as they are."""
        tasks = [c.task for c in self._chains.values() if c.task is not None and not c.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._chains.clear()

    def _on_store_change(self, change: StoreChange) -> None:
        if change.table != "artifact_versions":
            return
        if self._loop is None:
            return
        if threading.get_ident() == self._loop_thread:
            self._schedule(change)
        else:
            self._loop.call_soon_threadsafe(self._schedule, change)

    def _schedule(self, change: StoreChange) -> None:
        version = next((v for v in self._store.list_versions(change.chat_id, "code") if v.id == change.row_id), None)
        if version is None:
            return
        chain = self._chains.get(change.chat_id)
        if chain is not None and chain.task is not None and not chain.task.done():
            if not chain.awaiting_debug:
                chain.pending = version
            return
        # Versions from other workstations, and ones a person wrote or reverted to, are checked but
        # not rewritten behind the user's back: only what an agent wrote here goes back to DEBUG.
        self._start(version, repair=change.origin == "local" and version.created_by not in HUMAN_AUTHORS)

    def _start(self, version: ArtifactVersion, *, repair: bool) -> None:
        chain = _Chain()
        self._chains[version.chat_id] = chain
        chain.task = asyncio.ensure_future(self._run_chain(chain, version, repair=repair))

    async def _run_chain(self, chain: _Chain, version: ArtifactVersion, *, repair: bool) -> CompileResult | None:
        try:
            result = await self.run(version, repair=repair, chain=chain)
        except Exception:
            log.exception("compile check of code version %s failed", version.version_number)
            result = None
        pending, chain.pending = chain.pending, None
        if pending is not None and self._results.get(pending.id) is None:
            self._start(pending, repair=True)
        return result

    # ------------------------------------------------------------ the loop
    async def check(self, version: ArtifactVersion) -> CompileResult:
        """Compile one code version, store the result on it and tell listeners."""
        self._notify(CompileUpdate(version.chat_id, version.id, version.version_number, "compiling"))
        try:
            result = await self._compiler.compile_content(version.content)
        except UsageError as exc:
            # A bad board name or a sketch without .ino is the model's to fix, like a compile error.
            board = str(version.content.get("board") or "")
            result = CompileResult(status="errors", board=board, diagnostics=(CompileDiagnostic(exc.message),))
        self._results.save(version.id, result)
        self._notify(CompileUpdate(version.chat_id, version.id, version.version_number, "done", result))
        return result

    async def run(self, version: ArtifactVersion, *, repair: bool = True, chain: _Chain | None = None
                  ) -> CompileResult:
        """Check ``version``; while it has errors and rounds are left, ask DEBUG for a fix and check that."""
        chain = chain or _Chain()
        result = await self.check(version)
        for round_number in range(1, self.max_rounds + 1):
            if not repair or self._ask_debug is None or not self._consent():
                return result
            report = await self._report(version, result, round_number)
            if report is None:
                return result
            self._notify(CompileUpdate(version.chat_id, version.id, version.version_number, "repairing", result,
                                       round_number, self.max_rounds))
            chain.awaiting_debug = True
            try:
                await self._ask_debug(version.chat_id, report)
            except Exception as exc:
                log.warning("DEBUG repair round %d failed: %s", round_number, exc)
                self._stopped(version, result, round_number, f"The DEBUG agent could not answer ({exc}).")
                return result
            finally:
                chain.awaiting_debug = False
            fixed = self._store.get_version(version.chat_id, "code")
            if fixed is None or fixed.version_number <= version.version_number:
                self._stopped(version, result, round_number, "The DEBUG agent did not write a new code version.")
                return result
            version = fixed
            result = await self.check(version)
        if result.status == "errors":
            self._stopped(version, result, self.max_rounds,
                          f"Still not compiling after {self.max_rounds} automatic fix rounds.")
        return result

    async def _report(self, version: ArtifactVersion, result: CompileResult, round_number: int) -> str | None:
        """What DEBUG gets this round: the compile errors, or what ``after_compile`` found; None: done."""
        if result.status == "errors":
            return result.debug_report(version_number=version.version_number, round_number=round_number,
                                       max_rounds=self.max_rounds)
        if result.ok and self._after_compile is not None:
            return await self._after_compile(version, result, round_number, self.max_rounds)
        return None

    def _stopped(self, version: ArtifactVersion, result: CompileResult, round_number: int, reason: str) -> None:
        self._notify(CompileUpdate(version.chat_id, version.id, version.version_number, "stopped", result,
                                   round_number, self.max_rounds, reason))

    def _notify(self, update: CompileUpdate) -> None:
        for listener in list(self._listeners):
            try:
                listener(update)
            except Exception:
                log.exception("compile listener failed")
