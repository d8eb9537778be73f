"""The gateway fault matrix of issue 13, as data: each fault, and how ``ohm ask`` must end.

Every case runs the real ``ohm`` command in-process (``ohm_desktop.cli.main``) against a
:class:`FaultGateway`, once with one key and once with three keys of which the first two carry
the fault. Used by tests/integration/core/test_fault_matrix.py (one test per cell) and by
``make bench`` (the matrix pass rate).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.fake_gateway import Reply, SeenRequest, ToolCallSpec
from tests.support.fault_gateway import Fault, FaultGateway

KEYS = ("sk-bytez-matrix-key-alpha-0001", "sk-bytez-matrix-key-bravo-0002", "sk-bytez-matrix-key-charlie-003")
TEXT = "The first sentence of a long answer. The second sentence, which should never be lost."


@dataclass(frozen=True)
class Expect:
    exit_code: int
    sentence: str  # a phrase of the last stderr line (lower case)
    status: str  # the stored assistant message's status
    calls: int  # chat-completion requests that reached the gateway


@dataclass(frozen=True)
class Case:
    name: str
    faults: Callable[[FaultGateway], list[Fault]]  # fresh per key (a Fault counts its uses)
    one_key: Expect
    several_keys: Expect
    routed: bool = False  # True: let the router call run (faults may target it), else --agent CHAT
    tool_call: bool = False  # the answer is a BOM write instead of plain text


def _after(marker: bytes, extra: int = 0) -> Callable[[bytes], int]:
    return lambda body: body.index(marker) + extra


def _cut(where: Callable[[bytes], int]) -> Callable[[bytes], bytes]:
    return lambda body: body[: where(body)]


_FIRST_EVENT_END = _after(b"\n\n", 2)  # right after the role-only first chunk


def _mid_text(body: bytes) -> int:
    """Inside the fourth text chunk: the user has already seen three pieces of the answer."""
    at = -1
    for _ in range(5):  # the role-only chunk's empty content, then four text chunks
        at = body.index(b'"content": "', at + 1)
    return at + len(b'"content": "') + 4


_MID_TEXT = _mid_text
_MID_ARGUMENTS = _after(b'projectName', 4)


def _replace_events(transform: Callable[[list[str]], list[str]]) -> Callable[[bytes], bytes]:
    def apply(body: bytes) -> bytes:
        events = [e for e in body.decode().split("\n\n") if e]
        return ("\n\n".join(transform(events)) + "\n\n").encode()

    return apply


def _without_choices(events: list[str]) -> list[str]:
    out = []
    for event in events:
        data = event.removeprefix("data: ")
        if data == "[DONE]":
            out.append(event)
            continue
        chunk = json.loads(data)
        chunk.pop("choices", None)
        out.append("data: " + json.dumps(chunk))
    return out


def _always(**kwargs: object) -> Callable[[FaultGateway], list[Fault]]:
    return lambda _gateway: [Fault(times=None, **kwargs)]  # type: ignore[arg-type]


def _once(**kwargs: object) -> Callable[[FaultGateway], list[Fault]]:
    return lambda _gateway: [Fault(times=1, **kwargs)]  # type: ignore[arg-type]


def _cross_origin_redirect(gateway: FaultGateway) -> list[Fault]:
    # 127.0.0.1 and localhost are different origins (RFC 6454): the client drops Authorization.
    gateway.page("/elsewhere", Fault(body=b"<html><body>Sign in</body></html>", content_type="text/html"))
    target = gateway.origin.replace("127.0.0.1", "localhost") + "/elsewhere"
    return [Fault(status=307, headers={"Location": target}, body=b"", times=None)]


_GATEWAY_DOWN = "gateway"
CUT_OFF = Expect(4, "cut off", "interrupted", 1)
DOWN_ONE = Expect(4, _GATEWAY_DOWN, "error", 3)
SERVED_BY_THIRD = Expect(0, "", "complete", 3)

CASES: tuple[Case, ...] = (
    Case("sse_closed_mid_text_connection_close",
         _once(framing="close", body=_cut(_MID_TEXT)), CUT_OFF, CUT_OFF),
    Case("sse_reset_mid_text_chunked", _once(drop_at_byte=_MID_TEXT), CUT_OFF, CUT_OFF),
    Case("sse_closed_after_role_only_chunk",
         _always(framing="close", body=_cut(_FIRST_EVENT_END)), DOWN_ONE, SERVED_BY_THIRD),
    Case("sse_reset_after_role_only_chunk",
         _always(drop_at_byte=_FIRST_EVENT_END),
         DOWN_ONE, SERVED_BY_THIRD),
    Case("tool_call_cut_mid_arguments",
         _once(framing="close", body=_cut(_MID_ARGUMENTS)), CUT_OFF, CUT_OFF, tool_call=True),
    Case("empty_stream", _always(body=b""), DOWN_ONE, SERVED_BY_THIRD),
    Case("stream_of_only_done", _always(body=b"data: [DONE]\n\n"), DOWN_ONE, SERVED_BY_THIRD),
    Case("chunks_without_choices", _always(body=_replace_events(_without_choices)), DOWN_ONE, SERVED_BY_THIRD),
    Case("stream_without_done", _once(framing="close", body=lambda b: b.replace(b"data: [DONE]\n\n", b"")),
         CUT_OFF, CUT_OFF),
    Case("stream_without_finish_reason", _once(body=lambda b: b.replace(b'"finish_reason": "stop"', b'"finish_reason": null')),
         CUT_OFF, CUT_OFF),
    Case("html_200_instead_of_stream",
         _always(content_type="text/html", body=b"<html><body>Maintenance</body></html>"), DOWN_ONE, SERVED_BY_THIRD),
    Case("bad_sse_line_first", _always(body=b"data: {this is not json\n\n"), DOWN_ONE, SERVED_BY_THIRD),
    Case("bad_sse_line_after_text",
         _once(body=lambda b: b[: _MID_TEXT(b)].rsplit(b"\n\n", 1)[0] + b"\n\ndata: {this is not json\n\n"),
         CUT_OFF, CUT_OFF),
    Case("stream_error_event_first", _always(body=b'data: {"error": {"message": "model overloaded"}}\n\n'),
         DOWN_ONE, SERVED_BY_THIRD),
    Case("cross_origin_redirect_to_html", _cross_origin_redirect,
         Expect(4, _GATEWAY_DOWN, "error", 3), SERVED_BY_THIRD),
    Case("http_500", _always(status=500), DOWN_ONE, SERVED_BY_THIRD),
    Case("http_503", _always(status=503, headers={"Retry-After": "1"}), DOWN_ONE, SERVED_BY_THIRD),
    Case("http_502_html", _always(status=502, content_type="text/html", body=b"<html>502 Bad Gateway</html>"),
         DOWN_ONE, SERVED_BY_THIRD),
    Case("http_429_retry_after_soon_once", _once(status=429, headers={"Retry-After": "soon"}),
         Expect(0, "", "complete", 2), SERVED_BY_THIRD),
    Case("http_401", _always(status=401), Expect(3, "invalid", "error", 1), SERVED_BY_THIRD),
    Case("http_413_too_large", _always(status=413), Expect(2, "too large", "error", 1),
         Expect(2, "too large", "error", 1)),
    Case("router_html_200", _always(stream=False, content_type="text/html", body=b"<html>oops</html>"),
         Expect(0, "", "complete", 4), Expect(0, "", "complete", 4), routed=True),
    Case("router_invalid_json_200", _always(stream=False, body=b'{"choices": [{"message": '),
         Expect(0, "", "complete", 4), Expect(0, "", "complete", 4), routed=True),
)


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stderr: str
    status: str | None
    calls: int
    content: str = ""

    def problems(self, expect: Expect, secrets: tuple[str, ...] = KEYS) -> list[str]:
        """What differs from ``expect`` (empty when the case passed)."""
        found = []
        last = self.stderr.strip().splitlines()[-1].lower() if self.stderr.strip() else ""
        if self.exit_code != expect.exit_code:
            found.append(f"exit {self.exit_code}, expected {expect.exit_code}")
        if expect.sentence not in last:
            found.append(f"last stderr line {last!r} lacks {expect.sentence!r}")
        if self.status != expect.status:
            found.append(f"stored {self.status!r}, expected {expect.status!r}")
        if self.status == "interrupted" and self.content and not TEXT.startswith(self.content.strip()):
            found.append(f"kept {self.content!r}, which is not what the gateway sent")
        if self.calls != expect.calls:
            found.append(f"{self.calls} upstream calls, expected {expect.calls}")
        if "Traceback" in self.stderr:
            found.append("a traceback on stderr")
        if any(secret in self.stderr for secret in secrets):
            found.append("a key on stderr")
        return found


def _responder(case: Case) -> Callable[[SeenRequest], Reply]:
    def respond(request: SeenRequest) -> Reply:
        if not request.stream:
            return Reply(text="CHAT")
        if case.tool_call:
            return Reply(text="", tool_calls=[ToolCallSpec("write", {
                "artifact_type": "bom", "change_summary": "parts",
                "content": {"projectName": "Robot", "parts": [{"name": "Arduino Uno", "quantity": 1}]}})])
        return Reply(text=TEXT, chunk_chars=12)

    return respond


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    for name in list(os.environ):
        if name.startswith("BYTEZ_API_KEY"):
            saved.setdefault(name, os.environ[name])
            del os.environ[name]
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_case(case: Case, key_count: int, workdir: Path | None = None) -> Outcome:
    """Run ``ohm ask`` for ``case`` with 1 or 3 keys (all but the last one faulty when several)."""
    from ohm_desktop.cli import main
    from ohm_desktop.store import LocalStore

    keys = KEYS[:key_count]
    faulty = keys if key_count == 1 else keys[:-1]
    with contextlib.ExitStack() as stack:
        root = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ohm-matrix-")))
        gateway = stack.enter_context(FaultGateway(_responder(case)))
        for key in faulty:
            gateway.inject(key, *case.faults(gateway))
        env = {
            "OHM_GATEWAY_URL": gateway.url,
            "OHM_DATA_DIR": str(root / "data"),
            "OHM_CONFIG_DIR": str(root / "config"),
            "OHM_KEYRING_SERVICE": f"ohm-matrix-{uuid.uuid4().hex[:12]}",
            **{f"BYTEZ_API_KEY_{i + 1}": key for i, key in enumerate(keys)},
        }
        argv = ["ask", "--new", "please answer"] if case.routed else ["ask", "--new", "--agent", "CHAT", "please answer"]
        if case.tool_call:
            argv[argv.index("CHAT")] = "BOM"
        stdout, stderr = io.StringIO(), io.StringIO()
        with _environment(env), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(argv)
        store = LocalStore.open(root / "data" / "ohm.sqlite3")
        try:
            chats = store.list_chats(limit=1)
            messages = store.list_messages(chats[0].id) if chats else []
        finally:
            store.close()
        answer = next((m for m in reversed(messages) if m.role == "assistant"), None)
        status, content = (answer.status, answer.content) if answer else (None, "")
        return Outcome(code, stderr.getvalue(), status, len(gateway.chat_calls()), content)
