"""The portable tar.gz and the size targets of the frozen folder."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from tests.packaging.conftest import DIST, record_measurement, run_command

MIB = 1024 * 1024


def test_unpacked_size_target(bundle: Path) -> None:
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    record_measurement(unpacked_bytes=size, unpacked_mib=round(size / MIB, 1))
    assert size < 150 * MIB, f"the frozen folder is {size / MIB:.1f} MiB (target < 150 MiB)"
    sizes = json.loads((DIST / "sizes.json").read_text(encoding="utf-8"))
    assert sizes["unpacked_bytes"] == size  # the build's own report agrees


def test_tarball_unpacks_and_runs(tarball: Path, version: str, tmp_path: Path) -> None:
    record_measurement(tar_gz_bytes=tarball.stat().st_size, tar_gz_mib=round(tarball.stat().st_size / MIB, 1))
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
        assert all(name.split("/")[0] == f"ohm-desktop-{version}" for name in names)
        assert all(member.uid == 0 and member.gid == 0 for member in archive.getmembers())
        archive.extractall(tmp_path, filter="tar")
    folder = tmp_path / f"ohm-desktop-{version}"
    assert (folder / "ohm").is_symlink()
    result = run_command([str(folder / "ohm"), "--version"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ohm {version}"
