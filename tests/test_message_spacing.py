"""Chinese messages follow one spacing rule, the one most of the catalogue was written to: a space
between a Chinese character and an ASCII letter or digit (不能小于 3, 缺少 national.yaml), none
between two Chinese characters. Every entry is rendered with values of either script, so neither
the catalogue's text nor the seams where values go can drift from it."""

from __future__ import annotations

import itertools
import re
import string

import pytest

from engine import messages
from engine.errors import problem

HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
BROKEN = re.compile(f"(?:{HAN}[A-Za-z0-9]|[A-Za-z0-9]{HAN}|{HAN} +{HAN})")

# A value of each kind, in Latin and in Chinese (and, for vocabularies, a key it names and one it does not).
LATIN, CHINESE = "x1", "值"
NESTED = [("n_problems", (("count", 2),)), ("lint_effect_footer", ()), None]  # 2 个问题, 页脚, nothing


def _samples(spec: str) -> list[object]:
    if spec in ("", "type"):
        return [LATIN, CHINESE, 7, "boolean", "string"]
    if spec == "types":
        return [["string", "boolean"], ["boolean", "string"], ["integer"]]
    if spec in ("list", "list_or_none", "and"):
        return [[LATIN, "y2"], [CHINESE, "名"], [], [LATIN, CHINESE]]
    if spec == "pack":
        return ["guangdong", "national", LATIN]
    if spec == "packs":
        return [["guangdong", "national"], [LATIN], []]
    if spec == "message":
        return NESTED
    if spec in ("messages", "lines"):
        return [[n for n in NESTED if n]]
    if spec == "versus":
        return [[(("lint_effect_footer", ()), "True", "False"), (("lint_effect_limit", (("document", ("doc", ())),
                                                                                         ("name", "max_age_days"))), "30", "60")]]
    if spec == "named":
        return [(LATIN, (("zh", CHINESE), ("en", "Name"))), (LATIN, ())]
    if spec == "line_note":
        return [3, None]
    if spec == "differ":
        return [[LATIN], [LATIN, CHINESE]]
    if spec == "written":
        return [("string", LATIN), ("string", CHINESE), ("number", "31"), ("boolean", "true"), ("null", ""), ("array", "")]
    if spec == "named_list":
        return [[(LATIN, (("zh", CHINESE), ("en", "Name"))), (LATIN, ())], []]
    if spec == "problems":
        return [[problem("unknown_field", name=LATIN, file="a.yaml", line=1, column=2, path="$.x")]]
    vocabulary_name = spec[:-1] if spec.endswith("s") and spec[:-1] in messages._VOCABULARY else spec
    keys = list(messages._VOCABULARY[vocabulary_name]["zh"])[:3] + [LATIN, CHINESE]
    return [keys] if vocabulary_name != spec else keys


def _renderings(template: str):
    fields = sorted({(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None})
    choices = [_samples(spec) for _, spec in fields]
    # every field's every sample, with the other fields at each of their samples in turn (not every product)
    for turn in range(max((len(c) for c in choices), default=1)):
        yield {name: options[turn % len(options)] for (name, _), options in zip(fields, choices)}
    for index, options in enumerate(choices):
        for option in options:
            args = {name: choices[i][0] for i, (name, _) in enumerate(fields)}
            args[fields[index][0]] = option
            yield args


@pytest.mark.parametrize("message_id", sorted(messages.MESSAGES))
def test_every_chinese_message_spaces_latin_words_and_numbers(message_id):
    template = messages.MESSAGES[message_id]["zh"]
    for args in _renderings(template):
        text = messages.text(message_id, "zh", args)
        found = BROKEN.search(text)
        assert found is None, f"{message_id}: {found.group(0)!r} in {text!r} (args {args})"


def test_the_rule_is_the_one_most_of_the_catalogue_was_written_to():
    """Counted in the catalogue's own text: spaced seams outnumber unspaced ones by far."""
    spaced = unspaced = 0
    for entry in messages.MESSAGES.values():
        literal = re.sub(r"\{[^}]*\}", "\x00", entry["zh"])
        spaced += len(re.findall(f"{HAN} [A-Za-z0-9]|[A-Za-z0-9] {HAN}", literal))
        unspaced += len(re.findall(f"{HAN}[A-Za-z0-9]|[A-Za-z0-9]{HAN}", literal))
    assert spaced > 100 and unspaced == 0


def test_seams_are_spaced_and_values_left_as_written():
    assert messages.text("wrong_type", "zh", {"expected": ["string", "boolean"], "found": "boolean"}) \
        == "应为文本或 true 或 false，实为 true 或 false"
    assert messages.text("validate_problems", "zh", {"count": ("n_problems", (("count", 2),))}) == "发现 2 个问题"
    # a value a person wrote keeps its own spacing, whatever its script
    assert messages.text("unknown_field", "zh", {"name": "网站2 号"}) == "未知字段“网站2 号”"
    assert messages.text("at_least", "zh", {"minimum": "一", "value": "三"}) == "不能小于一，实为三"
    # English is left as written
    assert messages.text("wrong_type", "en", {"expected": ["string", "boolean"], "found": "boolean"}) \
        == "expected text or true or false, found true or false"


def test_a_seam_keeps_a_wider_space_the_catalogue_wrote():
    assert messages.spaced([("1,000", False), (" 行  ", True), ("12", False), (" 份/秒", True)]) == "1,000 行  12 份/秒"
    assert list(itertools.islice(_renderings("{a} {b:list}"), 1))  # the sampler covers every field
