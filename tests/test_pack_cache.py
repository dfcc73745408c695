"""Checked packs in the user cache (engine/packs.py ``load_pack``): a hit gives the same book as a
miss, any change to a pack's bytes misses, a broken entry is rebuilt, an invalid pack is never
remembered, and a warm ``icp-rules check`` never imports jsonschema."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import PackError, RuleBook, packs
from engine.cli import cli
from engine.conditions import walk
from engine.packtests import pack_cases, run

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "rulepacks"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture
def folder(tmp_path, monkeypatch):
    target = tmp_path / "cache"
    monkeypatch.setenv("ICP_RULES_CACHE_DIR", str(target))
    return target


@pytest.fixture
def schema_runs(monkeypatch):
    """How many times a pack was checked against the JSON Schema, i.e. read without the cache."""
    calls: list[str] = []
    original = packs._schema_problems

    def counting(data, source):
        calls.append(str(source.file))
        return original(data, source)

    monkeypatch.setattr(packs, "_schema_problems", counting)
    return calls


def _copy(tmp_path: Path, *names: str) -> Path:
    target = tmp_path / "packs"
    target.mkdir()
    for name in names:
        shutil.copy(BUNDLED / f"{name}.yaml", target / f"{name}.yaml")
    return target


def _entries(folder: Path, pack: str) -> list[Path]:
    return sorted(folder.glob(f"pack-{pack}-*.pickle"))


def _shape(book: RuleBook) -> dict:
    """Everything a book's rule sets are made of, in comparable form (Rule equality ignores only
    the compiled predicate, which is checked by evaluating)."""
    return {key: (rs.rules, dict(rs.documents), dict(rs.categories), dict(rs.findings), rs.fixtures, rs.digest,
                  [(p.id, p.version, p.file, p.content, p.raw, p.tests, p.disables, p.keywords) for p in rs.packs])
            for key, rs in book.rulesets.items()}


def test_a_hit_gives_the_same_book_and_results_as_a_miss(folder, schema_runs, monkeypatch):
    monkeypatch.setenv("ICP_RULES_CACHE_DIR", "off")
    plain = RuleBook.load()
    monkeypatch.setenv("ICP_RULES_CACHE_DIR", str(folder))
    RuleBook.load()  # fills the cache
    schema_runs.clear()
    warm = RuleBook.load()
    assert schema_runs == [], "every bundled pack must come from the cache on the second load"
    assert len(_entries(folder, "national")) == 1 and len(list(folder.glob("pack-*.pickle"))) == len(warm.packs)
    assert _shape(warm) == _shape(plain)
    for key, ruleset in plain.rulesets.items():
        assert [r.line for r in warm.rulesets[key].rules] == [r.line for r in ruleset.rules]
        # SPEC: the sha256 of the packs used, base file first
        assert ruleset.digest == hashlib.sha256(b"".join(p.content for p in ruleset.packs)).hexdigest()
    # The same evaluations: every pack's own test cases (with their lines) and the examples.
    cases = pack_cases(plain)
    assert [(c.file, c.line) for c in pack_cases(warm)] == [(c.file, c.line) for c in cases]
    for case in cases:
        assert run(warm, case) == run(plain, case)
    for example in EXAMPLES:
        assert warm.evaluate(example).to_dict() == plain.evaluate(example).to_dict()


def test_editing_one_byte_misses_and_is_picked_up(tmp_path, folder, schema_runs):
    directory = _copy(tmp_path, "national", "guangdong")
    RuleBook.load(directory)
    pack = directory / "guangdong.yaml"
    text = pack.read_bytes()
    assert b'version: "2' in text
    pack.write_bytes(text.replace(b'version: "2', b'version: "3', 1))  # one byte
    schema_runs.clear()
    book = RuleBook.load(directory)
    assert schema_runs == [str(pack)], "only the edited pack is read again"
    assert book.packs["guangdong"].version.startswith("3")
    assert book.packs["guangdong"].content == pack.read_bytes()
    assert len(_entries(folder, "guangdong")) == 2


def test_a_copy_of_a_pack_elsewhere_hits_and_carries_its_own_path(tmp_path, folder, schema_runs):
    first = _copy(tmp_path, "national", "guangdong")
    RuleBook.load(first)
    second = tmp_path / "elsewhere"
    shutil.copytree(first, second)
    schema_runs.clear()
    book = RuleBook.load(second)
    assert schema_runs == []
    assert {p.file for p in book.packs.values()} == {str(second / "national.yaml"), str(second / "guangdong.yaml")}
    assert {r.file for r in book.rulesets["guangdong"].rules} == {str(second / "national.yaml"), str(second / "guangdong.yaml")}


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "other-key"])
def test_a_broken_entry_is_rebuilt_silently(tmp_path, folder, schema_runs, damage):
    directory = _copy(tmp_path, "national", "guangdong")
    expected = _shape(RuleBook.load(directory))
    entries = list(folder.glob("pack-*.pickle"))
    assert len(entries) == 2
    contents = [entry.read_bytes() for entry in entries]
    for entry, content, other in zip(entries, contents, reversed(contents)):
        if damage == "truncate":
            entry.write_bytes(content[: len(content) // 2])
        elif damage == "garbage":
            entry.write_bytes(b"\x80\x05not a pickle at all")
        elif damage == "empty":
            entry.write_bytes(b"")
        else:  # a sound entry, authenticated, but written for the other pack's key
            entry.write_bytes(other)
    schema_runs.clear()
    assert _shape(RuleBook.load(directory)) == expected
    assert len(schema_runs) == 2, "a broken entry is a miss"
    schema_runs.clear()
    assert _shape(RuleBook.load(directory)) == expected
    assert schema_runs == [], "and it is written again"


INVALID = """\
pack: guangdong
extends: national
version: '1'
title: {zh: 广东, en: Guangdong}
rules:
  - id: gd_extra
    title: {zh: 甲, en: A}
    when: {fact: subject.type, equals: enterprise}
    require: [{document: residence_permit}]
    sources: [{id: seed_003}]
    colour: red
"""

# Sound on its own (so it may be remembered), wrong only when laid over the national pack.
SHADOWING = """\
pack: guangdong
extends: national
version: '1'
title: {zh: 广东, en: Guangdong}
rules:
  - id: gd_extra
    title: {zh: 甲, en: A}
    when: {fact: subject.type, equals: enterprise}
    require: [{document: residence_permit}]
    sources: [{id: seed_003}]
  - id: filing_not_required_offshore
    title: {zh: 乙, en: B}
    when: {fact: subject.type, equals: enterprise}
    require: [{document: residense_permit}]
    sources: [{id: seed_003}]
"""


def _problems(directory: Path) -> list[tuple]:
    with pytest.raises(PackError) as caught:
        RuleBook.load(directory)
    return [(p.file, p.line, p.column, p.message, p.path, p.suggestion) for p in caught.value.problems]


def test_an_invalid_pack_is_reported_the_same_on_every_run_and_never_cached(tmp_path, folder):
    directory = _copy(tmp_path, "national")
    (directory / "guangdong.yaml").write_text(INVALID, encoding="utf-8")
    first = _problems(directory)
    assert first == _problems(directory)
    assert (str(directory / "guangdong.yaml"), 11, 5) in [p[:3] for p in first]
    assert _entries(folder, "guangdong") == [] and len(_entries(folder, "national")) == 1
    for _ in range(2):  # and through the CLI, as a pack author sees it
        result = CliRunner().invoke(cli, ["validate", str(directory)])
        assert result.exit_code == 1
        assert f"{directory / 'guangdong.yaml'}:11:5" in result.output


def test_merge_problems_of_a_cached_pack_keep_their_positions(tmp_path, folder, schema_runs):
    directory = _copy(tmp_path, "national")
    (directory / "guangdong.yaml").write_text(SHADOWING, encoding="utf-8")
    first = _problems(directory)
    assert len(_entries(folder, "guangdong")) == 1, "the pack is sound on its own, so it is remembered"
    schema_runs.clear()
    second = _problems(directory)
    assert schema_runs == [], "the second run reads both packs from the cache"
    assert second == first
    where = {(p[1], p[2]) for p in first if p[0] == str(directory / "guangdong.yaml")}
    assert (11, 9) in where, "the shadowing rule's id, line 11 column 9"
    assert (14, 26) in where, "the misspelt document inside it"


def test_a_province_that_redefines_a_keyword_list_gets_national_rules_with_its_words(tmp_path, folder):
    directory = _copy(tmp_path, "national")
    (directory / "fujian.yaml").write_text(
        SHADOWING.replace("guangdong", "fujian").replace("广东", "福建").replace("Guangdong", "Fujian")
        .split("  - id: filing_not_required_offshore")[0].replace("rules:", "keywords:\n  finance_words: [钱庄]\nrules:"),
        encoding="utf-8")
    for _ in range(2):  # a miss, then a hit
        book = RuleBook.load(directory)

        def words(key: str) -> set:
            rule = next(r for r in book.rulesets[key].rules if r.id == "finance_words_need_pre_approval")
            return {tuple(n.value) for n in walk(rule.when) if getattr(n, "op", None) == "contains_any"}

        assert ("钱庄",) in words("fujian") and ("钱庄",) not in words("national")
        app = dict(book.rulesets["national"].fixtures["enterprise"], filing_province="fujian")
        app["subject"] = dict(app["subject"], name="福州钱庄有限公司")
        fired = {f.rule for f in book.evaluate(app).fired}
        assert "finance_words_need_pre_approval" in fired


def test_cache_off_writes_nothing_and_checks_every_time(tmp_path, monkeypatch, schema_runs):
    directory = _copy(tmp_path, "national", "guangdong")
    monkeypatch.setenv("ICP_RULES_CACHE_DIR", "off")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    first = _shape(RuleBook.load(directory))
    assert _shape(RuleBook.load(directory)) == first
    assert len(schema_runs) == 4
    assert not (tmp_path / "home").exists() and not (tmp_path / "xdg").exists()


def test_only_the_newest_versions_of_a_pack_are_kept(tmp_path, folder):
    directory = _copy(tmp_path, "national", "guangdong")
    pack = directory / "guangdong.yaml"
    original = pack.read_bytes()
    for version in range(packs.KEEP_VERSIONS + 3):
        pack.write_bytes(original.replace(b'version: "', f'version: "{version}.'.encode(), 1))
        os.utime(pack)
        RuleBook.load(directory)
    assert len(_entries(folder, "guangdong")) == packs.KEEP_VERSIONS
    assert len(_entries(folder, "national")) == 1
    assert RuleBook.load(directory).packs["guangdong"].version.startswith(f"{packs.KEEP_VERSIONS + 2}.")


PROBE = """
import sys
from engine.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("jsonschema imported:", "jsonschema" in sys.modules, file=sys.stderr)
"""


def _check_imports(folder: Path) -> str:
    env = dict(os.environ, ICP_RULES_CACHE_DIR=str(folder))
    example = ROOT / "examples" / "guangdong-enterprise-many-domains.yaml"
    done = subprocess.run([sys.executable, "-c", PROBE, "check", str(example), "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.stdout.startswith("{") and '"application_id"' in done.stdout, done.stderr
    return done.stderr


def test_a_check_with_a_warm_cache_does_not_import_jsonschema(folder):
    # A cold cache checks the packs with jsonschema; a warm one has nothing left to check.
    assert "jsonschema imported: True" in _check_imports(folder), "a cold cache validates the packs"
    warm = _check_imports(folder)
    assert "jsonschema imported: False" in warm


# --- issue 13: entries nobody but this installation wrote are never used ----------------------

class _Planted:
    """Unpickling this runs code: it creates a file named ``marker``."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def _forge(entry: Path, value) -> None:
    """Replace an entry with a pickle of ``value`` (under the digest it had), keeping its first bytes."""
    content = entry.read_bytes()
    tag = hashlib.sha256().digest_size
    digest, _ = pickle.loads(content[tag:])
    entry.write_bytes(content[:tag] + pickle.dumps((digest, value)))


def test_a_tampered_entry_is_never_unpickled(tmp_path, folder, schema_runs):
    directory = _copy(tmp_path, "national", "guangdong")
    expected = _shape(RuleBook.load(directory))
    marker = tmp_path / "code-ran"
    for entry in folder.glob("pack-*.pickle"):
        _forge(entry, _Planted(str(marker)))
    schema_runs.clear()
    assert _shape(RuleBook.load(directory)) == expected
    assert not marker.exists(), "a forged entry executed code"
    assert len(schema_runs) == 2


def test_a_rule_dropped_from_an_entry_is_noticed(tmp_path, folder, schema_runs):
    # The entry keeps the digest of the pack it claims to be, with one rule fewer: validate and the
    # digest stayed clean while the rule silently vanished.
    directory = _copy(tmp_path, "national", "guangdong")
    RuleBook.load(directory)
    (entry,) = _entries(folder, "guangdong")
    tag = hashlib.sha256().digest_size
    digest, (data, positions) = pickle.loads(entry.read_bytes()[tag:])
    dropped = data["rules"].pop(0)["id"]
    _forge(entry, (data, positions))
    schema_runs.clear()
    book = RuleBook.load(directory)
    assert dropped in {r.id for r in book.rulesets["guangdong"].rules}
    assert schema_runs == [str(directory / "guangdong.yaml")]


@pytest.mark.parametrize("how", ["world-writable", "symlink", "other-owner"])
def test_an_entry_that_is_not_the_users_own_regular_file_is_ignored(tmp_path, folder, schema_runs, how):
    directory = _copy(tmp_path, "national", "guangdong")
    RuleBook.load(directory)
    (entry,) = _entries(folder, "guangdong")
    if how == "world-writable":
        entry.chmod(0o666)
    elif how == "symlink":
        elsewhere = tmp_path / "elsewhere.pickle"
        entry.rename(elsewhere)
        entry.symlink_to(elsewhere)
    else:
        if os.getuid() != 0:
            pytest.skip("changing an owner needs root")
        os.chown(entry, 65534, 65534)
    schema_runs.clear()
    RuleBook.load(directory)
    assert schema_runs == [str(directory / "guangdong.yaml")], "the entry was used"


def test_without_a_usable_secret_there_is_no_cache(tmp_path, folder, schema_runs, monkeypatch):
    secret = tmp_path / "secret"
    secret.write_text("00" * 32 + "\n", encoding="ascii")
    secret.chmod(0o644)  # others can read it: refused
    monkeypatch.setenv("ICP_RULES_SECRET_FILE", str(secret))
    directory = _copy(tmp_path, "national")
    RuleBook.load(directory)
    RuleBook.load(directory)
    assert len(schema_runs) == 2 and not list(folder.glob("pack-*.pickle"))
