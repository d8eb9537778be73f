"""Keys that cannot be sent (line breaks, non-ASCII, spaces) are named and skipped on every way in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ohm_desktop.config import Paths
from ohm_desktop.core.keys import KeyStore, key_problem
from ohm_desktop.redaction import SecretRedactor
from tests.e2e.conftest import run_ohm
from tests.support.fake_gateway import FakeGateway

GOOD = "sk-bytez-good-key-for-bad-key-tests-77aa"
CRLF = "sk-bytez-crlf-key-secret-part-1234\r\nX-Injected: 1"
NON_ASCII = "sk-bytez-ключ-secret-part-5678"
SPACED = "sk-bytez-spaced key-secret-9012"


def _forms(secret: str) -> list[str]:
    """The ways a key could leak besides itself: escaped, as bytes, split at a line break."""
    forms = [secret, repr(secret)[1:-1], json.dumps(secret)[1:-1], repr(secret.encode())[2:-1]]
    return forms + [piece for piece in secret.splitlines() if len(piece) > 8]


@pytest.mark.parametrize(
    ("secret", "problem"),
    [(CRLF, "line break"), (NON_ASCII, "non-ASCII"), (SPACED, "space"), ("short", "5 characters"),
     ("sk-\x07bell-key-000", "control"), (GOOD, None)],
)
def test_key_problem_says_what_is_wrong_without_the_key(secret: str, problem: str | None) -> None:
    found = key_problem(secret)
    assert (found is None) if problem is None else (problem in (found or "") and secret not in (found or ""))


def test_redactor_masks_escaped_and_split_forms_of_a_key() -> None:
    redactor = SecretRedactor()
    redactor.register(CRLF)
    text = f"LocalProtocolError: Illegal header value {CRLF.encode()!r} / {CRLF!r} / {json.dumps(CRLF)}"
    masked = redactor.redact(text)
    assert not any(form in masked for form in _forms(CRLF))


def test_bad_env_keys_are_named_and_skipped_and_the_good_one_serves(gateway: FakeGateway) -> None:
    env = {"OHM_GATEWAY_URL": gateway.url, "BYTEZ_API_KEY_1": CRLF, "BYTEZ_API_KEY_2": NON_ASCII,
           "BYTEZ_API_KEY_3": GOOD}
    for verbose in ([], ["-v"]):
        done = run_ohm(*verbose, "ask", "--agent", "CHAT", "hello", env=env)
        assert done.returncode == 0, done.stderr
        assert "BYTEZ_API_KEY_1 is not a usable API key (it contains a line break)" in done.stderr
        assert "BYTEZ_API_KEY_2 is not a usable API key (it contains a non-ASCII character)" in done.stderr
        assert "Traceback" not in done.stderr
        for secret in (CRLF, NON_ASCII):
            assert not any(form in done.stderr + done.stdout for form in _forms(secret)), done.stderr
    assert {request.key for request in gateway.requests} == {GOOD}


def test_only_a_non_ascii_key_is_no_usable_key_not_a_traceback(gateway: FakeGateway) -> None:
    done = run_ohm("ask", "--agent", "CHAT", "hello", env={"OHM_GATEWAY_URL": gateway.url, "BYTEZ_API_KEY_1": NON_ASCII})
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "UnicodeEncodeError" not in done.stderr
    assert "BYTEZ_API_KEY_1 is not a usable API key" in done.stderr and NON_ASCII not in done.stderr


def test_bad_keys_in_env_file_and_keyring_are_skipped_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = Paths.from_environment()
    paths.config.mkdir(parents=True, exist_ok=True)
    (paths.config / ".env.local").write_text(f"BYTEZ_API_KEY_1=\"{SPACED}\"\nBYTEZ_API_KEY_2={GOOD}\n")
    redactor = SecretRedactor()
    store = KeyStore(paths, redactor)
    assert [key.secret for key in store.load()] == [GOOD]
    assert redactor.redact(SPACED) != SPACED
    assert store.import_env() in (0, 1)  # the good one (when a keyring is there), never the spaced one


@pytest.mark.keyring
def test_a_bad_key_in_the_keyring_is_named_by_its_entry_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    import os

    import keyring

    store = KeyStore(Paths.from_environment(), SecretRedactor())
    if not store.keyring_available():
        pytest.skip("no Secret Service keyring here")
    service = os.environ["OHM_KEYRING_SERVICE"]
    store.add(GOOD)
    keyring.set_password(service, "bytez-key-broken", CRLF)  # written by some other tool
    index = json.loads(keyring.get_password(service, "__key_index__") or "[]")
    keyring.set_password(service, "__key_index__", json.dumps([*index, "bytez-key-broken"]))
    with caplog.at_level("ERROR"):
        assert [key.secret for key in store.load()] == [GOOD]
    assert "The keyring entry bytez-key-broken is not a usable API key (it contains a line break)" in caplog.text
    assert CRLF not in caplog.text
