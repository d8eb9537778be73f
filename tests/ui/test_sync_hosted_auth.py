"""Settings → Sync against a project with hosted Auth defaults: email confirmation on,
password rules, and the new publishable API key (stand-in: tests/support/supabase_standin/auth.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.support.secret_service import require_secret_service
from tests.support.supabase_standin import PostgresCluster, StandinProcess, free_port
from tests.ui.conftest import scenario, until

pytestmark = [pytest.mark.postgres, pytest.mark.keyring, pytest.mark.timeout(120)]

STRONG = "window test password 42"


@pytest.fixture
def hosted(pg_cluster: PostgresCluster) -> Iterator[StandinProcess]:
    process = StandinProcess(
        pg_cluster.dsn,
        port=free_port(),
        options=("--confirm-email", "--min-password-length", "12", "--required-characters", "0123456789"),
    ).start()
    try:
        yield process
    finally:
        process.stop()


def test_hosted_sign_up_from_settings_says_what_to_do_at_each_step(  # type: ignore[no-untyped-def]
    window, qtbot, qt_loop, hosted: StandinProcess, tmp_path: Path
) -> None:
    require_secret_service()
    from ohm_desktop.ui.dialogs.settings import SettingsDialog

    email = f"hosted-{tmp_path.name[-8:]}@example.test"

    async def steps() -> None:
        dialog = SettingsDialog(window.runtime, window.settings_service, window)
        qtbot.addWidget(dialog)
        dialog.open()
        dialog.show_tab("Sync")
        dialog.supabase_url.setText(hosted.url)
        dialog.supabase_anon_key.setText(hosted.publishable_key)  # sb_publishable_…, not a JWT
        dialog.sync_email.setText(email)

        async def attempt(password: str, signup: bool, expected: str) -> None:
            dialog.sync_password.setText(password)
            dialog.sync_signup.setChecked(signup)
            before = dialog.sync_result.text()
            qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
            await until(lambda: dialog.sync_result.text() != before and "…" not in dialog.sync_result.text(), 20)
            assert expected in dialog.sync_result.text(), dialog.sync_result.text()

        await attempt("shortpw", True, "too weak (it is too short; it lacks a required kind of character)")
        await attempt(STRONG, True, "wants the email confirmed first")
        await attempt(STRONG, False, "email is not confirmed yet")
        hosted.confirm_email(email)
        await attempt(STRONG, False, f"Signed in as {email}")
        await until(lambda: "● sync: live" in window.status.sync.text(), 30)
        assert STRONG not in dialog.sync_result.text()
        dialog.close()

    scenario(qt_loop, steps())
