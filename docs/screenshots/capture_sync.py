"""Screenshots of sync: the window live with the Supabase stand-in, after another bench wrote a chat.

Needs PostgreSQL 15 (the stand-in runs over a throwaway cluster) and Xvfb:
    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python -m docs.screenshots.capture_sync
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from docs.screenshots.capture import BOM, OUT

PASSWORD = "screenshot password"
EMAIL = "bench@example.test"


async def capture(url: str, anon_key: str, root: Path) -> None:
    from ohm_desktop.runtime import build_runtime
    from ohm_desktop.store import LocalStore
    from ohm_desktop.sync import SyncService
    from ohm_desktop.sync.background import BackgroundSync
    from ohm_desktop.sync.session_storage import MemorySessionStorage
    from ohm_desktop.ui.dialogs.settings import SettingsDialog
    from ohm_desktop.ui.main_window import MainWindow

    async def settle(frames: int) -> None:
        # Only sleep: the qasync loop paints meanwhile (processEvents() here would re-enter tasks).
        for _ in range(frames):
            await asyncio.sleep(0.02)

    os.environ["BYTEZ_API_KEY_1"] = "sk-bytez-screenshot-key-00001a2b"
    runtime = build_runtime()
    # The session in memory: the screenshot run has no Secret Service of its own.
    storage = MemorySessionStorage()
    runtime.sync = BackgroundSync(
        runtime.store, (url, anon_key), runtime.redactor, data_dir=runtime.paths.data,
        service_factory=lambda project: SyncService(runtime.store, supabase=project, redactor=runtime.redactor,
                                                    session_storage=storage),
    )
    window = MainWindow(runtime)
    window.resize(1400, 860)
    window.show()
    await runtime.sync.login(EMAIL, PASSWORD, signup=True)
    await runtime.sync.service.wait_until(lambda s: s.state == "live", 30)

    other_store = LocalStore.open(root / "bench2" / "ohm.sqlite3")
    other = SyncService(other_store, supabase=(url, anon_key), redactor=runtime.redactor,
                        session_storage=MemorySessionStorage())
    await other.login(EMAIL, PASSWORD)
    chat = other_store.create_chat("Line-following robot (bench 2)")
    other_store.add_message(chat.id, "user", "I need a parts list for a line-following robot")
    other_store.add_message(chat.id, "assistant", "A two-motor line follower with three reflective sensors "
                            "and a TB6612FNG driver. The BOM is in the dock on the right.",
                            agent_intent="BOM", agent_name="BOM Specialist", model="anthropic/claude-opus-4-5")
    other_store.write_version(chat.id, "bom", BOM, change_summary="Parts for a line-following robot",
                              created_by="BOM Specialist")
    await other.run_once()
    other_store.close()
    for _ in range(100):
        if window.chat_id == chat.id and window.panels["bom"].versions:
            break
        await settle(1)
    window.docks["bom"].raise_()
    await settle(30)
    window.grab().save(str(OUT / "sync-window.png"))

    dialog = SettingsDialog(runtime, window)
    dialog.show_tab("Sync")
    dialog.show()
    await settle(30)
    dialog.grab().save(str(OUT / "sync-settings.png"))
    dialog.close()

    mate_store = LocalStore.open(root / "mate" / "ohm.sqlite3")
    mate = SyncService(mate_store, supabase=(url, anon_key),
                       redactor=runtime.redactor, session_storage=MemorySessionStorage())
    await mate.login("teammate@example.test", PASSWORD, signup=True)
    await runtime.sync.service.share_chat(chat.id, "teammate@example.test")
    [invitation] = await mate.invitations()  # sharing is by invitation: the teammate says yes
    await mate.accept_invitation(invitation.id)
    people = window.open_chat_people(chat.id)
    for _ in range(200):
        if people.people.count() == 2:
            break
        await settle(1)
    people.people.setCurrentRow(1)
    await settle(20)
    people.grab().save(str(OUT / "sync-people.png"))
    people.close()
    mate_store.close()
    window.close()
    await runtime.aclose()


def main() -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from tests.support.supabase_standin import PostgresCluster, StandinProcess

    cluster = PostgresCluster().start()
    standin: StandinProcess | None = None
    try:
        cluster.wait_ready()
        standin = StandinProcess(cluster.dsn).start()
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["OHM_DATA_DIR"] = str(Path(tmp) / "data")
            os.environ["OHM_CONFIG_DIR"] = str(Path(tmp) / "config")
            os.environ["OHM_SUPABASE_URL"] = standin.url
            os.environ["OHM_SUPABASE_ANON_KEY"] = standin.anon_key
            app = QApplication.instance() or QApplication(sys.argv[:1])
            assert isinstance(app, QApplication)
            app.setQuitOnLastWindowClosed(False)  # closing the window must not stop the loop mid-teardown
            qasync.run(capture(standin.url, standin.anon_key, Path(tmp)))
    finally:
        if standin is not None:
            standin.stop()
        cluster.remove()
    print(f"sync screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
