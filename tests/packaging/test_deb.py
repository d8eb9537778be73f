"""The .deb: metadata, layout, and a real `dpkg -i` + start on this machine (root), without network."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import (
    last_json_line,
    record_measurement,
    require_tool,
    run_command,
    user_environment,
)

MIB = 1024 * 1024
QT_XCB_PACKAGES = {
    "libxcb-cursor0",
    "libxkbcommon-x11-0",
    "libxkbcommon0",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xkb1",
    "libx11-xcb1",
}


def _field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_deb_metadata(deb_file: Path, version: str) -> None:
    require_tool("dpkg-deb")
    assert _field(deb_file, "Package") == "ohm-desktop"
    assert _field(deb_file, "Version") == version
    depends = {dep.strip().split(" ")[0] for dep in _field(deb_file, "Depends").split(",")}
    assert depends >= QT_XCB_PACKAGES, QT_XCB_PACKAGES - depends
    assert "gnome-keyring" in _field(deb_file, "Recommends")
    assert {"simavr", "libsimavr-dev", "gcc"} <= {p.strip() for p in _field(deb_file, "Recommends").split(",")}
    size = deb_file.stat().st_size
    record_measurement(deb_bytes=size, deb_mib=round(size / MIB, 1))
    assert size < 60 * MIB, f".deb is {size / MIB:.1f} MiB (target < 60 MiB)"


def test_deb_layout(deb_file: Path) -> None:
    require_tool("dpkg-deb")
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(deb_file)], capture_output=True, text=True, check=True
    ).stdout
    entries = {line.split(None, 5)[5] for line in listing.splitlines()}
    expected = {
        "./opt/ohm-desktop/ohm-desktop",
        "./opt/ohm-desktop/ohm -> ohm-desktop",
        "./usr/bin/ohm -> /opt/ohm-desktop/ohm",
        "./usr/bin/ohm-desktop -> /opt/ohm-desktop/ohm-desktop",
        "./usr/share/applications/ohm-desktop.desktop",
        "./usr/share/icons/hicolor/48x48/apps/ohm-desktop.png",
        "./usr/share/icons/hicolor/128x128/apps/ohm-desktop.png",
        "./usr/share/icons/hicolor/256x256/apps/ohm-desktop.png",
        "./usr/share/icons/hicolor/scalable/apps/ohm-desktop.svg",
    }
    assert expected <= entries, expected - entries
    owners = {line.split()[1] for line in listing.splitlines()}
    assert owners == {"root/root"}, owners


def test_deb_unpacked_into_a_clean_root_runs(deb_file: Path, version: str, tmp_path: Path) -> None:
    require_tool("dpkg-deb")
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb_file), str(root)], check=True)
    result = run_command([str(root / "opt/ohm-desktop/ohm"), "--version"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ohm {version}"


def _offline_prefix() -> list[str]:
    """`unshare --net` (no network at all) when this machine allows it, else nothing."""
    try:
        probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return ["unshare", "--net"] if probe.returncode == 0 else []


def test_dpkg_install_then_start_then_remove(deb_file: Path, version: str, tmp_path: Path) -> None:
    require_tool("dpkg")
    if os.geteuid() != 0:
        message = "installing the .deb system-wide needs root"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    was_installed = subprocess.run(["dpkg", "-s", "ohm-desktop"], capture_output=True).returncode == 0
    offline = _offline_prefix()
    install = run_command([*offline, "dpkg", "-i", str(deb_file)], timeout=300)
    try:
        assert install.returncode == 0, install.stdout + install.stderr
        assert Path("/usr/share/applications/ohm-desktop.desktop").exists()
        assert Path("/usr/share/icons/hicolor/256x256/apps/ohm-desktop.png").exists()

        result = run_command(["/usr/bin/ohm", "--version"], cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"ohm {version}"

        smoke = run_command(
            ["/usr/bin/ohm-desktop", "--smoke-test"],
            env=user_environment(QT_QPA_PLATFORM="offscreen"),
            cwd=tmp_path,
        )
        assert smoke.returncode == 0, smoke.stderr
        assert last_json_line(smoke.stdout)["ok"] is True

        xvfb_run = require_tool("xvfb-run")
        env = user_environment()
        env.pop("QT_QPA_PLATFORM", None)
        windowed = run_command(
            [xvfb_run, "-a", "/usr/bin/ohm-desktop", "--smoke-test"], env=env, cwd=tmp_path
        )
        assert windowed.returncode == 0, windowed.stderr
        assert last_json_line(windowed.stdout)["ok"] is True
        record_measurement(deb_installed_offline=bool(offline))
    finally:
        if not was_installed:
            removed = run_command(["dpkg", "--purge", "ohm-desktop"], timeout=300)
            assert removed.returncode == 0, removed.stderr
            assert not Path("/opt/ohm-desktop").exists()
            assert not Path("/usr/bin/ohm").exists()
