"""`ohm keys` with environment keys only (no keyring needed) and secret-leak checks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ohm_desktop.core.gateway import Gateway
from ohm_desktop.core.keys import ApiKey, KeyPool
from ohm_desktop.errors import GatewayError, NoUsableKeyError
from tests.e2e.conftest import run_ohm
from tests.support.fake_gateway import FakeGateway, KeyBehaviour

GOOD = "sk-bytez-good-env-key-5f3a1111"
BAD = "sk-bytez-revoked-env-key-9c2e9999"
EMPTY = "sk-bytez-empty-env-key-77aa4444"
ECHO = "invalid api key {key}"  # the fake puts the raw key in its error body


def assert_no_secret(texts: list[str], root: Path) -> None:
    for secret in (GOOD, BAD, EMPTY):
        for text in texts:
            assert secret not in text
        for path in root.rglob("*"):
            if path.is_file() and path.name != ".env.local":  # the user's own file, written by the test
                assert secret.encode() not in path.read_bytes(), path


def test_keys_test_reports_states_and_list_remembers_them(isolated_dirs: Path) -> None:
    with FakeGateway() as fake:
        fake.behave(BAD, KeyBehaviour(status=401, error_message=ECHO))
        fake.behave(EMPTY, KeyBehaviour(status=402, error_message=ECHO))
        env = {"OHM_GATEWAY_URL": fake.url, "BYTEZ_API_KEY_1": GOOD, "BYTEZ_API_KEY_4": BAD, "BYTEZ_API_KEY_9": EMPTY}
        tested = run_ohm("-v", "keys", "test", env=env)
        listed = run_ohm("-v", "keys", "list", env=env)
        listed_json = run_ohm("keys", "list", "--json", env=env)
        assert [seen.key for seen in fake.requests] == [GOOD]  # refused calls never reach the responder
    assert tested.returncode == 3
    results = tested.stdout.splitlines()
    assert results[0].startswith("key 1 …1111") and results[0].endswith("ok")
    assert results[1].startswith("key 2 …9999") and results[1].endswith("invalid")
    assert results[2].startswith("key 3 …4444") and results[2].endswith("out of credits")
    assert listed.returncode == 0
    rows = listed.stdout.splitlines()
    assert rows[0].split()[-1] == "healthy" and "env" in rows[0]
    assert "invalid" in rows[1] and "out of credits" in rows[2]
    assert '"state": "invalid"' in listed_json.stdout
    assert_no_secret([done.stdout + done.stderr for done in (tested, listed, listed_json)], isolated_dirs)


def test_keys_list_reads_env_and_env_local_files(isolated_dirs: Path) -> None:
    (isolated_dirs / ".env.local").write_text(f"export BYTEZ_API_KEY_12='{BAD}'\n# BYTEZ_API_KEY_2=commented\n")
    config = isolated_dirs / "config"
    config.mkdir(exist_ok=True)
    (config / ".env.local").write_text(f"BYTEZ_API_KEY_3={EMPTY}\nBYTEZ_API_KEY_5={GOOD}\n")
    listed = run_ohm("keys", "list", env={"BYTEZ_API_KEY_40": GOOD})
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()
    assert [row.split()[2] for row in rows] == ["…1111", "…9999", "…4444"]  # GOOD once, env first
    assert [row.split()[3] for row in rows] == ["env", "env-file", "env-file"]
    assert_no_secret([listed.stdout, listed.stderr], isolated_dirs)


async def test_a_gateway_that_echoes_the_key_leaks_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeGateway() as fake:
        fake.behave(BAD, KeyBehaviour(status=401, error_message=ECHO))
        fake.behave(GOOD, KeyBehaviour(status=400, error_message=ECHO))
        keys = [ApiKey(BAD, "a", "env", "key 1 …9999"), ApiKey(GOOD, "b", "env", "key 2 …1111")]
        gateway = Gateway(KeyPool(keys), base_url=fake.url)
        with pytest.raises(GatewayError) as refused:
            await gateway.complete(model="m", messages=[{"role": "user", "content": "hi"}], max_tokens=5)
        with pytest.raises(NoUsableKeyError) as exhausted:
            await Gateway(KeyPool(keys[:1]), base_url=fake.url).complete(
                model="m", messages=[{"role": "user", "content": "hi"}], max_tokens=5
            )
        await gateway.aclose()
    assert "invalid api key …1111" in refused.value.message  # the gateway's sentence, key masked
    for text in (refused.value.message, str(refused.value), exhausted.value.message, caplog.text, repr(keys)):
        assert GOOD not in text and BAD not in text
