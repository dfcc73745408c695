"""Every choice the intake page offers is shown by its name, in Chinese and in English: each enum of
the application schema has a name for each value in engine/names.py (the one value-name table), and
the page's schema carries those names beside the enum."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine import bundled
from engine.messages import LANGS
from engine.names import enum_names


def _enums(schema: Any, path: str = "#") -> Iterator[tuple[str, list[Any]]]:
    if isinstance(schema, dict):
        if "enum" in schema:
            yield path, schema["enum"]
        for key, value in schema.items():
            if key != "enum":
                yield from _enums(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _enums(value, f"{path}/{index}")


ENUMS = list(_enums(bundled.schema("application")))


def test_the_schema_has_enums_to_name():
    paths = [path for path, _ in ENUMS]
    assert "#/properties/apps/items/properties/platforms/items" in paths
    assert "#/properties/documents_on_hand/items/properties/for/properties/kind" in paths


@pytest.mark.parametrize(("path", "values"), ENUMS, ids=[path for path, _ in ENUMS])
def test_every_enum_value_has_a_chinese_and_an_english_name(path, values):
    names = enum_names(values)
    assert names is not None, f"{path}: no table of engine.names.VALUE_NAMES names all of {values}"
    for value in values:
        for lang in LANGS:
            name = names[str(value)].get(lang, "")
            assert name.strip() and name != value, (path, value, lang)


def test_the_page_schema_shows_names_beside_each_enum():
    from engine.intake import _named

    for lang in LANGS:
        named = _named(bundled.schema("application"), lang)
        for path, values in ENUMS:
            node = named
            for part in path.split("/")[1:]:
                node = node[int(part)] if isinstance(node, list) else node[part]
            assert set(node["x-value-names"]) == {str(v) for v in values}, path
        platforms = named["properties"]["apps"]["items"]["properties"]["platforms"]["items"]["x-value-names"]
        assert platforms["android"] == ("安卓" if lang == "zh" else "Android")


def _described(schema: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        if "description" in schema and path != "#":
            yield path, schema
        for key, value in schema.items():
            yield from _described(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _described(value, f"{path}/{index}")


DESCRIBED = list(_described(bundled.schema("application")))


def test_the_schema_describes_fields():
    assert len(DESCRIBED) > 40


@pytest.mark.parametrize(("path", "node"), DESCRIBED, ids=[path for path, _ in DESCRIBED])
def test_every_field_help_has_a_chinese_text(path, node):
    # The page's help under a field is the schema's description (x-description-zh in Chinese, the
    # default): a field with English help only showed none on the Chinese page.
    zh = node.get("x-description-zh", "")
    assert zh.strip() and any("\u4e00" <= ch <= "\u9fff" for ch in zh), path
    assert node["description"].strip() != node.get("title", "").strip(), f"{path}: the help only repeats the label"
