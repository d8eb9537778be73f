"""Compile with ``arduino-cli compile --format json`` when the user has it installed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ohm_desktop.firmware.avr_build import _run
from ohm_desktop.firmware.diagnostics import parse_gcc_output
from ohm_desktop.firmware.result import CompileDiagnostic
from ohm_desktop.firmware.sketch import Sketch
from ohm_desktop.firmware.toolchain import ArduinoCliToolchain


@dataclass
class CliBuildOutcome:
    diagnostics: list[CompileDiagnostic] = field(default_factory=list)
    output: str = ""
    flash_bytes: int | None = None
    flash_max: int | None = None
    ram_bytes: int | None = None
    ram_max: int | None = None
    platform_missing: bool = False


async def build_with_arduino_cli(toolchain: ArduinoCliToolchain, sketch: Sketch, fqbn: str, work_dir: Path,
                                 *, output_dir: Path | None = None) -> CliBuildOutcome:
    sketch_root = sketch.write_to(work_dir / "src")
    argv = [str(toolchain.executable), "compile", "--fqbn", fqbn, "--format", "json", "--warnings", "none",
            "--build-path", str(work_dir / "build")]
    if output_dir is not None:
        argv += ["--output-dir", str(output_dir)]
    code, text = await _run([*argv, str(sketch_root)])
    return parse_cli_json(text, code, [sketch_root, work_dir / "build"])


def parse_cli_json(text: str, returncode: int, roots: list[Path]) -> CliBuildOutcome:
    """Read arduino-cli's JSON report (``compiler_err``, ``builder_result.executable_sections_size``)."""
    outcome = CliBuildOutcome()
    start = text.find("{")
    report: dict[str, Any] = {}
    if start != -1:
        try:
            report = json.loads(text[start:])
        except ValueError:
            report = {}
    compiler_err = str(report.get("compiler_err", "")) if report else text
    outcome.output = (str(report.get("compiler_out", "")) + compiler_err) if report else text
    success = bool(report.get("success", returncode == 0)) if report else returncode == 0
    builder = report.get("builder_result") or {}
    for section in builder.get("executable_sections_size") or []:
        if section.get("name") == "text":
            outcome.flash_bytes, outcome.flash_max = section.get("size"), section.get("max_size") or None
        elif section.get("name") == "data":
            outcome.ram_bytes, outcome.ram_max = section.get("size"), section.get("max_size") or None
    if success:
        return outcome
    lowered = (str(report.get("error", "")) + compiler_err + text).lower()
    if "platform" in lowered and ("not installed" in lowered or "not found" in lowered):
        outcome.platform_missing = True
        return outcome
    outcome.diagnostics = parse_gcc_output(compiler_err, roots) or [
        CompileDiagnostic(str(report.get("error") or compiler_err.strip() or "arduino-cli compile failed.")[-1000:])]
    return outcome
