"""Installer smoke tests: they exercise dist/ (built by `make dist`) and wheelhouse/, like a user would.

They run only through `make dist-test` (which sets OHM_DIST_TEST=1); `make test` does not collect
them, because they need the frozen build first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
BUNDLE = DIST / "ohm-desktop"
MEASUREMENTS = DIST / "measurements.json"

if not os.environ.get("OHM_DIST_TEST"):
    collect_ignore_glob = ["test_*.py"]


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def require_tool(name: str) -> str:
    """Path of a system tool; skip without it locally, fail in CI (CI must not skip silently)."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (see the apt list in .ci/run)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def user_environment(**overrides: str) -> dict[str, str]:
    """The test's environment minus anything that could make a frozen app find the dev checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(overrides)
    return env


def run_command(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    input_text: str | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        env=env if env is not None else user_environment(),
        input=input_text,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


def last_json_line(stdout: str) -> dict[str, object]:
    lines = [line for line in stdout.splitlines() if line.strip().startswith("{")]
    assert lines, f"no JSON line in output: {stdout!r}"
    parsed: dict[str, object] = json.loads(lines[-1])
    return parsed


def record_measurement(**values: object) -> None:
    """Merge numbers into dist/measurements.json (read by the report, never asserted on)."""
    data: dict[str, object] = {}
    if MEASUREMENTS.exists():
        data = json.loads(MEASUREMENTS.read_text(encoding="utf-8"))
    data.update(values)
    MEASUREMENTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def bundle() -> Path:
    if not (BUNDLE / "ohm-desktop").exists():
        pytest.fail(f"{BUNDLE} is missing: run `make dist` first (`make dist-test` does).")
    return BUNDLE


@pytest.fixture(scope="session")
def version() -> str:
    return project_version()


@pytest.fixture(scope="session")
def deb_file(version: str) -> Path:
    candidates = sorted(DIST.glob(f"ohm-desktop_{version}_*.deb"))
    if not candidates:
        pytest.fail(f"No ohm-desktop_{version}_*.deb in {DIST}: run `make dist` on Debian/Ubuntu.")
    return candidates[-1]


@pytest.fixture(scope="session")
def tarball(version: str) -> Path:
    candidates = sorted(DIST.glob(f"ohm-desktop-{version}-*.tar.gz"))
    if not candidates:
        pytest.fail(f"No ohm-desktop-{version}-*.tar.gz in {DIST}: run `make dist`.")
    return candidates[-1]
