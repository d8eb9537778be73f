"""``make dist``: the frozen one-folder app, a portable tar.gz and (on Debian/Ubuntu) a .deb.

Run from anywhere with the project's virtualenv: ``python packaging/build_dist.py``. Outputs land
in ``dist/`` (git-ignored) and the measured sizes in ``dist/sizes.json``:

    dist/ohm-desktop/                               the PyInstaller folder (ohm-desktop + ohm)
    dist/ohm-desktop-<version>-linux-x86_64.tar.gz  the same folder, portable
    dist/ohm-desktop_<version>_amd64.deb            /opt/ohm-desktop, /usr/bin launchers, menu entry
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
BUNDLE = DIST / "ohm-desktop"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_deb import build_deb  # noqa: E402  (sibling module, after the path tweak)


def project_version() -> str:
    """The one version: pyproject.toml's [project].version."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def tree_size(path: Path) -> int:
    """Bytes on disk of a folder as unpacked (symlinks count as links, not their targets)."""
    total = 0
    for dirpath, _dirnames, filenames in os.walk(path):
        for name in filenames:
            file = Path(dirpath) / name
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def run_pyinstaller() -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(ROOT / "build" / "pyinstaller"),
        str(ROOT / "packaging" / "ohm-desktop.spec"),
    ]
    subprocess.run(command, cwd=ROOT, check=True)


def add_cli_command() -> None:
    """`ohm` is the same executable as `ohm-desktop` (packaging/ohm_entry.py dispatches on argv[0])."""
    if sys.platform == "win32":
        return  # the spec builds a separate ohm.exe there
    link = BUNDLE / "ohm"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to("ohm-desktop")


def build_tarball(version: str) -> Path:
    arch = platform.machine().lower().replace("amd64", "x86_64")
    system = "linux" if sys.platform.startswith("linux") else sys.platform
    target = DIST / f"ohm-desktop-{version}-{system}-{arch}.tar.gz"
    top = f"ohm-desktop-{version}"

    def owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    with tarfile.open(target, "w:gz", compresslevel=6) as archive:
        archive.add(BUNDLE, arcname=top, filter=owned_by_root)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-freeze", action="store_true", help="reuse dist/ohm-desktop (packaging only)")
    args = parser.parse_args(argv)
    version = project_version()
    started = time.monotonic()
    if not args.skip_freeze:
        run_pyinstaller()
    if not (BUNDLE / "ohm-desktop").exists() and not (BUNDLE / "ohm-desktop.exe").exists():
        print(f"The frozen app is missing from {BUNDLE}: the PyInstaller step failed.", file=sys.stderr)
        return 1
    add_cli_command()
    sizes: dict[str, object] = {"version": version, "unpacked_bytes": tree_size(BUNDLE)}
    # The tar.gz (zlib, releases the GIL) and the .deb (dpkg-deb's xz) compress in parallel.
    with ThreadPoolExecutor(max_workers=2) as pool:
        tarball_job = pool.submit(build_tarball, version)
        if sys.platform.startswith("linux") and shutil.which("dpkg-deb"):
            deb = build_deb(BUNDLE, version, DIST, ROOT)
            sizes["deb"] = deb.name
            sizes["deb_bytes"] = deb.stat().st_size
        else:
            print("dpkg-deb not found: skipping the .deb (Debian/Ubuntu only).", file=sys.stderr)
        tarball = tarball_job.result()
    sizes["tar_gz"] = tarball.name
    sizes["tar_gz_bytes"] = tarball.stat().st_size
    sizes["build_seconds"] = round(time.monotonic() - started, 1)
    (DIST / "sizes.json").write_text(json.dumps(sizes, indent=2) + "\n", encoding="utf-8")
    mib = 1024 * 1024
    print(
        f"unpacked {sizes['unpacked_bytes'] / mib:.1f} MiB  tar.gz {sizes['tar_gz_bytes'] / mib:.1f} MiB",
        end="",
    )
    if "deb_bytes" in sizes:
        print(f"  .deb {sizes['deb_bytes'] / mib:.1f} MiB", end="")  # type: ignore[operator]
    print(f"  ({sizes['build_seconds']} s) -> {DIST}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
