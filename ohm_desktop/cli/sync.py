"""``ohm sync``: sign in to your Supabase project, see where sync stands, run it.

    ohm sync login --email you@example.com [--signup] [--password-stdin]
    ohm sync status [--json]
    ohm sync run [--once] [--retry-failed]
    ohm sync share CHAT --email teammate@example.com
    ohm sync invitations [--json]
    ohm sync accept ID | ohm sync decline ID
    ohm sync people CHAT [--json]
    ohm sync unshare CHAT --email teammate@example.com
    ohm sync leave CHAT
    ohm sync logout

Sync is optional: without OHM_SUPABASE_URL / OHM_SUPABASE_ANON_KEY (or Settings) every
command says so and Ohm keeps working offline. The session lives in the OS keyring only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import signal
import sys
from typing import Any

from ohm_desktop.cli.chats import open_store
from ohm_desktop.config import Paths, load_settings
from ohm_desktop.errors import SyncSetupError, UsageError
from ohm_desktop.store import LocalStore
from ohm_desktop.sync import SyncService, SyncStatus
from ohm_desktop.sync.invitations import find_invitation, invited_sentence


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sync", help="sync chats and artifacts between workstations (Supabase)")
    commands = parser.add_subparsers(dest="sync_command", metavar="COMMAND", required=True)

    login = commands.add_parser("login", help="sign in to your Supabase project (session kept in the keyring)")
    login.add_argument("--email", required=True)
    login.add_argument("--password-stdin", action="store_true", help="read the password from stdin (scripts)")
    login.add_argument("--signup", action="store_true", help="create the account first")
    login.set_defaults(func=run_login)

    status = commands.add_parser("status", help="configured? signed in? how many changes wait to be sent?")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=run_status)

    run = commands.add_parser("run", help="push and pull changes (live until Ctrl-C, or --once)")
    run.add_argument("--once", action="store_true", help="push what is queued, pull what is new, then exit")
    run.add_argument("--retry-failed", action="store_true", help="retry changes the server refused before")
    run.set_defaults(func=run_run)

    share = commands.add_parser("share", help="invite a teammate to one of your chats (they accept to get access)")
    share.add_argument("chat", metavar="CHAT", help="chat id or unique prefix")
    share.add_argument("--email", required=True)
    share.set_defaults(func=run_share)

    invitations = commands.add_parser("invitations", help="invitations to your account waiting for a yes or no")
    invitations.add_argument("--json", action="store_true")
    invitations.set_defaults(func=run_invitations)

    for name, verb in (("accept", "accept an invitation: the chat is shared with you"),
                       ("decline", "decline an invitation: nothing is shared")):
        answer = commands.add_parser(name, help=verb)
        answer.add_argument("invitation", metavar="ID", help="invitation id or unique prefix (see `ohm sync invitations`)")
        answer.set_defaults(func=run_answer, answer=name)

    people = commands.add_parser("people", help="who has access to a shared chat")
    people.add_argument("chat", metavar="CHAT", help="chat id or unique prefix")
    people.add_argument("--json", action="store_true")
    people.set_defaults(func=run_people)

    unshare = commands.add_parser("unshare", help="remove a teammate from one of your chats (their copy stays theirs)")
    unshare.add_argument("chat", metavar="CHAT", help="chat id or unique prefix")
    unshare.add_argument("--email", required=True)
    unshare.set_defaults(func=run_unshare)

    leave = commands.add_parser("leave", help="leave a chat shared with you (your copy stays here, unsynced)")
    leave.add_argument("chat", metavar="CHAT", help="chat id or unique prefix")
    leave.set_defaults(func=run_leave)

    logout = commands.add_parser("logout", help="forget the stored session (queued changes are kept)")
    logout.set_defaults(func=run_logout)


def _service(args: argparse.Namespace, store: LocalStore | None = None) -> SyncService:
    paths = Paths.from_environment()
    settings = load_settings(paths)
    return SyncService.from_settings(store or open_store(), settings, paths, args.redactor)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Supabase password: ")
    else:
        raise UsageError("There is no terminal to ask for the password: pipe it in and add --password-stdin.")
    if not password:
        raise UsageError("The password is empty: type it at the prompt, or pipe it in with --password-stdin.")
    args.redactor.register(password)
    return password


def run_login(args: argparse.Namespace) -> int:
    service = _service(args)
    if not service.configured:
        raise SyncSetupError(
            "Sync is not configured: set OHM_SUPABASE_URL and OHM_SUPABASE_ANON_KEY (or Settings) first."
        )
    email = asyncio.run(service.login(args.email, _read_password(args), signup=args.signup))
    print(f"Signed in to {service.url} as {email}. Run `ohm sync run` to start syncing.")
    return 0


def _status_lines(status: SyncStatus, service: SyncService, email: str | None) -> list[str]:
    if not service.configured:
        return [status.detail, "Set OHM_SUPABASE_URL and OHM_SUPABASE_ANON_KEY (or Settings) to enable it."]
    lines = [
        f"Supabase: {service.url}",
        f"Signed in as: {email}" if email else "Not signed in: run `ohm sync login --email you@example.com`.",
        f"Waiting to be sent: {status.queued}",
    ]
    if status.failed:
        lines.append(f"Refused by the server: {status.failed} (retry with `ohm sync run --retry-failed`)")
    if status.refused_from_server:
        lines.append(
            f"Refused from the server, not applied: {status.refused_from_server} row(s) that do not belong where "
            "they claim (listed below); your project's migrations may be missing or changed."
        )
    if status.quarantined:
        lines.append(
            f"From the server but not applicable here: {status.quarantined} row(s), kept aside "
            "(fetch them again with `ohm sync run --retry-failed`)"
        )
    return lines


def run_status(args: argparse.Namespace) -> int:
    store = open_store()
    service = _service(args, store)
    status = service.status()
    email = asyncio.run(service.signed_in_email())
    # Chats no longer shared with this account (removed by their owner, or left): kept here only.
    kept_here = [store.get_chat(chat_id).title for chat_id in store.detached_chats()]
    refused = store.refused_remote_rows()
    if args.json:
        print(json.dumps({**status.to_dict(), "configured": service.configured, "url": service.url or None,
                          "signed_in_as": email, "kept_here_only": kept_here,
                          "refused_rows": [{"table": r.table, "id": r.row_id, "chat_id": r.chat_id, "reason": r.reason,
                                            "refused_at": r.refused_at} for r in refused]}))
    else:
        lines = _status_lines(status, service, email)
        if kept_here:
            lines.append(f"Kept on this workstation only (no longer shared with you): {', '.join(kept_here)}")
        lines += [f"  refused {r.table} {r.row_id}: {r.reason}" for r in refused]
        print("\n".join(lines))
    return 0


async def _run_live(service: SyncService) -> None:
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    assert task is not None
    with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C still works
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    last: list[str] = [""]

    def report(status: SyncStatus) -> None:
        if status.label != last[0]:
            last[0] = status.label
            print(f"sync: {status.label} — {status.detail}", file=sys.stderr, flush=True)

    service.subscribe(report)
    with contextlib.suppress(asyncio.CancelledError):
        await service.run_forever()


def run_run(args: argparse.Namespace) -> int:
    service = _service(args)
    if args.retry_failed:
        count = service.retry_failed()
        print(f"{count} refused change(s) will be tried again.", file=sys.stderr)
    if args.once:
        report = asyncio.run(service.run_once())
        failed = f"; {report.failed} refused by the server (see `ohm sync status`)" if report.failed else ""
        print(f"Sent {report.pushed} change(s), received {report.pulled}{failed}.")
        return 0
    asyncio.run(_run_live(service))
    return 0


def run_share(args: argparse.Namespace) -> int:
    store = open_store()
    service = _service(args, store)
    chat = store.find_chat(args.chat)
    asyncio.run(service.share_chat(chat.id, args.email))
    print(invited_sentence(args.email, chat.title))
    return 0


def run_invitations(args: argparse.Namespace) -> int:
    pending = asyncio.run(_service(args).invitations())
    if args.json:
        print(json.dumps([invitation.to_dict() for invitation in pending], indent=2))
    elif not pending:
        print("No invitations wait for you.")
    for invitation in [] if args.json else pending:
        print(f"{invitation.id[:8]}\t“{invitation.chat_title}” from {invitation.inviter_email}")
    return 0


def run_answer(args: argparse.Namespace) -> int:
    store = open_store()
    service = _service(args, store)

    async def answer() -> str:
        invitation = find_invitation(await service.invitations(), args.invitation)
        if invitation is None:
            raise UsageError(
                f"No single invitation to you starts with {args.invitation!r}: see `ohm sync invitations`."
            )
        if args.answer == "decline":
            await service.decline_invitation(invitation.id)
            return f"Declined “{invitation.chat_title}” from {invitation.inviter_email}; nothing was shared."
        await service.accept_invitation(invitation.id)
        await service.run_once()  # bring the chat here now
        return f"Accepted: “{invitation.chat_title}” from {invitation.inviter_email} is shared with you and synced here."

    print(asyncio.run(answer()))
    return 0


def run_people(args: argparse.Namespace) -> int:
    store = open_store()
    chat = store.find_chat(args.chat)
    people = asyncio.run(_service(args, store).chat_people(chat.id))
    if args.json:
        print(json.dumps([{"email": p.email, "role": p.role, "you": p.is_you} for p in people], indent=2))
        return 0
    for person in people:
        print(f"{person.email}\t{person.role}{' (you)' if person.is_you else ''}")
    return 0


def run_unshare(args: argparse.Namespace) -> int:
    store = open_store()
    service = _service(args, store)
    chat = store.find_chat(args.chat)

    async def unshare() -> bool:
        people = await service.chat_people(chat.id)
        match = [p for p in people if p.email.lower() == args.email.lower()]
        if not match:
            raise UsageError(f"{args.email} has no access to “{chat.title}” (see `ohm sync people {args.chat}`).")
        await service.remove_person(chat.id, match[0])
        return match[0].role == "invited"

    if asyncio.run(unshare()):
        print(f"Took back the invitation of {args.email} to “{chat.title}”; nothing was shared.")
        return 0
    print(f"Removed {args.email} from “{chat.title}”; their own copy stays on their workstations, unsynced.")
    return 0


def run_leave(args: argparse.Namespace) -> int:
    store = open_store()
    chat = store.find_chat(args.chat)
    asyncio.run(_service(args, store).leave_chat(chat.id))
    print(f"Left “{chat.title}”: it stays on this workstation and no longer syncs.")
    return 0


def run_logout(args: argparse.Namespace) -> int:
    service = _service(args)
    asyncio.run(service.logout())
    print("Signed out; changes not sent yet stay queued for the next sign-in.")
    return 0
