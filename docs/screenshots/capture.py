"""Take the README screenshots: a real window (xcb under Xvfb) after real turns against the fake gateway.

Run: xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python -m docs.screenshots.capture
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent

BOM = {"projectName": "Line-following robot", "parts": [
    {"designator": "U1", "name": "Arduino Uno R3", "quantity": 1, "mpn": "A000066", "manufacturer": "Arduino", "footprint": "Board"},
    {"designator": "U2", "name": "TB6612FNG motor driver", "quantity": 1, "footprint": "Breakout", "supplier_pn": "C88224"},
    {"designator": "M1", "name": "N20 gear motor 6V", "value": "300 rpm", "quantity": 2},
    {"designator": "IR1", "name": "TCRT5000 reflective sensor", "quantity": 3, "footprint": "Module"},
    {"designator": "C1", "name": "Electrolytic capacitor", "value": "100uF 16V", "quantity": 1, "footprint": "THT"},
    {"designator": "BT1", "name": "2S LiPo battery", "value": "7.4V 1000mAh", "quantity": 1}]}
CODE = {"board": "arduino:avr:uno", "files": [{"path": "line_follower.ino", "content": (
    "// Line follower: three TCRT5000 sensors, TB6612FNG driver\n#define PWMA 5\n#define AIN1 7\n#define PWMB 6\n"
    "#define BIN1 8\nconst int SENSORS[3] = {A0, A1, A2};\n\nvoid setup() {\n  Serial.begin(115200);\n"
    "  pinMode(PWMA, OUTPUT);\n  pinMode(AIN1, OUTPUT);\n  pinMode(PWMB, OUTPUT);\n  pinMode(BIN1, OUTPUT);\n}\n\n"
    "void loop() {\n  int left = analogRead(A0), mid = analogRead(A1), right = analogRead(A2);\n"
    "  int error = right - left;\n  analogWrite(PWMA, constrain(150 + error / 4, 0, 255));\n"
    "  analogWrite(PWMB, constrain(150 - error / 4, 0, 255));\n}\n")}]}
WIRING = {"connections": [
    {"from": "U1.D5", "to": "U2.PWMA", "net": "PWMA", "color": "yellow"},
    {"from": "U1.D7", "to": "U2.AIN1", "net": "AIN1", "color": "orange"},
    {"from": "U1.D6", "to": "U2.PWMB", "net": "PWMB", "color": "yellow"},
    {"from": "U1.D8", "to": "U2.BIN1", "net": "BIN1", "color": "orange"},
    {"from": "U2.AO1", "to": "M1.1", "net": "MOTOR_A", "color": "red"},
    {"from": "IR1.OUT", "to": "U1.A0", "net": "SENSE", "color": "green"},
    {"from": "BT1.+", "to": "U2.VM", "net": "VBAT", "color": "red"},
    {"from": "BT1.-", "to": "U1.GND", "net": "GND", "color": "black"},
    {"from": "C1.+", "to": "U2.VM", "net": "VBAT", "color": "red"}]}


def responder(request):  # type: ignore[no-untyped-def]
    from tests.support.fake_gateway import Reply, ToolCallSpec

    text = str(request.messages[-1].get("content", "")).lower()
    if not request.stream:
        return Reply(text="WIRING" if "wire" in text else "CODE" if "firmware" in text else "BOM")
    if any(m.get("role") == "tool" for m in request.messages):
        return Reply(text="Saved. Check the dock on the right; every change is a new version you can diff or revert.")
    if "wire" in text:
        return Reply(text="Here is the wiring: the driver's PWM inputs on D5/D6 and the sensors on A0–A2.",
                     tool_calls=[ToolCallSpec("write", {"artifact_type": "wiring", "content": WIRING, "change_summary": "Wiring for the driver and sensors"})])
    if "firmware" in text:
        return Reply(text="Firmware with a proportional steering loop:\n\n```cpp\nint error = right - left;\n```",
                     tool_calls=[ToolCallSpec("write", {"artifact_type": "code", "content": CODE, "change_summary": "First firmware"})])
    return Reply(text="A two-motor line follower with three reflective sensors and a TB6612FNG driver.",
                 tool_calls=[ToolCallSpec("write", {"artifact_type": "bom", "content": BOM, "change_summary": "Parts for a line-following robot"})])


async def capture() -> None:
    from PySide6.QtWidgets import QApplication

    from ohm_desktop.core.orchestrator import TurnRequest
    from ohm_desktop.runtime import build_runtime
    from ohm_desktop.ui.dialogs.onboarding import OnboardingDialog
    from ohm_desktop.ui.main_window import MainWindow
    from tests.support.fake_gateway import FakeGateway

    with FakeGateway(responder) as gateway:
        os.environ["OHM_GATEWAY_URL"] = gateway.url
        os.environ["BYTEZ_API_KEY_1"] = "sk-bytez-screenshot-key-00001a2b"
        os.environ["BYTEZ_API_KEY_2"] = "sk-bytez-screenshot-key-00003c4d"
        runtime = build_runtime()
        chat = runtime.store.create_chat("Line-following robot")
        for text in ("I need a parts list for a line-following robot", "Now write the firmware",
                     "How do I wire it on the breadboard?"):
            async for _ in runtime.orchestrator.run_turn(TurnRequest(chat.id, text)):
                pass
        window = MainWindow(runtime)
        window.resize(1400, 860)
        window.show()
        window.open_chat(chat.id)
        window.status.show_agent("Wiring Designer", "anthropic/claude-sonnet-4-5", working=False)
        window.status.show_usage({"prompt_tokens": 1840, "completion_tokens": 612})
        window.docks["bom"].raise_()
        for _ in range(40):
            QApplication.processEvents()
            await asyncio.sleep(0.02)
        window.grab().save(str(OUT / "main-window.png"))
        window.docks["wiring"].raise_()
        for _ in range(60):  # Graphviz layout arrives through QProcess
            QApplication.processEvents()
            await asyncio.sleep(0.02)
        window.grab().save(str(OUT / "wiring-dock.png"))
        window.docks["code"].raise_()
        for _ in range(20):
            QApplication.processEvents()
            await asyncio.sleep(0.02)
        window.grab().save(str(OUT / "code-dock.png"))
        dialog = OnboardingDialog(runtime, window)
        dialog.show()
        for _ in range(20):
            QApplication.processEvents()
            await asyncio.sleep(0.02)
        dialog.grab().save(str(OUT / "onboarding.png"))
        dialog.close()
        window.close()
        await runtime.aclose()


def main() -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OHM_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["OHM_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["OHM_KEYRING_SERVICE"] = "ohm-desktop-screenshots"
        app = QApplication.instance() or QApplication(sys.argv[:1])
        del app
        qasync.run(capture())
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
