"""A non-editable install works from any folder: the default config ships as package data."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_install_ingests_the_seeds_from_an_unrelated_folder(tmp_path: Path) -> None:
    """Build the wheel, install it (without dependencies) into a fresh venv, run it elsewhere.

    The dependencies come from this test's own environment through a plain path entry (its
    `.pth` files, such as an editable install of newsflow, are not processed), so the newsflow
    that runs is the wheel's copy. `benchmarks/check_install.sh` does the full install.
    """
    pip = [sys.executable, "-m", "pip"]
    wheels = tmp_path / "wheels"
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = wheels.glob("newsflow-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "newsflow-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "PYTHON"))}
    env |= {"HOME": str(elsewhere), "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("PREFECT_API_URL", None)
    where = subprocess.run(
        [str(python), "-c", "import tasks.settings as s; print(s.DEFAULT_CONFIG)"],
        cwd=elsewhere,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert where.startswith(site), where  # the wheel's copy, not the checkout

    warehouse = tmp_path / "x" / "W.duckdb"
    run = subprocess.run(
        [str(venv / "bin" / "newsflow"), "ingest", "files", str(ROOT / "seeds")]
        + ["--warehouse", str(warehouse)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(6,)]
    assert not (elsewhere / "data").exists()  # nothing written but the named warehouse
