"""docs/authoring.md is executed: every console command runs (in order, in a scratch copy of the
repository's packs and examples) and must print the lines shown under it; every YAML block with
``file=`` is written or inserted where it says, every ``diff`` block applied, every other YAML
block must parse. A guide that drifts from the tools fails here."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "authoring.md"
FENCE = re.compile(r"^```(\w*)([^\n]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
EXITS = re.compile(r"\s+#\s*exits\s+(\d+)\b.*$")


@dataclass
class Block:
    lang: str
    options: dict
    body: str
    line: int


def blocks(text: str) -> list[Block]:
    out = []
    for match in FENCE.finditer(text):
        options = dict(part.split("=", 1) for part in shlex.split(match.group(2)) if "=" in part)
        out.append(Block(match.group(1), options, match.group(3), text.count("\n", 0, match.start()) + 1))
    return out


def _pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in expected.split("...")))


def _run(command: str, cwd: Path, env: dict) -> tuple[int, str]:
    """Run a command as a shell would; ``icp-rules`` commands run in this process (same CLI, no
    interpreter start-up), anything else through bash."""
    words = shlex.split(command, comments=True)
    if words and words[0] == "icp-rules" and not set("|;&<>`$") & set(command.split("#")[0]):
        previous = os.getcwd()
        os.chdir(cwd)
        try:
            result = CliRunner().invoke(cli, words[1:], catch_exceptions=False)
        finally:
            os.chdir(previous)
        return result.exit_code, result.output
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    return done.returncode, done.stdout


def run_console(block: Block, cwd: Path, env: dict) -> int:
    commands: list[tuple[str, list[str]]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif line.strip():
            assert commands, f"authoring.md:{block.line}: output before any command"
            commands[-1][1].append(line.rstrip())
    for command, expected in commands:
        match = EXITS.search(command)
        want = int(match.group(1)) if match else 0
        status, text = _run(command, cwd, env)
        output = text.splitlines()
        where = f"authoring.md:{block.line}: $ {command}\n--- output ---\n{text}"
        assert status == want, f"exit status {status}, the guide says {want}\n{where}"
        assert "Traceback" not in text, where
        position = 0
        for line in expected:
            pattern = _pattern(line)
            while position < len(output) and not pattern.fullmatch(output[position].rstrip()):
                position += 1
            assert position < len(output), f"line not printed (in this order): {line!r}\n{where}"
            position += 1
    return len(commands)


def apply_file_block(block: Block, cwd: Path) -> None:
    target = cwd / block.options["file"]
    if block.lang == "diff":
        text = target.read_text(encoding="utf-8")
        for hunk in re.split(r"^@@.*\n", block.body, flags=re.MULTILINE):
            lines = [line for line in hunk.splitlines() if line]
            old = "\n".join(line[1:] for line in lines if line[0] in " -") + "\n"
            new = "\n".join(line[1:] for line in lines if line[0] in " +") + "\n"
            assert text.count(old) == 1, f"authoring.md:{block.line}: the lines to change are not in {target.name} once"
            text = text.replace(old, new)
        target.write_text(text, encoding="utf-8")
        return
    yaml.safe_load(block.body)
    if "after" in block.options:
        lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
        index = next(i for i, line in enumerate(lines) if line.rstrip() == block.options["after"])
        lines.insert(index + 1, block.body)
        target.write_text("".join(lines), encoding="utf-8")
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.body, encoding="utf-8")


def test_every_command_and_snippet_in_the_authoring_guide_works(tmp_path):
    for folder in ("rulepacks", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               LC_ALL="C.UTF-8", NO_COLOR="1")
    commands = files = 0
    for block in blocks(GUIDE.read_text(encoding="utf-8")):
        if block.lang in ("console", "shell", "sh", "bash"):
            commands += run_console(block, tmp_path, env)
        elif "file" in block.options:
            apply_file_block(block, tmp_path)
            files += 1
        elif block.lang == "yaml":
            yaml.safe_load(block.body)
        else:
            raise AssertionError(f"authoring.md:{block.line}: a ```{block.lang} block is neither run nor checked")
    assert commands >= 10 and files >= 4
