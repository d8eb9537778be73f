"""Sharing a chat: Markdown with its artifacts inlined, or a project bundle (zip).

Markdown: every message in order, each artifact version shown right after the message that
wrote it (BOM and wiring as tables, code as fenced blocks, with the compile check result).
Bundle: ``bom.csv``, the sketch folder, ``wiring.yaml``/``.dot``/``.svg``/``.csv``,
``chat.md`` and a ``README.md`` with the design rationale (what each specialist said, and
the history of each artifact). File formats come from ``artifacts.export``, so the bundle
holds exactly what ``ohm artifacts export`` would write.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ohm_desktop.artifacts.export import (
    Design,
    ExportError,
    available_formats,
    export_artifact,
    export_design,
    sketch_name,
)
from ohm_desktop.firmware.results_store import CompileResultStore
from ohm_desktop.store import ArtifactVersion, LocalStore, Message

_LANGUAGES = {".ino": "cpp", ".cpp": "cpp", ".h": "cpp", ".hpp": "cpp", ".c": "c", ".S": "asm", ".py": "python"}
_RATIONALE_CHARS = 700


def chat_markdown(store: LocalStore, chat_id: str) -> str:
    """The whole chat as Markdown, artifacts inlined where they were written."""
    chat = store.get_chat(chat_id)
    messages = [m for m in store.list_messages(chat_id) if m.role in ("user", "assistant")]
    versions = _all_versions(store, chat_id)
    by_message: dict[str, list[ArtifactVersion]] = {}
    unlinked: list[ArtifactVersion] = []
    message_ids = {m.id for m in messages}
    for version in versions:
        if version.message_id in message_ids:
            by_message.setdefault(version.message_id or "", []).append(version)
        else:
            unlinked.append(version)
    results = CompileResultStore(store)
    out = [f"# {chat.title}", "", f"_Exported from Ohm Desktop on {_now()} · chat `{chat.id}`_", ""]
    for message in messages:
        out += [f"## {_speaker(message)} · {message.created_at[:16].replace('T', ' ')}", ""]
        if message.status != "complete":
            out += [f"_({message.status})_", ""]
        out += [message.content.strip() or "_(no text)_", ""]
        for version in by_message.get(message.id, []):
            out += artifact_markdown(version, results)
    if unlinked:
        out += ["## Other artifact versions", ""]
        for version in unlinked:
            out += artifact_markdown(version, results)
    return "\n".join(out).rstrip() + "\n"


def artifact_markdown(version: ArtifactVersion, results: CompileResultStore | None = None) -> list[str]:
    """One artifact version as Markdown lines."""
    title = {"bom": "Bill of materials", "code": "Firmware", "wiring": "Wiring"}[version.type]
    out = [f"### {title} — version {version.version_number}", "", f"_{version.change_summary}_ (by {version.created_by})", ""]
    content = version.content
    if version.type == "bom":
        out += _table(
            ["Ref", "Part", "Value", "Qty", "Footprint", "MPN", "Notes"],
            ([p.get("designator"), p.get("name"), p.get("value"), p.get("quantity"), p.get("footprint"),
              p.get("mpn"), p.get("notes")] for p in content.get("parts", []) if isinstance(p, dict)),
        )
    elif version.type == "code":
        if content.get("board"):
            out += [f"Board: `{content['board']}`", ""]
        for file in content.get("files", []):
            path, text = str(file.get("path", "")), str(file.get("content", ""))
            fence = "`" * max(3, _longest_backtick_run(text) + 1)
            out += [f"**`{path}`**", "", f"{fence}{_LANGUAGES.get(Path(path).suffix, '')}", text.rstrip("\n"),
                    fence, ""]
        result = results.get(version.id) if results is not None else None
        if result is not None:
            out += [f"Compile check: {result.summary()}", ""]
            out += [f"- `{d}`" for d in result.errors[:20]] + ([""] if result.errors else [])
    else:
        out += _table(["From", "To", "Net", "Color"],
                      ([c.get("from"), c.get("to"), c.get("net"), c.get("color")]
                       for c in content.get("connections", []) if isinstance(c, dict)))
        notes = content.get("notes")
        if notes:
            out += [f"Notes: {notes if isinstance(notes, str) else '; '.join(map(str, notes))}", ""]
    return out


def current_design(store: LocalStore, chat_id: str, exported: ArtifactVersion | None = None) -> Design:
    """The chat's current BOM, code and wiring for an export, with ``exported`` in place of its type's.

    Exports read each other's artifacts (a wiring's KiCad netlist takes footprints from the BOM).
    """
    content = {a.type: v.content for a in store.list_artifacts(chat_id)
               if (v := store.get_version(chat_id, a.type)) is not None}
    if exported is not None:
        content[exported.type] = exported.content
    return Design(bom=content.get("bom"), code=content.get("code"), wiring=content.get("wiring"))


def write_project_bundle(store: LocalStore, chat_id: str, path: Path) -> list[str]:
    """Write the project bundle zip at ``path``; returns the names inside it.

    The zip is written next to ``path`` and renamed into place, so a failure never leaves a
    half-written bundle.
    """
    chat = store.get_chat(chat_id)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ohm-bundle-") as folder:
        root = Path(folder)
        files: list[Path] = []
        current = {a.type: store.get_version(chat_id, a.type) for a in store.list_artifacts(chat_id)}
        bom, code, wiring = current.get("bom"), current.get("code"), current.get("wiring")
        if bom is not None:
            files += export_artifact("bom", bom.content, "csv", root / "bom.csv")
        if code is not None:
            files += export_artifact("code", code.content, "arduino", root / _sketch_folder_name(code.content))
        if wiring is not None:
            for fmt, name in (("wireviz", "wiring.yaml"), ("dot", "wiring.dot"), ("csv", "wiring.csv"),
                              ("svg", "wiring.svg")):
                if fmt in available_formats("wiring"):
                    try:
                        files += export_design("wiring", wiring.content, fmt, root / name,
                                               current_design(store, chat_id)).files
                    except ExportError:
                        continue  # e.g. Graphviz failed on this diagram: the YAML/DOT still go out
        (root / "chat.md").write_text(chat_markdown(store, chat_id), encoding="utf-8")
        (root / "README.md").write_text(bundle_readme(store, chat_id, [p.relative_to(root).as_posix() for p in files]),
                                        encoding="utf-8")
        files += [root / "README.md", root / "chat.md"]
        names = sorted(p.relative_to(root).as_posix() for p in files)
        slug = _slug(chat.title)
        partial = path.with_name(f".{path.name}.partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                archive.write(root / name, f"{slug}/{name}")
        os.replace(partial, path)
    return [f"{slug}/{name}" for name in names]


def bundle_readme(store: LocalStore, chat_id: str, files: list[str]) -> str:
    """README of a bundle: what is in it and why the design looks like this."""
    chat = store.get_chat(chat_id)
    results = CompileResultStore(store)
    out = [f"# {chat.title}", "", f"Project bundle exported from Ohm Desktop on {_now()}.", "", "## Contents", ""]
    out += [f"- `{name}`" for name in [*files, "README.md", "chat.md"]] + [""]
    out += ["## Artifacts", ""]
    for artifact in store.list_artifacts(chat_id):
        history = store.list_versions(chat_id, artifact.type)
        out.append(f"- **{artifact.type}** — version {artifact.current_version} ({len(history)} in history)")
        out += [f"  - v{v.version_number} by {v.created_by}: {v.change_summary}" for v in history]
        if artifact.type == "code" and history:
            result = results.get(history[-1].id)
            if result is not None:
                out.append(f"  - compile check: {result.summary()}")
    out += ["", "## Design rationale", ""]
    for message in store.list_messages(chat_id):
        if message.role == "user":
            out += [f"**Asked:** {_excerpt(message.content, 300)}", ""]
        elif message.role == "assistant" and message.content.strip():
            out += [f"**{_speaker(message)}:** {_excerpt(message.content, _RATIONALE_CHARS)}", ""]
    return "\n".join(out).rstrip() + "\n"


def _all_versions(store: LocalStore, chat_id: str) -> list[ArtifactVersion]:
    versions = [v for a in store.list_artifacts(chat_id) for v in store.list_versions(chat_id, a.type)]
    return sorted(versions, key=lambda v: (v.created_at, v.type, v.version_number))


def _sketch_folder_name(content: dict[str, Any]) -> str:
    """The sketch is named after its main .ino, as the Arduino IDE expects."""
    paths = [str(f.get("path", "")) for f in content.get("files", []) if isinstance(f, dict)]
    main = next((p for p in paths if p.endswith(".ino") and "/" not in p), "sketch.ino")
    return sketch_name(Path(main).stem)


def _speaker(message: Message) -> str:
    if message.role == "user":
        return "You"
    name = message.agent_name or "Assistant"
    return f"{name} ({message.agent_intent})" if message.agent_intent else name


def _table(header: list[str], rows: Iterable[list[Any]]) -> list[str]:
    def cell(value: Any) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _excerpt(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _slug(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower() or "ohm-project"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
