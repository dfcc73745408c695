"""The user cache (engine/cache.py): used when sound, rebuilt when missing or corrupt, never trusted blindly."""

from __future__ import annotations

import os

import pytest

from engine import cache


@pytest.fixture
def folder(tmp_path, monkeypatch):
    target = tmp_path / "cache"
    monkeypatch.setenv("ICP_RULES_CACHE_DIR", str(target))
    return target


def _counting():
    calls = []

    def build():
        calls.append(1)
        return {"value": len(calls)}

    return calls, build


def test_a_value_is_built_once_then_read_back(folder):
    calls, build = _counting()
    assert cache.cached("thing", [b"v1"], build) == {"value": 1}
    assert cache.cached("thing", [b"v1"], build) == {"value": 1}
    assert len(calls) == 1
    assert cache.cached("thing", [b"v2"], build) == {"value": 2}, "another key must never reuse the old value"


def test_a_corrupt_entry_is_rebuilt(folder):
    calls, build = _counting()
    cache.cached("thing", [b"k"], build)
    for entry in folder.glob("thing-*.pickle"):
        entry.write_bytes(b"\x80\x05garbage")
    assert cache.cached("thing", [b"k"], build) == {"value": 2}
    assert cache.cached("thing", [b"k"], build) == {"value": 2}


def test_off_and_untrusted_directories_are_not_used(folder, monkeypatch):
    calls, build = _counting()
    monkeypatch.setenv("ICP_RULES_CACHE_DIR", "off")
    cache.cached("thing", [b"k"], build)
    cache.cached("thing", [b"k"], build)
    assert len(calls) == 2
    monkeypatch.setenv("ICP_RULES_CACHE_DIR", str(folder))
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)  # writable by others: a pickle from there could be anyone's
    cache.cached("thing", [b"k"], build)
    cache.cached("thing", [b"k"], build)
    assert len(calls) == 4 and not list(folder.glob("*.pickle"))


def test_the_public_suffix_list_comes_from_the_cache(folder):
    from engine import facts

    facts._psl.cache_clear()
    first = facts._psl()
    facts._psl.cache_clear()
    second = facts._psl()
    assert list(folder.glob("public-suffix-list-*.pickle"))
    assert first.publicsuffix("例子.中国") == second.publicsuffix("例子.中国") == "中国"
    assert second.privatesuffix("www.example.com.cn") == "example.com.cn"
