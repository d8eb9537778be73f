"""Design checks in the loop: check every new BOM/wiring/code version, and send errors back for repair.

Like :class:`ohm_desktop.firmware.CompileLoop`: when a version is written the whole design (the
chat's current BOM, code and wiring) is checked; when that finds errors about the new version, the
user consented (Settings.compile_feedback) and rounds are left, the errors go to the specialist
that writes that artifact (WIRING, BOM, CODE — DEBUG when DEBUG wrote the code) through
``ask_agent``. Each fix is an ordinary version the user can see, diff and revert, and it is checked
the same way; rounds are bounded by ``max_rounds``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from ohm_desktop.artifacts.consistency import Finding
from ohm_desktop.design_rules.check import check_design
from ohm_desktop.store import ARTIFACT_TYPES, ArtifactType, ArtifactVersion, LocalStore, StoreChange

log = logging.getLogger(__name__)

AskAgent = Callable[[str, str, str], Awaitable[None]]
"""``async def ask_agent(chat_id, intent, context)``: run one turn of that specialist with ``context`` attached."""

HUMAN_AUTHORS = frozenset({"you", "user"})
CheckState = Literal["done", "repairing", "stopped"]


@dataclass(frozen=True, slots=True)
class DesignCheckUpdate:
    """The findings for a chat after one of its versions was written (the docks show them)."""

    chat_id: str
    artifact_type: ArtifactType
    version_id: str
    version_number: int
    state: CheckState
    findings: tuple[Finding, ...]
    round: int = 0
    max_rounds: int = 0
    reason: str | None = None

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")


def intent_for(version: ArtifactVersion, author_intents: Mapping[str, str] | None = None) -> str:
    """Who fixes a version: the specialist that writes that kind of artifact (DEBUG's own code goes back
    to DEBUG; ``author_intents`` maps agent names such as "Bench Debugger" to their intent)."""
    if version.type == "code":
        author = (author_intents or {}).get(version.created_by, version.created_by)
        return "DEBUG" if author.upper() == "DEBUG" else "CODE"
    return {"bom": "BOM", "wiring": "WIRING"}[version.type]


def repair_report(version: ArtifactVersion, errors: tuple[Finding, ...], round_number: int, max_rounds: int) -> str:
    """The errors as text for the specialist: location first, so it fixes the right place."""
    lines = [f"The design check found {len(errors)} error{'s' if len(errors) != 1 else ''} in "
             f"{version.type} version {version.version_number}.",
             f"Automatic fix round {round_number} of {max_rounds}: write a corrected {version.type} version "
             "that fixes them and keeps everything else as it was."]
    lines += [f"- {f.location}: [{f.code}] {f.message}" for f in errors]
    return "\n".join(lines)


class DesignCheckLoop:
    """Background design checks of new versions, with bounded repair rounds."""

    def __init__(self, store: LocalStore, *, ask_agent: AskAgent | None = None,
                 consent: Callable[[], bool] = lambda: True, max_rounds: int = 2,
                 before_repair: Callable[[], Awaitable[None]] | None = None,
                 author_intents: Mapping[str, str] | None = None) -> None:
        self._store = store
        self._ask_agent = ask_agent
        self._consent = consent
        self.max_rounds = max_rounds
        #: Awaited before a repair round (the app waits for the compile loop, so two specialists
        #: never rewrite the same chat at once).
        self._before_repair = before_repair
        self._author_intents = dict(author_intents or {})
        self._listeners: list[Callable[[DesignCheckUpdate], None]] = []
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._repairing: set[str] = set()
        self._latest: dict[str, DesignCheckUpdate] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    def attach(self, loop: asyncio.AbstractEventLoop | None = None) -> Callable[[], None]:
        """Check every new version written to the store; returns a detach function."""
        self._loop = loop or asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        return self._store.subscribe(self._on_store_change)

    def subscribe(self, listener: Callable[[DesignCheckUpdate], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def latest(self, chat_id: str) -> DesignCheckUpdate | None:
        """The last findings of a chat (for a dock opened after the check ran)."""
        return self._latest.get(chat_id)

    def refresh(self, chat_id: str) -> None:
        """Check a chat's current design again (a window just opened it); nothing is sent for repair."""
        if self._loop is None:
            return
        versions = [v for kind in ARTIFACT_TYPES if (v := self._store.get_version(chat_id, kind)) is not None]
        if not versions:
            return
        newest = max(versions, key=lambda v: v.created_at)
        previous = self._tasks.get(chat_id)
        self._tasks[chat_id] = asyncio.ensure_future(self._after(previous, newest, repair=False))

    async def drain(self) -> None:
        while True:
            tasks = [t for t in self._tasks.values() if not t.done()]
            if not tasks:
                return
            await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    def _on_store_change(self, change: StoreChange) -> None:
        if change.table != "artifact_versions" or self._loop is None:
            return
        if threading.get_ident() == self._loop_thread:
            self._schedule(change)
        else:
            self._loop.call_soon_threadsafe(self._schedule, change)

    def _schedule(self, change: StoreChange) -> None:
        version = self._find(change.chat_id, change.row_id)
        if version is None or change.chat_id in self._repairing:
            return  # a version written during a repair round is checked by that round
        repair = change.origin == "local" and version.created_by not in HUMAN_AUTHORS
        previous = self._tasks.get(change.chat_id)
        task = asyncio.ensure_future(self._after(previous, version, repair))
        self._tasks[change.chat_id] = task

    async def _after(self, previous: asyncio.Task[None] | None, version: ArtifactVersion, repair: bool) -> None:
        if previous is not None and not previous.done():
            await asyncio.gather(previous, return_exceptions=True)
        try:
            await self.run(version, repair=repair)
        except Exception:
            log.exception("design check of %s version %s failed", version.type, version.version_number)

    def _find(self, chat_id: str, version_id: str) -> ArtifactVersion | None:
        for kind in ARTIFACT_TYPES:
            for version in self._store.list_versions(chat_id, kind):
                if version.id == version_id:
                    return version
        return None

    async def check(self, version: ArtifactVersion) -> tuple[Finding, ...]:
        """Check the chat's current design and tell listeners; returns the findings."""
        contents = {}
        for kind in ARTIFACT_TYPES:
            current = self._store.get_version(version.chat_id, kind)
            contents[kind] = None if current is None else current.content
        findings = await asyncio.to_thread(check_design, contents["bom"], contents["code"], contents["wiring"])
        self._notify(DesignCheckUpdate(version.chat_id, version.type, version.id, version.version_number, "done",
                                       tuple(findings)))
        return tuple(findings)

    async def run(self, version: ArtifactVersion, *, repair: bool = True) -> tuple[Finding, ...]:
        """Check ``version``; while it has errors and rounds are left, ask its specialist for a fix."""
        findings = await self.check(version)
        for round_number in range(1, self.max_rounds + 1):
            errors = tuple(f for f in findings if f.severity == "error" and f.artifact == version.type)
            if not errors or not repair or self._ask_agent is None or not self._consent():
                return findings
            if self._before_repair is not None:
                await self._before_repair()
            current = self._store.get_version(version.chat_id, version.type)
            if current is not None and current.version_number > version.version_number:
                return findings  # someone (the compile repair) already wrote a newer one; it gets its own check
            self._notify(DesignCheckUpdate(version.chat_id, version.type, version.id, version.version_number,
                                           "repairing", findings, round_number, self.max_rounds))
            intent = intent_for(version, self._author_intents)
            self._repairing.add(version.chat_id)
            try:
                await self._ask_agent(version.chat_id, intent,
                                      repair_report(version, errors, round_number, self.max_rounds))
            except Exception as exc:
                log.warning("design repair round %d failed: %s", round_number, exc)
                self._stopped(version, findings, round_number, f"The {intent} agent could not answer.")
                return findings
            finally:
                self._repairing.discard(version.chat_id)
            fixed = self._store.get_version(version.chat_id, version.type)
            if fixed is None or fixed.version_number <= version.version_number:
                self._stopped(version, findings, round_number,
                              f"The {intent} agent did not write a new {version.type} version.")
                return findings
            version = fixed
            findings = await self.check(version)
        if any(f.severity == "error" and f.artifact == version.type for f in findings):
            self._stopped(version, findings, self.max_rounds,
                          f"Still failing the design check after {self.max_rounds} automatic fix rounds.")
        return findings

    def _stopped(self, version: ArtifactVersion, findings: tuple[Finding, ...], round_number: int,
                 reason: str) -> None:
        self._notify(DesignCheckUpdate(version.chat_id, version.type, version.id, version.version_number,
                                       "stopped", findings, round_number, self.max_rounds, reason))

    def _notify(self, update: DesignCheckUpdate) -> None:
        self._latest[update.chat_id] = update
        for listener in list(self._listeners):
            try:
                listener(update)
            except Exception:
                log.exception("design check listener failed")
