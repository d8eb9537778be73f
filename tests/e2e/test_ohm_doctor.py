"""`ohm doctor` says what is configured and how to fix what is missing."""

from __future__ import annotations

import json

from tests.e2e.conftest import run_ohm


def test_doctor_reports_missing_keys_with_the_fix() -> None:
    done = run_ohm("doctor")
    assert done.returncode == 1
    assert "✗ API keys: no Bytez API key is configured" in done.stdout and "ohm keys add" in done.stdout
    assert "local store" in done.stdout and "Traceback" not in done.stderr


def test_doctor_json_with_an_env_key_passes() -> None:
    done = run_ohm("doctor", "--json", env={"BYTEZ_API_KEY_4": "sk-bytez-doctor-key-00004444"})
    checks = {c["name"]: c for c in json.loads(done.stdout)}
    assert checks["API keys"]["status"] in ("ok", "warn")
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
