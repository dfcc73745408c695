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
