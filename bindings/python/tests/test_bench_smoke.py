"""The benchmark script runs (tiny data): a smoke test, not a measurement."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench.py"


def test_bench_script_smoke_run():
    out = subprocess.run([sys.executable, str(BENCH), "--smoke"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    for marker in ("W1:", "W2:", "W3:", "M checks/s", "µs per query", "ms per file", "native"):
        assert marker in out.stdout, out.stdout
