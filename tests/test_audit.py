"""Decision records: appended, never truncated, personal data masked, same input -> same hash."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine import RuleBook
from engine.audit import AuditLog, record
from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SICHUAN = ROOT / "examples" / "sichuan-trading-company.yaml"
FUJIAN = ROOT / "examples" / "fujian-individual-cross-province.yaml"


def test_check_appends_one_record_per_evaluation_and_never_truncates(tmp_path):
    audit = tmp_path / "decisions.jsonl"
    audit.write_text('{"kept": true}', encoding="utf-8")  # an earlier record cut short of its newline
    runner = CliRunner()
    assert runner.invoke(cli, ["check", str(SICHUAN), "--audit", str(audit)]).exit_code == 1
    assert runner.invoke(cli, ["check", str(FUJIAN), "--audit", str(audit), "--format", "json"]).exit_code == 0
    lines = audit.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"kept": True}
    first, second = (json.loads(line) for line in lines[1:])
    book = RuleBook.load()
    expected = book.evaluate(SICHUAN)
    assert first["application_id"] == "SC-2024-0003" and first["pack"] == expected.pack
    assert first["required_documents"] == [d.id for d in expected.required_documents]
    assert first["findings"] == ["document_too_old"] and first["blocking"] is True
    assert first["input_hash"].startswith("hmac-sha256:") and first["input_hash"] != second["input_hash"]
    assert second["subject"] == {"type": "individual", "certificate": "440************782"}
    text = audit.read_text(encoding="utf-8")
    assert "440106199203156782" not in text and "王芳" not in text  # no certificate number, no name


def test_the_input_hash_depends_on_the_input_only(tmp_path):
    book = RuleBook.load()
    a = record(book.evaluate(FUJIAN))
    b = record(book.evaluate(FUJIAN, as_of="2025-01-01"))
    assert a["input_hash"] == b["input_hash"] and a["evaluated_on"] != b["evaluated_on"]
    assert record(book.evaluate(SICHUAN))["input_hash"] != a["input_hash"]


def test_audit_refuses_a_directory_or_an_input(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(SICHUAN), "--audit", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 2 and "directory" in result.output
    copy = tmp_path / "app.yaml"
    copy.write_text(SICHUAN.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(cli, ["check", str(copy), "--audit", str(copy), "--lang", "en"])
    assert result.exit_code == 2 and "input file" in result.output
    assert copy.read_text(encoding="utf-8") == SICHUAN.read_text(encoding="utf-8")


def test_many_threads_write_whole_lines(tmp_path):
    import threading

    path = tmp_path / "a.jsonl"
    log = AuditLog(path)
    entry = {"x": "y" * 5000}

    def write():
        for _ in range(50):
            log.write(entry)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400 and all(json.loads(line) == entry for line in lines)


def test_a_check_that_cannot_write_its_output_records_no_decision(tmp_path):
    audit = tmp_path / "decisions.jsonl"
    existing = tmp_path / "checklist.md"
    existing.write_text("the clerk's own notes", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(FUJIAN), "--audit", str(audit), "-o", str(existing), "--lang", "en"])
    assert result.exit_code == 2 and "exists" in result.output
    assert existing.read_text(encoding="utf-8") == "the clerk's own notes"
    assert not audit.exists() or audit.read_text(encoding="utf-8") == ""


# --- issue 13: the audit file and the output -------------------------------------------------

def test_the_output_and_the_audit_cannot_be_one_file(tmp_path):
    target = tmp_path / "same.md"
    result = CliRunner().invoke(cli, ["check", str(SICHUAN), "-o", str(target), "--audit", str(target), "--lang", "en"])
    assert result.exit_code == 2 and "-o and --audit must be different files" in result.output
    assert not target.exists()


def test_an_audit_file_that_is_a_device_is_refused_with_a_message():
    result = CliRunner().invoke(cli, ["check", str(SICHUAN), "--audit", "/dev/full", "--lang", "en"])
    assert result.exit_code == 2 and "/dev/full" in result.output and "not a regular file" in result.output


def test_a_full_disk_while_recording_is_an_input_error(tmp_path, monkeypatch):
    import errno
    import os

    import pytest

    from engine.errors import InputError

    log = AuditLog(tmp_path / "audit.jsonl")

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(InputError) as err:
        log.write({"a": 1})
    assert "cannot write the audit record" in str(err.value)
    monkeypatch.undo()
    log.write({"b": 2})
    log.close()
    assert (tmp_path / "audit.jsonl").read_text(encoding="utf-8") == '{"b":2}\n'


def test_check_force_never_replaces_a_device(tmp_path):
    result = CliRunner().invoke(cli, ["check", str(SICHUAN), "-o", "/dev/null", "--force", "--lang", "en"])
    assert result.exit_code == 2 and "is not a regular file" in result.output
    assert Path("/dev/null").is_char_device()


def test_the_input_hash_is_keyed_by_the_installation_secret(tmp_path, monkeypatch):
    import hashlib

    book = RuleBook.load()
    result = book.evaluate(FUJIAN)
    first = record(result)["input_hash"]
    assert first.startswith("hmac-sha256:") and first == record(result)["input_hash"]
    canonical = json.dumps(result.application.data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    assert first.split(":", 1)[1] != hashlib.sha256(canonical.encode("utf-8")).hexdigest()  # guessing needs the key
    monkeypatch.setenv("ICP_RULES_SECRET_FILE", str(tmp_path / "other" / "secret"))
    assert record(result)["input_hash"] != first  # another installation, another key
    made = tmp_path / "other" / "secret"
    assert made.stat().st_mode & 0o777 == 0o600


def test_a_secret_others_can_read_is_refused(tmp_path, monkeypatch):
    secret = tmp_path / "secret"
    secret.write_text("ab" * 32 + "\n", encoding="ascii")
    secret.chmod(0o644)
    monkeypatch.setenv("ICP_RULES_SECRET_FILE", str(secret))
    audit = tmp_path / "audit.jsonl"
    result = CliRunner().invoke(cli, ["check", str(SICHUAN), "--audit", str(audit), "--lang", "en"])
    assert result.exit_code == 2 and "can be read or written by others" in result.output and str(secret) in result.output
    assert not audit.exists() or audit.read_text(encoding="utf-8") == ""
