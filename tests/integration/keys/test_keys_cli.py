"""`ohm keys` against a real Secret Service (gnome-keyring in a private D-Bus session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import run_ohm
from tests.support.secret_service import require_secret_service

SECRET = "sk-bytez-keyring-test-secret-7d1e"
ENV_SECRET = "sk-bytez-env-file-secret-4c2b"


@pytest.fixture(autouse=True)
def secret_service() -> None:
    require_secret_service()


def test_add_list_remove_through_the_keyring(isolated_dirs: Path) -> None:
    added = run_ohm("keys", "add", "--stdin", input_text=SECRET + "\n")
    assert added.returncode == 0, added.stderr
    assert "…7d1e" in added.stdout
    listed = run_ohm("keys", "list")
    assert "key 1 …7d1e" in listed.stdout and "keyring" in listed.stdout
    removed = run_ohm("keys", "remove", "…7d1e")
    assert removed.returncode == 0, removed.stderr
    assert "…7d1e" not in run_ohm("keys", "list").stdout
    # The secret reached only the keyring: never output, never a file in the data/config dirs.
    for done in (added, listed, removed):
        assert SECRET not in done.stdout + done.stderr
    for path in isolated_dirs.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes()


def test_import_env_moves_env_file_keys_into_the_keyring(isolated_dirs: Path) -> None:
    (isolated_dirs / ".env.local").write_text(f"# bench keys\nBYTEZ_API_KEY_7={ENV_SECRET}\nOTHER=1\n")
    imported = run_ohm("keys", "import-env")
    assert imported.returncode == 0 and "Imported 1 key" in imported.stdout
    (isolated_dirs / ".env.local").unlink()
    listed = run_ohm("keys", "list")
    assert "…4c2b" in listed.stdout and "keyring" in listed.stdout


def test_malformed_key_is_refused_with_one_sentence() -> None:
    done = run_ohm("keys", "add", "--stdin", input_text="not a key with spaces\n")
    assert done.returncode == 2 and "does not look like an API key" in done.stderr
    assert "Traceback" not in done.stderr


def test_keys_test_reports_each_key_state(isolated_dirs: Path) -> None:
    from tests.support.fake_gateway import FakeGateway, KeyBehaviour

    with FakeGateway() as fake:
        fake.behave("sk-bytez-invalid-key-00009999", KeyBehaviour(status=401))
        env = {"OHM_GATEWAY_URL": fake.url, "BYTEZ_API_KEY_1": "sk-bytez-good-key-00001111",
               "BYTEZ_API_KEY_2": "sk-bytez-invalid-key-00009999"}
        done = run_ohm("keys", "test", env=env)
    assert done.returncode == 3
    lines = done.stdout.splitlines()
    assert "…1111" in lines[0] and lines[0].endswith("ok")
    assert "…9999" in lines[1] and lines[1].endswith("invalid")


def test_no_keyring_backend_is_explained_never_plaintext(isolated_dirs: Path) -> None:
    done = run_ohm("keys", "add", "--stdin", input_text=SECRET + "\n",
                   env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert done.returncode == 3
    assert "No OS keyring is available" in done.stderr and "plain text" in done.stderr
    for path in isolated_dirs.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes()
