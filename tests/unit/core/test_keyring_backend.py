"""The quick keyring backend choice picks what keyring's own detection would, or steps aside."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.core
import pytest

from ohm_desktop.core import keyring_backend
from ohm_desktop.core.keyring_backend import select_keyring_backend
from tests.support.secret_service import require_secret_service


@pytest.fixture(autouse=True)
def _restore_backend() -> Iterator[None]:
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


@pytest.mark.keyring
def test_on_linux_with_a_secret_service_it_chooses_it_like_keyring_does() -> None:
    require_secret_service()
    detected = keyring.core._detect_backend()  # keyring's own, slow, detection
    assert select_keyring_backend("linux") == "keyring.backends.SecretService.Keyring"
    assert type(keyring.get_keyring()) is type(detected)
    keyring.get_password("ohm-desktop-probe", "probe")  # and it works


def test_an_explicit_choice_in_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    assert select_keyring_backend("linux") == "keyring.backends.fail.Keyring"


def test_without_a_usable_native_backend_keyring_detects_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring.core, "load_config", lambda: None)

    def unusable() -> type:
        raise RuntimeError("no D-Bus session")

    monkeypatch.setattr(keyring_backend, "NATIVE_LINUX_BACKENDS", (unusable,))
    marker = keyring.get_keyring()
    assert select_keyring_backend("linux") is None
    assert keyring.get_keyring() is marker  # untouched: keyring's own choice stands


def test_other_platforms_are_left_to_keyring() -> None:
    marker = keyring.get_keyring()
    assert select_keyring_backend("darwin") is None and select_keyring_backend("win32") is None
    assert keyring.get_keyring() is marker
