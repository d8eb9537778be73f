"""``ohm artifacts``: versions, diffs, reverts, exports and the design check of a chat's artifacts.

CHAT is a chat id or a unique prefix of one; TYPE is bom, code or wiring. ``check`` exits 1
when it finds an error-severity inconsistency, so scripts and CI can gate on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ohm_desktop.artifacts.diff import diff_versions
from ohm_desktop.artifacts.export import EXPORT_FORMATS, default_file_name, export_design
from ohm_desktop.chat_export import current_design
from ohm_desktop.cli.chats import open_store
from ohm_desktop.cli.numbers import whole_number
from ohm_desktop.errors import UsageError
from ohm_desktop.store import ARTIFACT_TYPES, ArtifactType, ArtifactVersion, LocalStore

_ALL_FORMATS = sorted({fmt for formats in EXPORT_FORMATS.values() for fmt in formats})


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("artifacts", help="BOM, code and wiring versions: show, diff, revert, export, check")
    commands = parser.add_subparsers(dest="artifacts_command", metavar="COMMAND", required=True)

    listing = commands.add_parser("list", help="a chat's artifacts and their version history")
    listing.add_argument("chat", metavar="CHAT")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=run_list)

    show = commands.add_parser("show", help="the content of a version (the current one by default)")
    show.add_argument("chat", metavar="CHAT")
    show.add_argument("type", choices=ARTIFACT_TYPES, metavar="TYPE")
    show.add_argument("version", nargs="?", type=whole_number(1), help="version number (default: current)")
    show.add_argument("--json", action="store_true", help="the version record with its content")
    show.set_defaults(func=run_show)

    diff = commands.add_parser("diff", help="what changed between two versions")
    diff.add_argument("chat", metavar="CHAT")
    diff.add_argument("type", choices=ARTIFACT_TYPES, metavar="TYPE")
    diff.add_argument("old", type=whole_number(1), metavar="OLD")
    diff.add_argument("new", type=whole_number(1), metavar="NEW")
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(func=run_diff)

    revert = commands.add_parser("revert", help="make an old version current again (as a new version)")
    revert.add_argument("chat", metavar="CHAT")
    revert.add_argument("type", choices=ARTIFACT_TYPES, metavar="TYPE")
    revert.add_argument("version", type=whole_number(1), metavar="VERSION")
    revert.add_argument("--json", action="store_true")
    revert.set_defaults(func=run_revert)

    export = commands.add_parser("export", help="write a version in a bench format")
    export.add_argument("chat", metavar="CHAT")
    export.add_argument("type", choices=ARTIFACT_TYPES, metavar="TYPE")
    export.add_argument(
        "--format",
        "-f",
        required=True,
        choices=_ALL_FORMATS,
        help="; ".join(f"{kind}: {', '.join(formats)}" for kind, formats in EXPORT_FORMATS.items()),
    )
    export.add_argument("-o", "--output", metavar="PATH", help="file (or sketch folder) to write")
    export.add_argument("--version", type=whole_number(1), help="version number (default: current)")
    export.add_argument("--json", action="store_true", help="print the written paths as JSON")
    export.set_defaults(func=run_export)

    check = commands.add_parser(
        "check", help="design check of BOM, wiring and code: names, boards, parts, nets (exit 1 on errors)"
    )
    check.add_argument("chat", metavar="CHAT")
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=run_check)


def _version(store: LocalStore, chat_id: str, kind: ArtifactType, number: int | None) -> ArtifactVersion:
    version = store.get_version(chat_id, kind, number)
    if version is not None:
        return version
    if store.get_artifact(chat_id, kind) is None:
        raise UsageError(f"This chat has no {kind} yet: ask for one with `ohm ask --chat {chat_id} ...`.")
    raise UsageError(
        f"There is no version {number} of this chat's {kind}: run `ohm artifacts list {chat_id}` to see them."
    )


def _version_dict(version: ArtifactVersion, *, with_content: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": version.type,
        "version": version.version_number,
        "change_summary": version.change_summary,
        "created_by": version.created_by,
        "created_at": version.created_at,
        "id": version.id,
    }
    if with_content:
        body["content"] = version.content
    return body


def run_list(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        chat = store.find_chat(args.chat)
        history = {a.type: (a.current_version, store.list_versions(chat.id, a.type)) for a in store.list_artifacts(chat.id)}
    finally:
        store.close()
    if args.json:
        body = {
            kind: {"current_version": current, "versions": [_version_dict(v, with_content=False) for v in versions]}
            for kind, (current, versions) in history.items()
        }
        print(json.dumps({"chat_id": chat.id, "artifacts": body}, ensure_ascii=False, indent=2))
        return 0
    if not history:
        print(f"{chat.title}: no artifacts yet.")
        return 0
    for kind, (current, versions) in history.items():
        print(f"{kind} (current v{current})")
        for v in versions:
            mark = "*" if v.version_number == current else " "
            print(f" {mark} v{v.version_number:<3} {v.created_at[:16].replace('T', ' ')}  {v.created_by:<16} {v.change_summary}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        chat = store.find_chat(args.chat)
        version = _version(store, chat.id, args.type, args.version)
    finally:
        store.close()
    if args.json:
        print(json.dumps(_version_dict(version, with_content=True), ensure_ascii=False, indent=2))
        return 0
    print(f"# {version.type} v{version.version_number} by {version.created_by}: {version.change_summary}")
    if version.type == "code":
        for file in version.content.get("files", []):
            print(f"\n// ---- {file.get('path')}\n{file.get('content', '')}")
    else:
        print(json.dumps(version.content, ensure_ascii=False, indent=2))
    return 0


def run_diff(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        chat = store.find_chat(args.chat)
        old = _version(store, chat.id, args.type, args.old)
        new = _version(store, chat.id, args.type, args.new)
    finally:
        store.close()
    diff = diff_versions(args.type, old.content, new.content)
    if args.json:
        print(json.dumps({"old": args.old, "new": args.new, **diff.to_dict()}, ensure_ascii=False, indent=2))
    else:
        print(f"{args.type} v{args.old} → v{args.new}")
        print(diff.text())
    return 0


def run_revert(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        chat = store.find_chat(args.chat)
        _version(store, chat.id, args.type, args.version)
        version = store.revert_version(chat.id, args.type, args.version, created_by="you")
    finally:
        store.close()
    if args.json:
        print(json.dumps(_version_dict(version, with_content=False), ensure_ascii=False))
    else:
        print(f"{args.type} v{version.version_number} is now a copy of v{args.version}.")
    return 0


def run_export(args: argparse.Namespace) -> int:
    if args.format not in EXPORT_FORMATS[args.type]:
        raise UsageError(f"A {args.type} exports as {', '.join(EXPORT_FORMATS[args.type])}, not {args.format}.")
    store = open_store()
    try:
        chat = store.find_chat(args.chat)
        version = _version(store, chat.id, args.type, args.version)
        design = current_design(store, chat.id, version)
    finally:
        store.close()
    project = str((design.bom or {}).get("projectName") or version.content.get("projectName") or chat.title)
    output = Path(args.output) if args.output else Path(default_file_name(args.type, args.format, project))
    result = export_design(args.type, version.content, args.format, output, design)
    for notice in result.notices:
        print(f"Note: {notice}", file=sys.stderr)
    if args.json:
        print(json.dumps({"version": version.version_number, "files": [str(p) for p in result.files],
                          "notices": result.notices}))
    else:
        print(f"Exported {args.type} v{version.version_number} as {args.format}:")
        for path in result.files:
            print(f"  {path}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        chat = store.find_chat(args.chat)
        current = {kind: store.get_version(chat.id, kind) for kind in ARTIFACT_TYPES}
    finally:
        store.close()
    contents = {kind: (None if v is None else v.content) for kind, v in current.items()}
    # Imported here: the boards and parts data are only read when a check runs.
    from ohm_desktop.design_rules.check import check_design

    findings = check_design(contents["bom"], contents["code"], contents["wiring"])
    if args.json:
        versions = {kind: (None if v is None else v.version_number) for kind, v in current.items()}
        print(json.dumps({"versions": versions, "findings": [f.to_dict() for f in findings]}, indent=2))
    elif not findings:
        present = [kind for kind, v in current.items() if v is not None]
        print("Consistent." if present else "This chat has no artifacts to check yet.")
    else:
        for finding in findings:
            print(f"{finding.severity:<7} {finding.artifact:<6} {finding.location:<22} {finding.message}"
                  + (f" [{finding.code}]" if finding.code else ""))
    return 1 if any(f.severity == "error" for f in findings) else 0
