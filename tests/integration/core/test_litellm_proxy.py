"""A whole turn against LiteLLM's proxy: an OpenAI-compatible server nobody here wrote.

The proxy (PyPI ``litellm[proxy]``, in its own venv: see the Makefile's LITELLM_VENV) runs on
loopback with a master key. The router model is a ``mock_response`` model (LiteLLM answers it
itself); the specialist goes through the proxy to our fake gateway as its ``openai/`` upstream,
so the streamed text and the streamed tool call the orchestrator sees are LiteLLM's own
re-streaming of them. The README promises any OpenAI-compatible server works: this is it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ohm_desktop.core.events import AgentSelected, TextDelta, ToolCallStarted, ToolResult
from ohm_desktop.core.gateway import Gateway
from ohm_desktop.core.keys import ApiKey, KeyPool
from ohm_desktop.core.orchestrator import TurnRequest
from ohm_desktop.errors import NoUsableKeyError
from ohm_desktop.runtime import build_runtime
from tests.support.fake_gateway import FakeGateway, demo_responder

ROOT = Path(__file__).resolve().parents[3]
MASTER_KEY = "sk-litellm-master-key-1234"
ROUTER_MODEL = "anthropic/claude-haiku-4-5"
SPECIALISTS = ("anthropic/claude-opus-4-5", "anthropic/claude-sonnet-4-5")


def _litellm_binary() -> Path | None:
    configured = os.environ.get("OHM_LITELLM_PROXY")
    candidates = [Path(configured)] if configured else []
    candidates += [ROOT / ".venv-litellm" / "bin" / "litellm", Path(sys.prefix) / "bin" / "litellm"]
    return next((path for path in candidates if path.is_file()), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(upstream_url: str) -> str:
    models = [
        {"model_name": ROUTER_MODEL, "litellm_params": {"model": "openai/router", "mock_response": "BOM"}}
    ] + [
        {
            "model_name": name,
            "litellm_params": {"model": f"openai/{name.split('/')[1]}", "api_base": upstream_url,
                               "api_key": "sk-upstream-fake-key-0000"},
        }
        for name in SPECIALISTS
    ]
    # JSON is YAML: no YAML writer needed.
    return json.dumps({"model_list": models, "general_settings": {"master_key": MASTER_KEY},
                       "litellm_settings": {"telemetry": False, "drop_params": True}})


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeGateway]:
    with FakeGateway(demo_responder) as fake:
        yield fake


@pytest.fixture(scope="module")
def proxy_url(upstream: FakeGateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = _litellm_binary()
    if binary is None:
        pytest.skip("LiteLLM's proxy is not installed: run `make .venv-litellm/.installed`")
    folder = tmp_path_factory.mktemp("litellm")
    config = folder / "config.yaml"
    config.write_text(_config(upstream.url), encoding="utf-8")
    port = _free_port()
    env = {
        **os.environ,
        # No network: the bundled cost map, no telemetry, no update checks.
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
        "LITELLM_LOG": "ERROR",
        "NO_DOCS": "True",
    }
    log = (folder / "proxy.log").open("w")
    process = subprocess.Popen(
        [str(binary), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, process, folder / "proxy.log")
        yield url + "/v1"
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Poll the proxy's liveness endpoint (its start-up takes seconds, more on a loaded machine)."""
    import urllib.request

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"LiteLLM's proxy exited at start-up:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/health/liveliness", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)  # polling a child process that has no readiness signal of its own
    pytest.fail(f"LiteLLM's proxy did not answer within 180 s:\n{log_path.read_text()[-3000:]}")


async def test_a_whole_turn_through_litellms_proxy(
    proxy_url: str, upstream: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OHM_GATEWAY_URL", proxy_url)
    monkeypatch.setenv("BYTEZ_API_KEY_1", MASTER_KEY)
    runtime = build_runtime()
    try:
        assert runtime.gateway.auth_scheme == "bearer"  # not Bytez: the key goes as "Bearer <key>"
        chat = runtime.store.create_chat("robot")
        events = [e async for e in runtime.orchestrator.run_turn(TurnRequest(chat.id, "a line-following robot"))]
    finally:
        await runtime.aclose()
    kinds = [event.type for event in events]
    assert kinds[-1] == "done" and "error" not in kinds, events
    selected = events[0]
    assert isinstance(selected, AgentSelected) and (selected.intent, selected.by) == ("BOM", "router")
    assert "".join(e.delta for e in events if isinstance(e, TextDelta)).startswith("Here is a parts list")
    started = next(e for e in events if isinstance(e, ToolCallStarted))
    result = next(e for e in events if isinstance(e, ToolResult))
    assert (started.name, started.artifact_type) == ("write", "bom")
    assert result.ok and result.version == 1
    # LiteLLM re-streamed the upstream's tool-call pieces; the stored BOM is whole.
    assert any(request.stream and request.tools for request in upstream.requests)


async def test_a_raw_key_is_refused_by_litellm_and_said_so_at_once(proxy_url: str) -> None:
    pool = KeyPool([ApiKey(MASTER_KEY, "k", "env", "key 1 …1234")])
    gateway = Gateway(pool, base_url=proxy_url, auth_scheme="raw", read_timeout_s=30)
    started = time.monotonic()
    with pytest.raises(NoUsableKeyError) as refused:
        await gateway.complete(model=ROUTER_MODEL, messages=[{"role": "user", "content": "hi"}], max_tokens=5)
    await gateway.aclose()
    assert "refused the key as invalid" in refused.value.message
    assert pool.snapshot()[0].state == "invalid"
    assert time.monotonic() - started < 60  # one refusal, not minutes of server-error retries
