"""Reading JSON and YAML documents safely, remembering where every value came from.

Both applications and rule packs are read here. YAML is composed into nodes by libyaml when
present and turned into plain values by this module, so no tag can construct a Python object,
duplicate keys are an error, and each value's line and column are kept in a ``SourceMap`` for
error messages. JSON is read by the json module (fast path for batch input); its positions are
only worked out when a message needs them.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, Problem, problem
from .suggest import closest
from .text import first_surrogate

if TYPE_CHECKING:  # PyYAML is imported where YAML is read: a JSON check never loads it (~15-20 ms)
    import yaml


def _loader_class() -> Any:
    """libyaml's C loader (several times faster), else PyYAML's pure-Python one."""
    import yaml  # here, not at the top: a JSON document never needs PyYAML

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _Loader(text: str) -> Any:
    return _loader_class()(text)

DEFAULT_MAX_BYTES = 1024 * 1024
MAX_BYTES_ENV = "ICP_RULES_MAX_BYTES"  # the default size limit, for deployments that need another
MAX_DEPTH = 200
MAX_NODES = 200_000
MAX_NUMBER_DIGITS = 100  # longer numbers are never real data, and int() of huge ones is quadratic

PathKey = tuple[Any, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP}


YAML_SUFFIXES = (".yaml", ".yml")  # what a YAML file (a pack, a case file, an application) is called


def json_path(path: PathKey) -> str:
    """``("subject", "certificate", "number")`` -> ``$.subject.certificate.number`` (as written: a
    key shaped like an ID number is masked where a problem is shown, ``errors.shown``)."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def path_key(path: str) -> PathKey:
    """``$.websites[0].name`` -> ``("websites", 0, "name")``: the path of a problem, to locate it
    in a document that holds the same data (a pack's test case, its fixture)."""
    out: list[str | int] = []
    for name, index in _PATH_PART.findall(path[1:] if path.startswith("$") else path):
        out.append(int(index) if index else name)
    return tuple(out)


@dataclass
class SourceMap:
    """Where each value of a document stands, and the raw text of its scalars."""

    file: str | None
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    raw: dict[PathKey, str] = field(default_factory=dict)
    text: str | None = None
    exact_types: bool = False  # JSON: the text itself says what is text and what is a number
    _resolved: bool = False

    def _ensure(self) -> None:
        # JSON documents (and packs read from the cache, which know only some positions) get
        # their positions lazily, by composing the text as YAML once.
        if self._resolved or self.text is None:
            return
        self._resolved = True
        try:
            _, other = _parse_yaml(self.text, self.file)
        except InputError:
            return
        self.positions, self.key_positions, self.raw = other.positions, other.key_positions, other.raw

    def locate(self, path: PathKey, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of the value at ``path`` (or of its key), else of its nearest parent."""
        self._ensure()
        probe = tuple(path)
        while True:
            table = self.key_positions if key and probe in self.key_positions else self.positions
            if probe in table:
                return table[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]
            key = False

    def problem(self, path: PathKey, message_id: str, *, key: bool = False, suggestion: str | None = None,
                severity: str = "error", **args: Any) -> Problem:
        """The problem at ``path``: the message ``message_id`` of engine.messages with ``args``
        (an id the catalogue lacks is a KeyError: every message reads in both languages)."""
        line, column = self.locate(path, key=key)
        return problem(message_id, file=self.file, line=line, column=column, path=json_path(path),
                       suggestion=suggestion, severity=severity, **args)

    def unknown_keys(self, err: Any, message_id: str) -> list[Problem]:
        """One problem ``message_id`` (with ``name``) per unknown key of a JSON Schema
        ``additionalProperties`` error, each at its key with the closest allowed name: jsonschema
        gives one error for all the unknown keys of a mapping (applications and packs alike)."""
        schema = err.schema if isinstance(err.schema, dict) else {}
        allowed = list((schema.get("properties") or {}).keys())
        extra = [str(k) for k in err.instance if k not in allowed] if isinstance(err.instance, dict) else []
        return [self.problem(tuple(err.absolute_path) + (name,), message_id, key=True, name=name,
                             suggestion=closest(name, allowed)) for name in extra]


@dataclass
class Document:
    data: Any
    source: SourceMap


def default_max_bytes() -> int:
    """The input size limit: ``ICP_RULES_MAX_BYTES`` if set, else 1 MiB."""
    value = os.environ.get(MAX_BYTES_ENV)
    if value is None:
        return DEFAULT_MAX_BYTES
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit <= 0:
        raise InputError([problem("max_bytes_env", name=MAX_BYTES_ENV, value=repr(value))])
    return limit


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def unreadable(exc: OSError, name: str) -> InputError:
    """The one wording, for every reader of files, of why a file could not be opened."""
    if isinstance(exc, FileNotFoundError):
        return InputError([problem("no_such_file", file=name)])
    if isinstance(exc, IsADirectoryError):
        return InputError([problem("is_a_directory", file=name)])
    return InputError([problem("cannot_read", file=name, reason=exc.strerror)])


def read_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The file's exact bytes, refused when over ``max_bytes`` (default: ``default_max_bytes()``).

    Only a regular file is read (after following symlinks): a FIFO would block for ever and a
    device such as /dev/zero never ends. The limit is checked while reading, so a file that grows
    (or lies about its size) costs at most ``max_bytes`` + 1 bytes of memory."""
    name = str(path)
    if max_bytes is None:
        max_bytes = default_max_bytes()
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before fstat.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise unreadable(exc, name) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError([problem("is_a_directory", file=name)])
        if not stat.S_ISREG(info.st_mode):
            raise InputError([problem("not_regular_file", file=name, kind=_file_kind(info.st_mode))])
        if info.st_size > max_bytes:
            raise InputError([problem("file_too_large", file=name, size=info.st_size, limit=max_bytes, env=MAX_BYTES_ENV)])
        parts: list[bytes] = []
        size = 0
        while True:
            part = os.read(fd, min(max_bytes + 1 - size, 1 << 20))
            if not part:
                break
            parts.append(part)
            size += len(part)
            if size > max_bytes:  # the file grew while it was read
                raise InputError([problem("file_grew", file=name, limit=max_bytes, env=MAX_BYTES_ENV)])
    except OSError as exc:
        raise unreadable(exc, name) from None
    finally:
        os.close(fd)
    return b"".join(parts)


def _file_kind(mode: int) -> str:
    for test, word in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return word
    return "not a file"


def decode_text(raw: bytes, name: str | None) -> str:
    """A file's bytes as text: UTF-8 (a byte-order mark is dropped); binary or other encodings refused."""
    if b"\x00" in raw:
        raise InputError([problem("binary_file", file=name)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start].decode("utf-8", "replace")
        line, column = _position(prefix, len(prefix))
        raise InputError([problem("not_utf8", file=name, line=line, column=column, byte=exc.start)]) from None


def read_text(path: Path, max_bytes: int | None = None) -> str:
    return decode_text(read_bytes(path, max_bytes), str(path))


def load_file(path: str | os.PathLike[str], max_bytes: int | None = None) -> Document:
    """Read a JSON or YAML file."""
    p = Path(path)
    return parse_text(read_text(p, max_bytes), str(p))


def parse_text(text: str, file: str | None = None, *, duplicates: list[Problem] | None = None) -> Document:
    """Parse JSON when the text looks like a JSON object, YAML otherwise."""
    _refuse_surrogate(text, file)
    if not text.strip():
        raise InputError([problem("empty_document", file=file, line=1, column=1)])
    if text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant,
                              parse_float=_float, parse_int=_int)
        except _DuplicateKey as exc:
            _parse_yaml(text, file)  # raises the same complaint with its line and column
            raise InputError([problem("duplicate_key", file=file, key=exc.key)]) from None
        except _BadConstant as exc:
            line, column = _token_position(text, exc.name)
            raise InputError([problem(exc.message_id, file=file, line=line, column=column, **exc.args_)]) from None
        except json.JSONDecodeError as exc:
            raise InputError([problem("invalid_json", file=file, line=exc.lineno, column=exc.colno, detail=exc.msg)]) from None
        except RecursionError:
            raise InputError([problem("too_deep", file=file)]) from None
        _check_depth(data, file)
        document = Document(data, SourceMap(file, text=text, exact_types=True))
    else:
        data, source = _parse_yaml(text, file, duplicates)
        document = Document(data, source)
    if _ESCAPED_SURROGATE.search(text):  # only an escape (\ud800) can still make one
        refuse_lone_surrogates(document)
    return document


# A lone surrogate is half of a UTF-16 pair: no character, and UTF-8 cannot write it out again.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?|\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _refuse_surrogate(text: str, file: str | None) -> None:
    at = first_surrogate(text)
    if at >= 0:
        line, column = _position(text, at)
        raise InputError([problem("surrogate_text", file=file, line=line, column=column, code=f"{ord(text[at]):04X}")])


def refuse_lone_surrogates(document: Document) -> None:
    """Refuse a document whose escapes (JSON's \\ud800, YAML's "\\ud800") made a lone surrogate:
    the field's path from the values, its line and column from the first unpaired escape."""
    stack: list[tuple[PathKey, Any]] = [((), document.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            at = first_surrogate(value)
            if at >= 0:
                _refuse_at(document, path, "surrogate_text", code=f"{ord(value[at]):04X}")
        elif isinstance(value, dict):
            for key, inner in value.items():
                at = first_surrogate(key)
                if at >= 0:  # the key itself cannot be shown: its parent is named
                    _refuse_at(document, path, "surrogate_key", code=f"{ord(key[at]):04X}")
            stack.extend(reversed([(path + (key,), inner) for key, inner in value.items()]))
        elif isinstance(value, list):  # reversed: the first surrogate in the text is the one found
            stack.extend(reversed([(path + (index,), inner) for index, inner in enumerate(value)]))


def _refuse_at(document: Document, path: PathKey, message_id: str, **args: Any) -> None:
    found = document.source.problem(path, message_id, **args)
    text = document.source.text or ""
    unpaired = next((m for m in _SURROGATE_ESCAPE.finditer(text) if m.group(1) is None or m.group(2) is None), None)
    if found.line is None and unpaired is not None:
        line, column = _position(text, unpaired.start())
        found = dataclasses.replace(found, line=line, column=column)
    raise InputError([found])


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


class _BadConstant(ValueError):
    def __init__(self, name: str, message_id: str, **args: Any):
        super().__init__(message_id)
        self.name, self.message_id, self.args_ = name, message_id, args


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise _BadConstant(name, "json_constant", value=name)


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _BadConstant(text, "json_huge_number", value=text[:40])
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _BadConstant(text, "json_long_number", digits=MAX_NUMBER_DIGITS)
    return int(text)


def _token_position(text: str, token: str) -> tuple[int | None, int | None]:
    """Where ``token`` first stands outside a JSON string (the json module does not say)."""
    in_string = escaped = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif text.startswith(token, index) and not (text[index - 1:index].isalnum() if index else False):
            return _position(text, index)
        index += 1
    return None, None


def _check_depth(data: Any, file: str | None) -> None:
    """Refuse a parsed JSON document with a value nested deeper than MAX_DEPTH.

    Level by level, without a tuple per value: this runs on every line of a batch.
    """
    level, depth = [data], 0
    while level:
        if depth > MAX_DEPTH:
            raise InputError([problem("too_deep_levels", file=file, levels=MAX_DEPTH)])
        deeper: list[Any] = []
        for value in level:
            if isinstance(value, dict):
                deeper += value.values()
            elif isinstance(value, list):
                deeper += value
        level, depth = deeper, depth + 1


def _parse_yaml(text: str, file: str | None, duplicates: list[Problem] | None = None) -> tuple[Any, SourceMap]:
    source = SourceMap(file, text=text)
    source._resolved = True
    try:
        return _build_plain(text, source), source
    except Exception:  # anything unusual, or wrong: the general path below handles and reports it
        pass
    return _parse_composed(text, file, duplicates)


def _parse_composed(text: str, file: str | None, duplicates: list[Problem] | None = None) -> tuple[Any, SourceMap]:
    """The general path: compose nodes, then build values (aliases, tags, every error)."""
    import yaml  # here, not at the top: a JSON document never needs PyYAML
    source = SourceMap(file, text=text)
    source._resolved = True
    try:
        nodes = list(_compose_all(text))
    except yaml.MarkedYAMLError as exc:
        _refuse_if_too_deep(text, exc, file)
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise InputError([yaml_syntax_problem(text, file, mark.line if mark else None, mark.column if mark else None,
                                              message)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids, e.g. a control character
        line, column = _position(text, exc.position)
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        raise InputError([problem("yaml_control_char", file=file, line=line, column=column, code=f"{code:#06x}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([problem("invalid_yaml", file=file, detail=str(exc))]) from None
    except _TooDeep as exc:
        raise InputError([problem("too_deep_levels", file=file, line=exc.mark.line + 1, column=exc.mark.column + 1,
                                  levels=MAX_DEPTH)]) from None
    if not nodes:
        raise InputError([problem("empty_document", file=file, line=1, column=1)])
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        raise InputError([problem("several_documents", file=file, line=mark.line + 1, column=mark.column + 1)])
    builder = _Builder(source)
    data = builder.build(nodes[0], ())
    if builder.duplicates:
        found = sorted(builder.duplicates, key=lambda p: (p.line or 0, p.column or 0))
        if duplicates is None:
            raise InputError(found)
        duplicates.extend(found)
    return data, source


# A key at the start of a line (after a list's dash) followed by a full-width colon, or by a colon
# with no space after it (not a URL's "://"): YAML reads either as text, not as a key.
_KEY_COLON = re.compile(r"^([ \t]*(?:-[ \t]+)?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*(：|:(?![ \t]|$|//))")


def _colon_mistake(text: str, line: int) -> "tuple[str, int, int, str] | None":
    """(message id, line, column, key) of a key written ``key：value`` or ``key:value`` on the
    0-based ``line`` or the line before it (where PyYAML may point), if either is there."""
    lines = text.splitlines()
    for index in (line, line - 1):
        if 0 <= index < len(lines):
            found = _KEY_COLON.match(lines[index])
            if found is not None:
                message_id = "yaml_fullwidth_colon" if found.group(3) == "：" else "yaml_colon_space"
                return message_id, index + 1, found.start(3) + 1, found.group(2)
    return None


def yaml_syntax_problem(text: str, file: str | None, line: "int | None", column: "int | None", detail: str) -> Problem:
    """The problem a YAML parser's complaint at the 0-based ``line`` and ``column`` stands for: a tab in the
    indentation, a key with a full-width colon or no space after its colon (each with its hint,
    worked out from the text, not the parser's wording), else the parser's ``detail``."""
    at_line = None if line is None else line + 1
    at_column = None if line is None or column is None else column + 1
    if line is not None and _tab_in_indentation(text, line):
        return problem("yaml_tab", file=file, line=at_line, column=at_column)
    colon = _colon_mistake(text, line) if line is not None else None
    if colon is not None:
        message_id, at_line, at_column, key = colon
        return problem(message_id, file=file, line=at_line, column=at_column, key=key)
    return problem("invalid_yaml", file=file, line=at_line, column=at_column, detail=detail)


def _tab_in_indentation(text: str, line: int) -> bool:
    """Whether a tab indents the 0-based ``line`` or the line before it (where PyYAML may point)."""
    lines = text.splitlines()
    for index in (line, line - 1):
        if 0 <= index < len(lines):
            body = lines[index]
            if "\t" in body[: len(body) - len(body.lstrip(" \t"))]:
                return True
    return False


class _Unusual(Exception):
    """The document needs the general path (``_parse_composed``)."""


_MERGE_KEY = "<<"


def _build_plain(text: str, source: SourceMap) -> Any:
    """The common case in one pass over libyaml's events: one document of plain data, no anchors,
    aliases, explicit tags, merge keys, duplicate or non-text keys, and within the limits.

    Builds exactly what ``_parse_composed`` would (values, positions, raw scalar text) without
    composing nodes first, which costs about as much as libyaml's parsing itself. Anything
    else raises (``_Unusual``, or libyaml's own error) and the general path starts again from
    the text, so every error is found and worded in one place.
    """
    import yaml  # here, not at the top: a JSON document never needs PyYAML
    loader = _Loader(text)
    try:
        get_event = loader.get_event
        resolve = loader.resolve
        positions, key_positions, raw = source.positions, source.key_positions, source.raw
        if type(get_event()) is not yaml.StreamStartEvent or type(get_event()) is not yaml.DocumentStartEvent:
            raise _Unusual
        # One frame per open collection: [container, path, is_mapping, key waiting for its value].
        frames: list[list[Any]] = []
        count = 0
        result: Any = None
        while True:
            event = get_event()
            kind = type(event)
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frames.pop()
                if frames:
                    continue
                break
            if event.anchor is not None:  # AliasEvent has one too
                raise _Unusual
            if frames:
                frame = frames[-1]
                container = frame[0]
                if frame[2]:
                    key = frame[3]
                    if key is None:  # this node is a key
                        if kind is not yaml.ScalarEvent or event.tag is not None:
                            raise _Unusual
                        key = event.value
                        if key in container or (key == _MERGE_KEY and event.implicit[0]):
                            raise _Unusual
                        container[key] = None
                        mark = event.start_mark
                        key_positions[frame[1] + (key,)] = (mark.line + 1, mark.column + 1)
                        frame[3] = key
                        continue
                    frame[3] = None
                    path = frame[1] + (key,)
                else:
                    key = len(container)
                    container.append(None)
                    path = frame[1] + (key,)
            else:
                if kind is yaml.StreamEndEvent or kind is yaml.DocumentEndEvent:
                    raise _Unusual
                container, key, path = None, None, ()
            count += 1
            if count > MAX_NODES:
                raise _Unusual
            mark = event.start_mark
            positions[path] = (mark.line + 1, mark.column + 1)
            if kind is yaml.ScalarEvent:
                tag = event.tag
                if tag is None:
                    tag = resolve(yaml.ScalarNode, event.value, event.implicit) if event.implicit[0] else _STR
                value = _plain_scalar(tag, event.value, path, raw)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.tag is not None or len(frames) >= MAX_DEPTH:
                    raise _Unusual
                is_mapping = kind is yaml.MappingStartEvent
                value = {} if is_mapping else []
                frames.append([value, path, is_mapping, None])
            else:
                raise _Unusual
            if container is None:
                result = value
                if not frames:
                    break
            else:
                container[key] = value
        if type(get_event()) is not yaml.DocumentEndEvent or type(get_event()) is not yaml.StreamEndEvent:
            raise _Unusual  # several documents: the general path composes them all and says so
        return result
    finally:
        loader.dispose()


class _BadScalar(Exception):
    """A scalar its tag cannot read (``!!float abc``, ``!!bool banana``) or too long to be a number:
    a message id of engine.messages and its arguments."""

    def __init__(self, message_id: str, **args: Any):
        super().__init__(message_id)
        self.message_id, self.args_ = message_id, args


_TRUE = frozenset({"yes", "true", "on", "y"})
_FALSE = frozenset({"no", "false", "off", "n"})
_NULLS = frozenset({"", "~", "null"})


def _scalar_value(tag: str, value: str) -> Any:
    """The value of a scalar whose tag is allowed: text (dates too: they stay ISO text, exactly as
    they would arrive in JSON, and are checked later), null, bool, int or a usable float.

    Every branch takes time linear in the scalar's length: a number is refused by its length
    before int() or a sexagesimal sum (quadratic in the digits) could see it."""
    if tag == _STR or tag == _TIMESTAMP:
        return value
    lowered = value.lower()
    if tag == _NULL:
        if lowered not in _NULLS:
            raise _BadScalar("yaml_not_null", value=value)
        return None
    if tag == _BOOL:
        if lowered in _TRUE:
            return True
        if lowered not in _FALSE:
            raise _BadScalar("yaml_not_bool", value=value)
        return False
    if len(value) - value.count("_") > MAX_NUMBER_DIGITS + 3:  # sign and 0x: room for 100 digits
        raise _BadScalar("json_long_number", digits=MAX_NUMBER_DIGITS)
    if tag == _INT:
        try:
            return _yaml_int(value)
        except ValueError:
            raise _BadScalar("yaml_not_int", value=value) from None
    try:
        number = _yaml_float(value)
    except ValueError:
        raise _BadScalar("yaml_not_number", value=value) from None
    if math.isnan(number) or math.isinf(number):
        raise _BadScalar("not_usable_number", value=value)
    return number


def _plain_scalar(tag: str, value: str, path: PathKey, raw: dict[PathKey, str]) -> Any:
    """``_Builder._scalar`` for the plain path: the same values, ``_Unusual`` where it would fail."""
    if tag not in _SCALAR_TAGS:
        raise _Unusual
    if tag != _STR and tag != _TIMESTAMP:
        raw[path] = value
    try:
        return _scalar_value(tag, value)
    except _BadScalar:
        raise _Unusual from None



def _refuse_if_too_deep(text: str, exc: yaml.MarkedYAMLError, file: str | None) -> None:
    """Give the engine's own nesting message when libyaml refused the text for nesting too deeply.

    libyaml (as bundled with PyYAML 6.0.4) stops at 1,000 flow or indentation levels with an
    error of its own, before our composer sees the 201st level: whichever layer refuses, the user
    must get the engine's message. That needs no reading of libyaml's wording: 1,000 levels before
    the error need at least 1,000 opening brackets or an indentation of 1,000 columns. Then the
    text up to the error is composed again by PyYAML's pure-Python parser (no limit of its own), so
    the message points at the 201st level as it would for shallower text. That parser is slow
    (seconds for a megabyte), so a long head is not re-read: the message then points where libyaml
    stopped.
    """
    import yaml  # here, not at the top: a JSON document never needs PyYAML

    mark = exc.problem_mark or exc.context_mark
    if _loader_class() is yaml.SafeLoader or mark is None:
        return  # the pure-Python parser refused: our own check would have spoken first
    head = text[:mark.index + 1]
    if head.count("[") + head.count("{") <= MAX_DEPTH and not _INDENTED_DEEPER.search(head):
        return
    line, column = mark.line + 1, mark.column + 1
    if len(head) <= _REREAD_AT_MOST:
        try:
            for _ in _compose_all(head, yaml.SafeLoader):
                pass
        except _TooDeep as deep:
            line, column = deep.mark.line + 1, deep.mark.column + 1
        except yaml.YAMLError:
            return  # not nested too deeply after all: libyaml's complaint is the one to report
        else:
            return
    raise InputError([problem("too_deep_levels", file=file, line=line, column=column, levels=MAX_DEPTH)]) from None


_REREAD_AT_MOST = 64 * 1024
_INDENTED_DEEPER = re.compile(r"^[ -]{%d}" % (MAX_DEPTH + 1), re.MULTILINE)


def _compose_all(text: str, loader_class: type | None = None) -> Iterator[yaml.Node]:
    """Compose YAML documents into nodes from libyaml's events, without recursion.

    libyaml's own composer recurses once per nesting level in C: 100,000 nested brackets overflow
    the C stack and kill the process. Events come from libyaml's iterative parser; nodes are
    assembled here on an explicit stack that refuses to grow past MAX_DEPTH.
    """
    import yaml  # here, not at the top: a JSON document never needs PyYAML

    loader = (loader_class or _Loader)(text)
    try:
        loader.get_event()  # stream start
        while not loader.check_event(yaml.StreamEndEvent):
            loader.get_event()  # document start
            yield _compose_document(loader)
            loader.get_event()  # document end
    finally:
        loader.dispose()


class _TooDeep(Exception):
    def __init__(self, mark: Any):
        super().__init__(mark)
        self.mark = mark


def _mark(mark: Any) -> Any:
    """libyaml's C marks carry the same line/column as yaml.Mark; the stubs type them apart."""
    return mark


def _compose_document(loader: Any) -> yaml.Node:
    import yaml  # here, not at the top: a JSON document never needs PyYAML
    anchors: dict[str, yaml.Node] = {}
    open_nodes: list[yaml.Node] = []
    pending_keys: list[yaml.Node | None] = []
    while True:
        event = loader.get_event()
        node: yaml.Node
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise yaml.composer.ComposerError(None, None, f"found undefined alias '{event.anchor}'", _mark(event.start_mark))
            node = anchors[event.anchor]
        elif isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            node = yaml.ScalarNode(tag, event.value, _mark(event.start_mark), _mark(event.end_mark), style=event.style)
            if event.anchor is not None:
                anchors[event.anchor] = node
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(open_nodes) >= MAX_DEPTH:
                raise _TooDeep(event.start_mark)
            kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(kind, None, event.implicit)
            node = kind(tag, [], _mark(event.start_mark), None, flow_style=event.flow_style)
            if event.anchor is not None:
                anchors[event.anchor] = node
            open_nodes.append(node)
            pending_keys.append(None)
            continue
        else:  # the end of the innermost open collection
            node = open_nodes.pop()
            pending_keys.pop()
            node.end_mark = event.end_mark
        if not open_nodes:
            return node
        parent = open_nodes[-1]
        if isinstance(parent, yaml.SequenceNode):
            parent.value.append(node)
        elif pending_keys[-1] is None:
            pending_keys[-1] = node
        else:
            parent.value.append((pending_keys[-1], node))
            pending_keys[-1] = None


class _Builder:
    """Turns composed YAML nodes into JSON-like values, recording positions on the way.

    Iterative over an explicit stack, so deep nesting is bounded by MAX_DEPTH, not by
    Python's recursion limit; aliases count towards MAX_NODES, which defuses alias bombs.
    """

    def __init__(self, source: SourceMap):
        self.source = source
        self.count = 0
        # Duplicate keys are collected rather than raised at once, so an author sees every one in a run.
        self.duplicates: list[Problem] = []

    def _fail(self, node: yaml.Node, message_id: str, path: PathKey | None = None, **args: Any) -> InputError:
        """The problem ``message_id`` (of engine.messages) at ``node``."""
        mark = node.start_mark
        where = {"file": self.source.file, "line": mark.line + 1, "column": mark.column + 1,
                 "path": json_path(path) if path is not None else ""}
        return InputError([problem(message_id, **where, **args)])  # type: ignore[arg-type]

    def build(self, root: yaml.Node, root_path: PathKey) -> Any:
        import yaml  # here, not at the top: a JSON document never needs PyYAML
        result: dict[str, Any] = {}
        # Each task fills container[slot] with the value of node at path.
        stack: list[tuple[yaml.Node, PathKey, Any, Any, int]] = [(root, root_path, result, "root", 0)]
        while stack:
            node, path, container, slot, depth = stack.pop()
            self.count += 1
            if self.count > MAX_NODES:
                raise self._fail(node, "too_many_values", count=MAX_NODES)
            if depth > MAX_DEPTH:
                raise self._fail(node, "too_deep_levels", levels=MAX_DEPTH)
            mark = node.start_mark
            self.source.positions[path] = (mark.line + 1, mark.column + 1)
            if isinstance(node, yaml.ScalarNode):
                container[slot] = self._scalar(node, path)
            elif isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ:
                    raise self._fail(node, "yaml_tag", tag=node.tag)
                items: list[Any] = [None] * len(node.value)
                container[slot] = items
                for index in range(len(node.value) - 1, -1, -1):
                    stack.append((node.value[index], path + (index,), items, index, depth + 1))
            elif isinstance(node, yaml.MappingNode):
                if node.tag != _MAP:
                    raise self._fail(node, "yaml_tag", tag=node.tag)
                mapping: dict[str, Any] = {}
                container[slot] = mapping
                pending = []
                for key_node, value_node in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        raise self._fail(key_node, "yaml_merge_key")
                    if not isinstance(key_node, yaml.ScalarNode):
                        raise self._fail(key_node, "yaml_key_not_text")
                    key = key_node.value
                    if key in mapping:
                        first = self.source.key_positions.get(path + (key,), (None, None))[0]
                        kmark = key_node.start_mark
                        self.duplicates.append(problem("duplicate_key_at", file=self.source.file, line=kmark.line + 1,
                                                       column=kmark.column + 1, path=json_path(path + (key,)),
                                                       key=key, first=first))
                        continue
                    mapping[key] = None
                    kmark = key_node.start_mark
                    self.source.key_positions[path + (key,)] = (kmark.line + 1, kmark.column + 1)
                    pending.append((value_node, path + (key,), mapping, key, depth + 1))
                stack.extend(reversed(pending))
            else:  # pragma: no cover - yaml has no other node kinds
                raise self._fail(node, "yaml_node")
        return result["root"]

    def _scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        tag, value = node.tag, node.value
        if tag not in _SCALAR_TAGS:
            raise self._fail(node, "yaml_tag", tag=tag)
        if tag != _STR and tag != _TIMESTAMP:
            self.source.raw[path] = value
        try:
            return _scalar_value(tag, value)
        except _BadScalar as exc:
            raise self._fail(node, exc.message_id, path, **exc.args_) from None


def _yaml_int(text: str) -> int:
    text = text.replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if text.startswith("0b"):
        return sign * int(text[2:], 2)
    if text.startswith("0x"):
        return sign * int(text[2:], 16)
    if text.startswith("0") and len(text) > 1 and ":" not in text:
        return sign * int(text, 8)
    if ":" in text:  # sexagesimal, YAML 1.1
        total = 0
        for part in text.split(":"):
            total = total * 60 + int(part)
        return sign * total
    return sign * int(text)


def _yaml_float(text: str) -> float:
    lowered = text.lower().replace("_", "")
    if lowered in (".nan",):
        return math.nan
    if lowered in (".inf", "+.inf"):
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    if ":" in lowered:  # sexagesimal, YAML 1.1 (1:30.5 is 90.5), as _yaml_int reads 1:30
        sign = -1.0 if lowered.startswith("-") else 1.0
        *whole, last = lowered.lstrip("+-").split(":")
        total = 0.0
        for part in whole:
            total = total * 60 + int(part)
        return sign * (total * 60 + float(last))
    return float(lowered)
