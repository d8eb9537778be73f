"""``make bench``: run every tests/benchmarks/bench_*.py and write bench/results.json.

Each benchmark module exposes ``run() -> dict`` and runs in its own process, so one area's
imports (Qt, litellm) and memory never skew another's numbers. Baselines are measured inside
each benchmark in the same run, so ratios stay meaningful on any machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def _run_one(module: str, timeout_s: float) -> dict[str, object]:
    code = f"import json, {module} as m; print('@@RESULT@@' + json.dumps(m.run()))"
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {timeout_s:.0f} s"}
    elapsed = round(time.monotonic() - started, 2)
    for line in done.stdout.splitlines():
        if line.startswith("@@RESULT@@"):
            return {"ok": True, "wall_s": elapsed, **json.loads(line[len("@@RESULT@@") :])}
    return {"ok": False, "wall_s": elapsed, "error": (done.stderr or done.stdout)[-2000:]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="bench/results.json")
    parser.add_argument("--only", nargs="*", help="benchmark names (e.g. keypool store)")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    names = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    if args.only:
        names = [n for n in names if n in args.only]
    out = Path(args.out)
    results: dict[str, object] = {}
    if out.exists() and args.only:
        results = json.loads(out.read_text()).get("benchmarks", {})
    for name in names:
        print(f"bench {name} …", file=sys.stderr, flush=True)
        results[name] = _run_one(f"tests.benchmarks.bench_{name}", args.timeout)
        print(json.dumps(results[name], indent=1)[:1500], file=sys.stderr)
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "benchmarks": results,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}", file=sys.stderr)
    return 0 if all(isinstance(r, dict) and r.get("ok") for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
