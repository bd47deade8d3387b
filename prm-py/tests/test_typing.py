"""Typing: mypy --strict on the typed examples, the stubs against the runtime, and fresh generated stubs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

TYPED = Path(__file__).resolve().parent / "typed"
CONFIG = ROOT / "prm-py" / "pyproject.toml"

pytest.importorskip("mypy")


def mypy(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", str(CONFIG),
         "--cache-dir", str(Path(sys.prefix) / ".mypy_cache"), *map(str, paths)],
        capture_output=True, text=True, timeout=900,
    )


def test_mypy_strict_passes_on_the_typed_usage_and_the_examples() -> None:
    done = mypy(TYPED / "usage.py", *sorted(EXAMPLES.glob("*.py")))
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_catches_each_marked_mistake() -> None:
    wrong = TYPED / "wrong.py"
    expected = {i for i, line in enumerate(wrong.read_text().splitlines(), 1) if "# E:" in line}
    done = mypy(wrong)
    found = {int(m.group(1)) for m in re.finditer(r"wrong\.py:(\d+): error", done.stdout)}
    assert found == expected, done.stdout


def test_the_typed_usage_runs() -> None:
    done = subprocess.run([sys.executable, str(TYPED / "usage.py")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_native_stub_matches_the_module() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy.stubtest", "prm._prm"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_generated_stub_is_fresh() -> None:
    script = ROOT / "prm-py" / "scripts" / "gen_stubs.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_wheel_ships_the_stubs() -> None:
    import prm

    package = Path(prm.__file__).parent
    assert {"py.typed", "_prm.pyi", "_generated.pyi"} <= {p.name for p in package.iterdir()}
