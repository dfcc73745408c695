"""The corpus of broken and hostile inputs (tests/bad_inputs/index.yaml), run through the real CLI.

Every case must give its exit code (2 for applications, 1 for packs under validate, 2 for check
with a broken --packs directory), a message that names the file (and line and field where it has
them), no traceback, and an answer within seconds: the hostile cases run as real subprocesses
under a generous timeout (a hang fails the test; no timing is asserted).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from click.testing import CliRunner

from engine import bundled
from engine.cli import cli

HERE = Path(__file__).resolve().parent / "bad_inputs"
INDEX = yaml.safe_load((HERE / "index.yaml").read_text(encoding="utf-8"))
EXE = Path(sys.executable).with_name("icp-rules")
TIMEOUT = 60  # seconds: generous on a busy 2-core machine; a hang or a runaway regex would exceed it
# Hostile file cases that also go through a real process (the generated ones always do).
SUBPROCESS_FILES = {"apps/alias_bomb.yaml", "apps/yaml_tag_python_apply.yaml", "apps/png_image.png",
                    "apps/huge_integer_json.json", "packs/alias_bomb/fujian.yaml"}

BASE = (HERE / "apps" / "wrong_type_operating.yaml").read_text(encoding="utf-8").replace("operating: maybe", "operating: false")
PACK = (HERE / "packs" / "unknown_fact" / "fujian.yaml").read_text(encoding="utf-8").replace("website.nmae", "website.name")


def test_the_corpus_is_large_enough():
    assert len(INDEX["apps"]) + len(INDEX["packs"]) + len(INDEX["generated"]) >= 60
    for case in INDEX["apps"] + INDEX["packs"]:
        assert (HERE / case["file"]).is_file(), case["file"]


def _run(args: list[str], *, env: dict[str, str] | None = None, subprocess_: bool = False, cwd: Path | None = None,
         lang: str = "en"):
    """(exit code, stdout, stderr) of the CLI, in a real process or through click's runner.

    The corpus states its expected messages in English, so commands run with --lang en
    (test_messages.py checks the Chinese default)."""
    if args and args[0] in ("check", "validate"):
        args = [args[0], "--lang", lang, *args[1:]]
    if subprocess_:
        full_env = dict(os.environ, **(env or {}))
        proc = subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=TIMEOUT,
                              env=full_env, cwd=cwd)
        return proc.returncode, proc.stdout, proc.stderr
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"unexpected exception: {result.exception!r}") from result.exception
    return result.exit_code, result.stdout, result.stderr


def _assert_clean(case: dict[str, Any], file: Path, code: int, out: str, err: str) -> None:
    assert code == case["exit"], f"exit {code}, wanted {case['exit']}\nstderr: {err[:2000]}"
    assert "Traceback" not in out + err and "internal error" not in err
    for needle in case["expect"]:
        assert needle in err, f"{needle!r} not in stderr:\n{err[:2000]}"
    if case["exit"] == 2 or (case["exit"] == 1 and case["kind"] == "pack"):
        assert str(file) in err or case.get("names_file") is False, "the message must name the file"
        assert len(err) < 20_000, "a message must stay readable whatever the input held"
    if "line" in case:
        assert f"{file}:{case['line']}:" in err, f"line {case['line']} not located:\n{err[:2000]}"
    if "path" in case:
        assert f"  {case['path']}  " in err, f"{case['path']} not named:\n{err[:2000]}"
    for needle in case.get("stdout_has", []):
        assert needle in out
    for needle in case.get("stdout_lacks", []):
        assert needle not in out
    for needle in case.get("stderr_lacks", []):
        assert needle not in err


def _id(case: dict[str, Any]) -> str:
    name = case.get("file") or case["generate"]
    return f"{name}[{' '.join(case['args'])}]" if "args" in case else name


@pytest.mark.parametrize("case", INDEX["apps"], ids=_id)
def test_broken_application(case, tmp_path):
    file = HERE / case["file"]
    real = case["file"] in SUBPROCESS_FILES
    code, out, err = _run(["check", str(file), "--format", "json", *case.get("args", [])], subprocess_=real, cwd=tmp_path)
    _assert_clean(case, file, code, out, err)


def _packs_dir(tmp_path: Path, broken: Path) -> Path:
    directory = tmp_path / "packs"
    directory.mkdir()
    shutil.copy(bundled.packs_dir() / "national.yaml", directory / "national.yaml")
    shutil.copy(broken, directory / broken.name)
    return directory


@pytest.mark.parametrize("case", INDEX["packs"], ids=_id)
def test_broken_pack(case, tmp_path):
    file = HERE / case["file"]
    real = case["file"] in SUBPROCESS_FILES
    code, out, err = _run(["validate", str(file)], subprocess_=real, cwd=tmp_path)
    _assert_clean(case, file, code, out + err if case["exit"] == 0 else out, err if case["exit"] else out + err)
    if case["exit"] == 0 or case.get("check") is False:
        return
    # The same pack in a --packs directory: check cannot run, and says why (exit 2, bad input).
    directory = _packs_dir(tmp_path, file)
    app = tmp_path / "app.yaml"
    app.write_text(BASE, encoding="utf-8")
    code, out, err = _run(["check", str(app), "--packs", str(directory)], subprocess_=real, cwd=tmp_path)
    assert code == 2 and "Traceback" not in err and f"{directory / file.name}" in err
    assert all(needle in err for needle in case["expect"]), err[:2000]


# ---------------------------------------------------------------------------------------------
# Inputs too big to commit, written at test time.

def _with(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _deep(opening: str, closing: str, inner: str = "1", depth: int = 100_000) -> str:
    return opening * depth + inner + closing * depth


GENERATORS: dict[str, Callable[[Path], tuple[str, list[str]]]] = {}


def generator(func: Callable[[Path], Any]) -> Callable[[Path], Any]:
    GENERATORS[func.__name__] = func
    return func


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@generator
def big_string_default_limit(d: Path) -> Path:
    return _write(d, "big.yaml", _with("  name: 王芳\n  certificate", f"  name: {'x' * 3_000_000}\n  certificate"))


big_string_raised_limit = generator(lambda d: big_string_default_limit(d))
GENERATORS["big_string_raised_limit"] = big_string_raised_limit


@generator
def big_string_env_limit(d: Path) -> Path:
    return _write(d, "big.yaml", _with("filing_province: fujian", f"filing_province: {'y' * 3_000_000}"))


@generator
def big_unknown_key(d: Path) -> Path:
    return _write(d, "key.yaml", _with("operating: false\n", f"operating: false\n{'k' * 2_000_000}: 1\n"))


@generator
def bad_env_limit(d: Path) -> Path:
    return _write(d, "app.yaml", BASE)


@generator
def deep_json(d: Path) -> Path:
    return _write(d, "deep.json", _deep("[", "]"))


@generator
def deep_json_objects(d: Path) -> Path:
    return _write(d, "deep.json", '{"filing_province": ' + _deep('{"a": ', "}") + "}")


@generator
def deep_yaml_flow(d: Path) -> Path:
    return _write(d, "deep.yaml", "filing_province: " + _deep("[", "]") + "\n")


@generator
def deep_yaml_mappings(d: Path) -> Path:
    return _write(d, "deep.yaml", "filing_province: " + _deep("{a: ", "}") + "\n")


@generator
def many_values(d: Path) -> Path:
    return _write(d, "many.yaml", "filing_province: [" + ", ".join(["1"] * 300_000) + "]\n")


@generator
def many_websites(d: Path) -> Path:
    sites = "".join(f"  - {{name: 站点{i}, domains: [site{i}.cn]}}\n" for i in range(1001))
    start, end = BASE.index("websites:\n"), BASE.index("domains:\n  - name")
    return _write(d, "sites.yaml", BASE[:start] + "websites:\n" + sites + BASE[end:])


@generator
def template_in_names(d: Path) -> Path:
    return _write(d, "names.yaml", _with("  - name: 榕城山水摄影笔记", "  - name: '{{ 7*7 }} <script>alert(1)</script>'"))


@generator
def far_future_submission(d: Path) -> Path:
    return _write(d, "future.yaml", _with("submitted_on: 2024-10-08", "submitted_on: 9999-12-20"))


@generator
def regex_on_long_text(d: Path) -> tuple[Path, Path]:
    pack = _with('when: {fact: website.name, matches: "商城|购物"}', 'when: {fact: website.remarks, matches: "^(a+)+$"}', PACK)
    directory = d / "packs"
    directory.mkdir()
    shutil.copy(bundled.packs_dir() / "national.yaml", directory / "national.yaml")
    _write(directory, "fujian.yaml", pack)
    # 4,999 a's then a '!': a backtracking engine tries 2^4999 ways before saying no.
    app = _write(d, "app.yaml", _with("    domains: [wangfang-photo.cn]", f"    domains: [wangfang-photo.cn]\n    remarks: {'a' * 4999}!"))
    return app, directory


@generator
def pack_deep_condition(d: Path) -> Path:
    pack = _with('when: {fact: website.name, matches: "商城|购物"}',
                 "when: " + _deep("{not: ", "}", inner='{fact: website.name, matches: "商城"}'), PACK)
    return _write(d, "fujian.yaml", pack)


@generator
def huge_hex_integer(d: Path) -> Path:
    return _write(d, "hex.yaml", _with("  other_filings: 0", "  other_filings: 0x" + "f" * 5000))


@generator
def huge_octal_integer(d: Path) -> Path:
    return _write(d, "octal.yaml", _with("  other_filings: 0", "  other_filings: 0" + "7" * 5000))


@generator
def huge_binary_integer(d: Path) -> Path:
    return _write(d, "binary.yaml", _with("  other_filings: 0", "  other_filings: 0b" + "1" * 5000))


@generator
def sexagesimal_megabyte(d: Path) -> Path:
    # 1:1:1:… was summed digit group by digit group into one huge integer: quadratic (57 s a MiB)
    return _write(d, "sexagesimal.yaml", _with("  other_filings: 0", "  other_filings: 1" + ":1" * 500_000))


@generator
def dev_zero(d: Path) -> Path:
    return Path("/dev/zero")


@generator
def symlink_to_dev_zero(d: Path) -> Path:
    link = d / "app.yaml"
    link.symlink_to("/dev/zero")
    return link


@generator
def fifo_application(d: Path) -> Path:
    fifo = d / "app.yaml"
    os.mkfifo(fifo)  # nobody writes: reading it would wait for ever
    return fifo


@generator
def fifo_pack(d: Path) -> Path:
    fifo = d / "fujian.yaml"
    os.mkfifo(fifo)
    return fifo


@generator
def pack_symlink_to_dev_zero(d: Path) -> Path:
    link = d / "fujian.yaml"
    link.symlink_to("/dev/zero")
    return link


@pytest.mark.parametrize("case", INDEX["generated"], ids=_id)
def test_generated_hostile_input(case, tmp_path):
    made = GENERATORS[case["generate"]](tmp_path)
    env = case.get("env")
    if case["kind"] == "pack":
        code, out, err = _run(["validate", str(made)], env=env, subprocess_=True, cwd=tmp_path)
        _assert_clean(case, made, code, out, err)
        return
    if case["kind"] == "pack_check":
        app, directory = made
        code, out, err = _run(["check", str(app), "--packs", str(directory), "--format", "json"], subprocess_=True, cwd=tmp_path)
        _assert_clean(case, app, code, out, err)
        return
    code, out, err = _run(["check", str(made), *case.get("args", ["--format", "json"])], env=env, subprocess_=True, cwd=tmp_path)
    _assert_clean(case, made, code, out, err)


def test_library_callers_get_the_same_limits(tmp_path):
    from engine import RuleBook
    from engine.errors import InputError

    path = big_string_default_limit(tmp_path)
    book = RuleBook.load()
    with pytest.raises(InputError) as err:
        book.evaluate(path)
    assert "over the limit of 1048576 bytes" in str(err.value)
    with pytest.raises(InputError) as err:
        book.evaluate(path, max_bytes=8_000_000)
    assert err.value.path == "$.subject.name"


# ---------------------------------------------------------------------------------------------
# Control characters reach no terminal through explain or diff either (issue 13).

UNSAFE = ("\x1b", "\x9b", "\x07", "\u202e", "\u2066")


def test_explain_and_diff_neutralise_control_characters(tmp_path):
    app = HERE / "apps" / "control_characters_in_names.yaml"
    code, out, err = _run(["explain", str(app)])
    assert code == 0 and "榕城山水" in out
    assert not any(c in out + err for c in UNSAFE)
    new = tmp_path / "new"
    shutil.copytree(bundled.packs_dir(), new)
    pack = new / "fujian.yaml"
    text = pack.read_text(encoding="utf-8")
    start = text.index("  - id: ", text.index("rules:"))
    # A new rule whose title carries an OSC sequence and a bidi control
    pack.write_text(text[:start] + """  - id: zz_control_characters
    title: {zh: "标题\\e]0;pwned\\a\\u202e", en: "Title \\x9b31m"}
    for_each: website
    when: {fact: website.name, matches: "山水"}
    reason: {zh: "原因\\e[2J", en: "Reason"}
    require:
      - document: residence_permit
    sources: [{id: seed_001}]
""" + text[start:], encoding="utf-8")
    code, out, err = _run(["diff", str(bundled.packs_dir()), str(new), "--applications", str(app)])
    assert code == 0, err
    assert "zz_control_characters" in out and "榕城山水" in out
    assert "榕城山水]8;;http://evil.example" in out  # the name is shown, without its ESC
    assert not any(c in out + err for c in UNSAFE)
