"""A non-editable install carries the packs and schemas and works from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_packs_and_works_from_elsewhere(tmp_path):
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheel_dir), str(ROOT)],
                   check=True, cwd=tmp_path, timeout=300)
    (wheel,) = wheel_dir.glob("icp_rulepacks-*.whl")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, timeout=300)
    assert (target / "engine" / "rulepacks" / "national.yaml").exists()
    assert (target / "engine" / "schemas" / "application.schema.json").exists()
    assert (target / "engine" / "py.typed").exists()  # PEP 561: callers type-check against the package
    # Dependencies come from this environment's site-packages; the engine only from the wheel.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(target), sysconfig.get_paths()["purelib"]]))
    code = ("import engine, json, sys; from engine.cli import main; "
            "assert engine.__file__.startswith(sys.argv[1]), engine.__file__; main(sys.argv[2:])")
    proc = subprocess.run([sys.executable, "-c", code, str(target), "check",
                           str(ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"), "--format", "json"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["pack"]["id"] == "guangdong"
