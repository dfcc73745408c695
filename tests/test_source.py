from __future__ import annotations

import pytest

from engine.errors import InputError
from engine.source import parse_text


def test_yaml_positions_are_recorded():
    doc = parse_text("a: 1\nb:\n  c: [x, y]\n", "f.yaml")
    assert doc.data == {"a": 1, "b": {"c": ["x", "y"]}}
    assert doc.source.locate(("b", "c", 1)) == (3, 10)
    assert doc.source.locate(("b", "c"), key=True) == (3, 3)


def test_duplicate_yaml_keys_are_an_error_with_location():
    with pytest.raises(InputError) as err:
        parse_text("a: 1\nb: 2\na: 3\n", "dup.yaml")
    assert err.value.line == 3 and "duplicate key 'a'" in str(err.value)


def test_duplicate_json_keys_are_an_error_with_location():
    with pytest.raises(InputError) as err:
        parse_text('{"a": 1,\n "a": 2}', "dup.json")
    assert "duplicate key 'a'" in str(err.value)
    assert err.value.line == 2


@pytest.mark.parametrize("text", [
    "!!python/object/apply:os.system ['echo hi']",
    "a: !!python/name:os.system",
    "a: !custom 1",
])
def test_tags_never_construct_objects(text):
    with pytest.raises(InputError) as err:
        parse_text(text, "t.yaml")
    assert "not allowed" in str(err.value)


def test_dates_stay_text_and_ids_keep_their_spelling():
    doc = parse_text("d: 2024-02-30\nn: 0755\n", "x.yaml")
    assert doc.data["d"] == "2024-02-30"
    assert doc.source.raw[("n",)] == "0755"


def test_alias_bomb_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    with pytest.raises(InputError) as err:
        parse_text(bomb, "bomb.yaml")
    assert "aliases" in str(err.value)


def test_json_nan_is_refused():
    with pytest.raises(InputError):
        parse_text('{"a": NaN}', "n.json")


def test_syntax_errors_have_a_line():
    with pytest.raises(InputError) as err:
        parse_text("a: [1, 2\nb: 3\n", "s.yaml")
    assert err.value.line is not None
    with pytest.raises(InputError) as err:
        parse_text('{"a": 1,', "s.json")
    assert err.value.line == 1


@pytest.mark.parametrize("outer", ["list", "dict"])
def test_json_nesting_is_refused_one_level_past_the_limit(outer):
    from engine.source import MAX_DEPTH

    def nested(levels: int) -> str:
        text = "1"
        for level in range(levels):
            text = f"[{text}, 2]" if (level % 2 == 0) == (outer == "list") else f'{{"a": {text}, "b": []}}'
        return text

    assert parse_text(nested(MAX_DEPTH)).data is not None  # the deepest value sits exactly at the limit
    with pytest.raises(InputError, match=f"nested more than {MAX_DEPTH} levels"):
        parse_text(nested(MAX_DEPTH + 1))


def test_sexagesimal_numbers_are_read_as_yaml_1_1_reads_them():
    import yaml

    text = "a: 1:30\nb: 1:30.5\nc: -2:00:01.5\n"
    assert parse_text(text).data == yaml.safe_load(text) == {"a": 90, "b": 90.5, "c": -7201.5}


# --- issue 13: input that used to crash, hang or read silently wrong ---------------------------

def test_lone_surrogates_are_refused_where_they_are_read():
    from engine import application as application_module
    from engine.source import parse_text

    with pytest.raises(InputError) as err:
        parse_text('{"a": 1,\n "b": ["x\\ud800"]}', "f.json")
    assert (err.value.line, err.value.column, err.value.path) == (2, 10, "$.b[0]")  # the escape itself
    assert "lone surrogate (U+D800)" in str(err.value)
    # A valid pair is one character, and stays
    assert parse_text('{"a": "\\ud83d\\ude00"}').data == {"a": "\U0001f600"}
    # Text handed in by a library caller, as a string or inside a mapping
    with pytest.raises(InputError) as err:
        parse_text("a: x\nb: y\ud800\n", "f.yaml")
    assert (err.value.line, err.value.column) == (2, 5)
    with pytest.raises(InputError) as err:
        application_module.load({"filing_province": "fujian", "subject": {"name": "王\udc00"}})
    assert err.value.path == "$.subject.name"


@pytest.mark.parametrize("text, message", [
    ("a: !!float abc", "'abc' is not a number"),
    ("a: !!float ''", "'' is not a number"),
    ("a: !!bool banana", "'banana' is not true or false"),
    ("a: !!int twelve", "'twelve' is not a whole number"),
    ("a: 0x" + "f" * 5000, "number with more than 100 digits"),
    ("a: 1" + ":1" * 10_000, "number with more than 100 digits"),
])
def test_every_yaml_scalar_is_read_or_refused_with_its_place(text, message):
    from engine.source import parse_text

    with pytest.raises(InputError) as err:
        parse_text(text, "f.yaml")
    assert message in str(err.value)
    assert (err.value.line, err.value.column, err.value.path) == (1, 4, "$.a")


def test_yaml_scalars_that_are_fine_keep_their_values():
    from engine.source import parse_text

    assert parse_text("a: [yes, No, off, 1:30, 0x1F, 1_000, !!float '1.5', !!bool 'true', ~]").data == {
        "a": [True, False, False, 90, 31, 1000, 1.5, True, None]}


def test_only_regular_files_are_read_and_limits_hold_while_reading(tmp_path):
    import os

    from pathlib import Path

    from engine.source import read_bytes

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_bytes(fifo)  # opened without blocking: nobody writes to it
    with pytest.raises(InputError, match="not a regular file"):
        read_bytes(Path("/dev/zero"))
    with pytest.raises(InputError, match="is a directory"):
        read_bytes(tmp_path)
    (tmp_path / "big").write_bytes(b"x" * 100)
    with pytest.raises(InputError, match="over the limit of 99 bytes"):
        read_bytes(tmp_path / "big", 99)
    assert read_bytes(tmp_path / "big", 100) == b"x" * 100


DEEP = {
    "flow sequences": lambda n: "a: " + "[" * n + "]" * n + "\n",
    "flow mappings": lambda n: "a: " + "{b: " * n + "1" + "}" * n + "\n",
    "block mappings": lambda n: "".join(" " * i + "b:\n" for i in range(n)) + " " * n + "1\n",
}


@pytest.mark.parametrize("shape", DEEP)
@pytest.mark.parametrize("depth", [250, 1_500])
@pytest.mark.parametrize("loader", ["libyaml", "pure Python"])
def test_deep_nesting_gets_the_engines_located_message_whichever_layer_refuses(monkeypatch, shape, depth, loader):
    """libyaml refuses 1,000 levels with an error of its own (PyYAML 6.0.4), the pure-Python parser
    never does: either way the user reads the engine's message, at the 201st level."""
    import yaml

    from engine import source

    if loader == "pure Python":
        monkeypatch.setattr(source, "_Loader", yaml.SafeLoader)
    elif not yaml.__with_libyaml__:
        pytest.skip("PyYAML built without libyaml")
    text = DEEP[shape](depth)
    with pytest.raises(InputError) as err:
        source.parse_text(text, "deep.yaml")
    problem = err.value.first
    assert problem.message == f"document is nested more than {source.MAX_DEPTH} levels deep"
    assert problem.file == "deep.yaml" and problem.line is not None and problem.column is not None
    shallow = DEEP[shape](source.MAX_DEPTH - 1)
    source.parse_text(shallow, "shallow.yaml")  # one level inside the limit reads


def test_deep_nesting_after_a_long_head_still_gets_the_engines_message():
    """Past 64 KiB the text is not re-read (the pure-Python parser is slow): the message then points
    where libyaml stopped, in the engine's words."""
    import yaml

    from engine import source

    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML built without libyaml")
    text = "".join(f"k{i}: {i}\n" for i in range(20_000)) + "deep: " + "[" * 1_500 + "]" * 1_500 + "\n"
    with pytest.raises(InputError) as err:
        source.parse_text(text, "deep.yaml")
    assert err.value.first.message == f"document is nested more than {source.MAX_DEPTH} levels deep"
    assert err.value.first.line == 20_001
