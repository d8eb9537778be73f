"""The keys editor's provider keys: saved in the real keyring, shown masked, never echoed."""

from __future__ import annotations

from tests.support.secret_service import require_secret_service

SECRET = "sk-ant-api03-window-provider-key-9c3d"


def test_saving_a_provider_key_stores_it_masked_and_removing_forgets_it(window, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    require_secret_service()
    from ohm_desktop.ui.dialogs.keys_editor import KeysEditor
    from tests.ui.conftest import scenario

    editor = KeysEditor(window.runtime)
    qtbot.addWidget(editor)
    providers = editor.provider_keys

    async def steps() -> None:
        await providers.ready
        assert providers.stored.text() == "None stored."
        providers.provider.setCurrentText("anthropic")
        providers.entry.setText(SECRET)
        await providers.save()
        assert providers.entry.text() == ""
        assert providers.stored.text() == "anthropic …9c3d"
        assert window.runtime.provider_keys.load() == {"anthropic": SECRET}
        await providers.remove()
        assert providers.stored.text() == "None stored."

    scenario(qt_loop, steps())
    assert SECRET not in providers.result.text() + providers.stored.text()
