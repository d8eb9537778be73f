"""`ohm doctor` says what is configured and how to fix what is missing."""

from __future__ import annotations

import json

from tests.e2e.conftest import run_ohm
from tests.support.fake_gateway import FakeGateway, KeyBehaviour


def _dead_url() -> str:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


def test_doctor_fails_the_gateway_check_when_it_is_down() -> None:
    done = run_ohm("doctor", env={"BYTEZ_API_KEY_1": "sk-bytez-doctor-key-00001111", "OHM_GATEWAY_URL": _dead_url()})
    assert done.returncode == 1
    assert "✗ gateway: cannot reach http://127.0.0.1:" in done.stdout
    assert "✓ gateway" not in done.stdout


def test_doctor_fails_the_gateway_check_with_an_invalid_key(gateway: FakeGateway) -> None:
    gateway.behave("sk-bytez-doctor-key-00002222", KeyBehaviour(status=401))
    done = run_ohm("doctor", env={"BYTEZ_API_KEY_1": "sk-bytez-doctor-key-00002222", "OHM_GATEWAY_URL": gateway.url})
    assert done.returncode == 1
    assert "✗ gateway: 0 of 1 key(s) answered" in done.stdout and "invalid" in done.stdout


def test_keys_test_calls_an_unreachable_gateway_unreachable_not_rate_limited() -> None:
    done = run_ohm("keys", "test", env={"BYTEZ_API_KEY_1": "sk-bytez-doctor-key-00003333", "OHM_GATEWAY_URL": _dead_url()})
    assert done.returncode == 4
    assert done.stdout.rstrip().endswith("gateway unreachable") and "rate-limited" not in done.stdout


def test_doctor_reports_missing_keys_with_the_fix() -> None:
    done = run_ohm("doctor")
    assert done.returncode == 1
    assert "✗ API keys: no Bytez API key is configured" in done.stdout and "ohm keys add" in done.stdout
    assert "local store" in done.stdout and "Traceback" not in done.stderr


def test_doctor_json_with_an_env_key_passes(gateway: FakeGateway) -> None:
    env = {"BYTEZ_API_KEY_4": "sk-bytez-doctor-key-00004444", "OHM_GATEWAY_URL": gateway.url}
    done = run_ohm("doctor", "--json", env=env)
    checks = {c["name"]: c for c in json.loads(done.stdout)}
    assert checks["API keys"]["status"] in ("ok", "warn")
    assert checks["gateway"]["status"] == "ok" and "1 of 1 key(s) answered" in checks["gateway"]["detail"]
    assert "sk-bytez-doctor-key" not in done.stdout
    assert checks["sync"]["status"] == "warn"
    assert "library parts" in checks["design check"]["detail"]


def test_doctor_says_when_sync_is_configured_but_nobody_signed_in() -> None:
    env = {"OHM_SUPABASE_URL": "https://example-ref.supabase.co", "OHM_SUPABASE_ANON_KEY": "anon-public-key"}
    done = run_ohm("doctor", "--json", env=env)
    sync = {c["name"]: c for c in json.loads(done.stdout)}["sync"]
    assert sync["status"] == "warn"
    assert "https://example-ref.supabase.co" in sync["detail"] and "nobody is signed in" in sync["detail"]
    assert "ohm sync login" in sync["fix"]
