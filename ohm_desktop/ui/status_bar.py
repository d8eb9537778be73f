"""The agent status bar: agent and model, manual override, key health, sync state, token usage."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QStatusBar, QToolButton, QWidget

from ohm_desktop.core.agents import AgentSpec
from ohm_desktop.core.keys import KeyHealth
from ohm_desktop.sync import SyncStatus

#: What each sync state looks like in the status bar (a dot reads at a glance, the word says it).
SYNC_MARKS = {"off": "○", "connecting": "◌", "live": "●", "offline": "⚠"}

AUTO = "Auto"


class AgentStatusBar(QStatusBar):
    def __init__(self, agents: Iterable[AgentSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.agent = QLabel("Ready")
        self.agent.setObjectName("status-agent")
        self.override = QComboBox()
        self.override.setObjectName("agent-override")
        self.override.setToolTip("Auto lets the router pick; choose an agent to skip routing")
        self.override.addItem(AUTO, None)
        for spec in agents:
            self.override.addItem(f"{spec.name} ({spec.intent})", spec.intent)
        self.keys = QLabel()
        self.keys.setObjectName("status-keys")
        # A button, not a label: its menu holds "Sync now" and the way to the sync settings.
        self.sync = QToolButton()
        self.sync.setObjectName("status-sync")
        self.sync.setAutoRaise(True)
        self.sync.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.sync_menu = QMenu(self.sync)
        self.sync_now_action = self.sync_menu.addAction("Sync now")
        self.sync_settings_action = self.sync_menu.addAction("Sync settings…")
        self.sync.setMenu(self.sync_menu)
        self.show_sync(SyncStatus("off", detail="Sync is off: everything stays on this workstation."))
        self.usage = QLabel()
        self.usage.setObjectName("status-usage")
        self.addWidget(self.agent, 1)
        self.addPermanentWidget(self.override)
        self.addPermanentWidget(self.keys)
        self.addPermanentWidget(self.sync)
        self.addPermanentWidget(self.usage)

    def selected_override(self) -> str | None:
        value = self.override.currentData()
        return None if value is None else str(value)

    def show_agent(self, name: str, model: str, *, working: bool) -> None:
        self.agent.setText(f"{'● ' if working else ''}{name} · {model}")

    def show_keys(self, health: list[KeyHealth]) -> None:
        counts: dict[str, int] = {}
        for key in health:
            counts[key.state] = counts.get(key.state, 0) + 1
        if not health:
            self.keys.setText("keys: none")
            self.keys.setToolTip("No API key: open Settings → Keys, or set BYTEZ_API_KEY_1.")
            return
        parts = [f"{counts.get('healthy', 0)} healthy"]
        parts += [f"{counts[s]} {s.replace('_', ' ')}" for s in ("cooling", "out_of_credits", "invalid") if counts.get(s)]
        self.keys.setText("keys: " + " · ".join(parts))
        lines = []
        for key in health:
            extra = f" ({key.cooldown_remaining_s:.0f} s)" if key.state == "cooling" else ""
            lines.append(f"{key.label} — {key.state.replace('_', ' ')}{extra}, {key.source}")
        self.keys.setToolTip("\n".join(lines))

    def show_sync(self, status: SyncStatus) -> None:
        self.sync.setText(f"{SYNC_MARKS.get(status.state, '')} sync: {status.label}")
        lines = [status.detail]
        if status.last_error and status.last_error not in status.detail:
            lines.append(f"Last problem: {status.last_error}")
        if status.last_synced_at:
            lines.append(f"Last synced {status.last_synced_at[:19].replace('T', ' ')} UTC")
        self.sync.setToolTip("\n".join(lines))
        self.sync_now_action.setEnabled(status.state in ("live", "offline", "connecting"))

    def show_usage(self, usage: dict[str, int]) -> None:
        if usage:
            self.usage.setText(
                f"last turn: {usage.get('prompt_tokens', 0)} in / {usage.get('completion_tokens', 0)} out tokens"
            )
