"""Reloading packs under a running service never gives a silently different checklist (SPEC §9).

Each case changes real files (delete, break, swap, rename a directory, repoint a symlink) and
states the answer Fujian's applicant must still get: the residence permit of Fujian's pack.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine import application
from engine.live import LiveRuleBook
from engine.service import create_app

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "rulepacks"
FUJIAN_APP = json.loads(json.dumps(application.load(ROOT / "examples" / "fujian-individual-cross-province.yaml").data,
                                   default=str))
SICHUAN_APP = json.loads(json.dumps(application.load(ROOT / "examples" / "sichuan-trading-company.yaml").data,
                                    default=str))


def documents(result) -> list[str]:
    data = result if isinstance(result, dict) else result.to_dict()
    return [d["id"] for d in data["required_documents"]]


def bump(file: Path, old: str = '"2024.10.1"', new: str = '"2099.1.0"') -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def packs_dir(tmp_path) -> Path:
    target = tmp_path / "packs"
    shutil.copytree(BUNDLED, target)
    return target


@pytest.fixture
def live(packs_dir) -> LiveRuleBook:
    live = LiveRuleBook(packs_dir)
    assert "residence_permit" in documents(live.current.evaluate(FUJIAN_APP))
    return live


# --- one reload at a time (library) -------------------------------------------------------------

def test_a_deleted_pack_keeps_its_last_good_version(live, packs_dir):
    fujian_digest = live.current.rulesets["fujian"].digest
    (packs_dir / "fujian.yaml").unlink()
    assert live.reload() is False
    result = live.current.evaluate(FUJIAN_APP)
    assert "residence_permit" in documents(result)
    assert result.to_dict()["pack"] == {"id": "fujian", "version": "2024.10.1", "digest": fujian_digest}
    refusal = live.refused["fujian"]
    assert refusal.reason == "removed" and refusal.serving == "2024.10.1"
    assert refusal.file.endswith("fujian.yaml") and live.last_error is not None
    assert set(live.refused) == {"fujian"}
    # a later reload that changes nothing keeps the refusal and its start time, and the same book
    since, book = refusal.since, live.current
    assert live.reload() is False and live.refused["fujian"].since == since and live.current is book


def test_a_broken_pack_keeps_its_last_good_version_while_other_provinces_take_their_edits(live, packs_dir):
    fujian_digest = live.current.rulesets["fujian"].digest
    fujian = packs_dir / "fujian.yaml"
    fujian.write_text(fujian.read_text(encoding="utf-8").replace("for_each: person", "for_each: persno"), encoding="utf-8")
    bump(packs_dir / "sichuan.yaml")
    assert live.reload() is False
    assert live.current.evaluate(SICHUAN_APP).to_dict()["pack"]["version"] == "2099.1.0"
    fujian_result = live.current.evaluate(FUJIAN_APP).to_dict()
    assert fujian_result["pack"]["digest"] == fujian_digest and "residence_permit" in documents(fujian_result)
    refusal = live.refused["fujian"]
    assert refusal.reason == "invalid" and refusal.error.file.endswith("fujian.yaml") and refusal.error.line
    assert "persno" in str(refusal.error)


@pytest.mark.parametrize("swap", ["another province's pack", "not yaml", "empty", "a directory", "binary"])
def test_a_pack_swapped_for_something_that_does_not_load_keeps_its_last_good_version(live, packs_dir, swap):
    fujian = packs_dir / "fujian.yaml"
    fujian.unlink()
    if swap == "another province's pack":
        shutil.copy(packs_dir / "guangdong.yaml", fujian)
    elif swap == "not yaml":
        fujian.write_text("pack: fujian\nrules: [\n", encoding="utf-8")
    elif swap == "empty":
        fujian.write_text("", encoding="utf-8")
    elif swap == "a directory":
        fujian.mkdir()
    else:
        fujian.write_bytes(b"\x00\xff" * 100)
    assert live.reload() is False
    assert "residence_permit" in documents(live.current.evaluate(FUJIAN_APP))
    assert live.refused["fujian"].serving == "2024.10.1"
    assert live.current.packs["fujian"].version == "2024.10.1"


def test_a_removed_or_broken_national_pack_keeps_the_last_good_base(live, packs_dir):
    national_digest = live.current.rulesets["national"].digest
    (packs_dir / "national.yaml").rename(packs_dir / "national.yaml.bak")
    bump(packs_dir / "fujian.yaml")
    assert live.reload() is False
    assert live.refused["national"].reason == "removed"
    assert live.current.rulesets["national"].digest == national_digest
    result = live.current.evaluate(FUJIAN_APP).to_dict()  # Fujian's edit is laid over the kept base
    assert result["pack"]["version"] == "2099.1.0" and "residence_permit" in documents(result)

    (packs_dir / "national.yaml.bak").rename(packs_dir / "national.yaml")
    national = packs_dir / "national.yaml"
    national.write_text(national.read_text(encoding="utf-8") + "\nrules: 3\n", encoding="utf-8")
    assert live.reload() is False and live.refused["national"].reason == "invalid"
    assert live.current.rulesets["national"].digest == national_digest
    assert "residence_permit" in documents(live.current.evaluate(FUJIAN_APP))


def test_a_province_edit_that_no_longer_merges_keeps_its_last_good_version(live, packs_dir):
    fujian = packs_dir / "fujian.yaml"
    text = fujian.read_text(encoding="utf-8")
    # valid on its own, but it disables a national rule that does not exist: only merging finds that
    fujian.write_text(text + "\ndisables:\n  - rule: no-such-national-rule\n    sources: [{id: seed_003}]\n", encoding="utf-8")
    assert live.reload() is False
    assert live.refused["fujian"].reason == "invalid" and "no-such-national-rule" in str(live.refused["fujian"].error)
    assert "residence_permit" in documents(live.current.evaluate(FUJIAN_APP))


def test_a_pack_that_comes_back_is_accepted_again(live, packs_dir):
    fujian = packs_dir / "fujian.yaml"
    saved = fujian.read_bytes()
    fujian.unlink()
    assert live.reload() is False and "fujian" in live.refused
    fujian.write_bytes(saved)
    bump(fujian)
    assert live.reload() is True
    assert live.refused == {} and live.last_error is None
    assert live.current.evaluate(FUJIAN_APP).to_dict()["pack"]["version"] == "2099.1.0"


def test_a_new_pack_that_never_loaded_leaves_its_province_as_it_was(tmp_path):
    packs = tmp_path / "packs"
    shutil.copytree(BUNDLED, packs)
    saved = (packs / "fujian.yaml").read_text(encoding="utf-8")
    (packs / "fujian.yaml").unlink()
    live = LiveRuleBook(packs)
    before = live.current.evaluate(FUJIAN_APP).to_dict()
    assert before["pack"]["id"] == "national" and "residence_permit" not in documents(before)
    (packs / "fujian.yaml").write_text(saved.replace("for_each: person", "for_each: persno"), encoding="utf-8")
    assert live.reload() is False
    assert live.refused["fujian"].serving is None
    assert live.refused["fujian"].to_dict()["serving"] == {"pack": "national", "kept": False}
    assert live.current.evaluate(FUJIAN_APP).to_dict() == before


def test_a_missing_directory_changes_nothing_and_says_so(live, packs_dir):
    book = live.current
    shutil.rmtree(packs_dir)
    assert live.reload() is False
    assert live.current is book and "missing" in str(live.last_error)
    assert "residence_permit" in documents(live.current.evaluate(FUJIAN_APP))


def test_the_watchers_state_reads_in_the_askers_language(live, packs_dir, caplog):
    # the watcher records what it says as a message id and arguments: each reader gets its language,
    # the operator's log English, and saying the same again changes nothing
    live._watch = {"watching": True, "directory": str(packs_dir), "every": 1.0}
    assert "message" not in live.watch_status("zh")  # no state yet: nothing said
    with caplog.at_level("ERROR"):
        live._state("missing", live._missing())
        since = live.watch_status()["since"]
        live._state("missing", live._missing())
    zh, en = live.watch_status("zh"), live.watch_status("en")
    assert zh["state"] == en["state"] == "missing" and zh["since"] == en["since"] == since
    assert zh["message"] == f"规则包目录 {packs_dir} 不存在" and en["message"] == f"the directory of rule packs {packs_dir} is missing"
    assert [r.getMessage().split(";")[0] for r in caplog.records] == [f"pack watcher: {en['message']}"]
    live._state("watching", None, str(packs_dir))
    assert live.watch_status("zh")["message"] is None and live.watch_status("zh")["state"] == "watching"


# --- under `serve --watch`: real file operations while requests are answered --------------------

def watching(live: LiveRuleBook) -> TestClient:
    return TestClient(create_app(live, watch=True, watch_interval=0.2))


def refused(client: TestClient) -> dict:
    return {r["pack"]: r for r in client.get("/v1/packs").json()["refused"]}


def test_deleting_a_pack_under_watch_keeps_fujian_on_its_pack(live, packs_dir):
    digest = live.current.rulesets["fujian"].digest
    with watching(live) as c:
        (packs_dir / "fujian.yaml").unlink()
        bump(packs_dir / "sichuan.yaml")  # an edit elsewhere in the same moment still lands
        wait_for(lambda: "fujian" in refused(c))
        wait_for(lambda: c.post("/v1/check", json=SICHUAN_APP).json()["pack"]["version"] == "2099.1.0")
        for _ in range(20):
            response = c.post("/v1/check", json=FUJIAN_APP)
            answer = response.json()
            assert answer["pack"]["digest"] == digest and "residence_permit" in documents(answer)
            assert response.headers["x-packs-refused"] == "fujian=removed"  # the answer itself says so
        sichuan = c.post("/v1/check", json=SICHUAN_APP)
        assert "x-packs-refused" not in sichuan.headers  # its own pack and the national one are current
        packs = c.get("/v1/packs").json()
        entry = refused(c)["fujian"]
        assert entry["reason"] == "removed" and entry["serving"] == {"pack": "fujian", "version": "2024.10.1", "kept": True}
        assert entry["error"]["file"].endswith("fujian.yaml") and entry["since"]
        assert next(p for p in packs["packs"] if p["id"] == "fujian")["kept"] is True
        assert packs["last_rejected"]["error"]["file"].endswith("fujian.yaml")
        assert {p["id"]: p["kept"] for p in packs["packs"]}["sichuan"] is False


def test_a_pack_broken_then_fixed_under_watch(live, packs_dir, caplog):
    fujian = packs_dir / "fujian.yaml"
    good = fujian.read_text(encoding="utf-8")
    with caplog.at_level("INFO"), watching(live) as c:
        fujian.write_text(good.replace("for_each: person", "for_each: persno"), encoding="utf-8")
        entry = wait_for(lambda: refused(c).get("fujian"))
        assert entry["reason"] == "invalid" and entry["error"]["line"]
        assert "residence_permit" in documents(c.post("/v1/check", json=FUJIAN_APP).json())
        fujian.write_text(good.replace('"2024.10.1"', '"2099.1.0"', 1), encoding="utf-8")
        wait_for(lambda: not refused(c))
        assert c.post("/v1/check", json=FUJIAN_APP).json()["pack"]["version"] == "2099.1.0"
        assert c.get("/v1/packs").json()["last_rejected"] is None
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "fujian.yaml rejected" in logged and "persno" in logged and "accepted again" in logged


def test_a_directory_swapped_by_rename_is_followed(live, packs_dir):
    with watching(live) as c:
        staged = packs_dir.parent / "packs.new"
        shutil.copytree(packs_dir, staged)
        bump(staged / "fujian.yaml")
        old = packs_dir.parent / "packs.old"
        packs_dir.rename(old)
        staged.rename(packs_dir)  # the path now names another directory (another inode)
        wait_for(lambda: c.post("/v1/check", json=FUJIAN_APP).json()["pack"]["version"] == "2099.1.0")
        bump(packs_dir / "sichuan.yaml")  # later edits in the new directory are seen too
        wait_for(lambda: c.post("/v1/check", json=SICHUAN_APP).json()["pack"]["version"] == "2099.1.0")
        bump(old / "hubei.yaml")  # ... and the old directory is no longer what serves
        time.sleep(0.6)
        assert c.get("/v1/packs").json()["refused"] == []
        assert live.current.packs["hubei"].version == "2024.10.1"


def test_a_symlink_repointed_with_ln_sfn_is_followed(tmp_path):
    releases = tmp_path / "releases"
    shutil.copytree(BUNDLED, releases / "v1")
    shutil.copytree(BUNDLED, releases / "v2")
    bump(releases / "v2" / "fujian.yaml")
    link = tmp_path / "packs"
    link.symlink_to(releases / "v1")
    live = LiveRuleBook(link)
    with watching(live) as c:
        temporary = tmp_path / "packs.tmp"
        temporary.symlink_to(releases / "v2")
        os.replace(temporary, link)  # what `ln -sfn releases/v2 packs` does, atomically
        wait_for(lambda: c.post("/v1/check", json=FUJIAN_APP).json()["pack"]["version"] == "2099.1.0")
        bump(releases / "v2" / "sichuan.yaml")
        wait_for(lambda: c.post("/v1/check", json=SICHUAN_APP).json()["pack"]["version"] == "2099.1.0")
        assert c.get("/v1/packs").json()["watch"]["target"] == str((releases / "v2").resolve())


def test_a_deleted_directory_keeps_serving_says_so_and_is_picked_up_when_back(live, packs_dir, caplog):
    backup = packs_dir.parent / "backup"
    shutil.copytree(packs_dir, backup)
    with caplog.at_level("INFO"), watching(live) as c:
        shutil.rmtree(packs_dir)
        status = wait_for(lambda: (w := c.get("/v1/packs").json()["watch"])["state"] == "missing" and w)
        assert status["watching"] is True and str(packs_dir) in status["message"]
        assert "residence_permit" in documents(c.post("/v1/check", json=FUJIAN_APP).json())
        shutil.copytree(backup, packs_dir)
        bump(packs_dir / "fujian.yaml")
        wait_for(lambda: c.post("/v1/check", json=FUJIAN_APP).json()["pack"]["version"] == "2099.1.0")
        assert c.get("/v1/packs").json()["watch"]["state"] == "watching"
        bump(packs_dir / "sichuan.yaml")
        wait_for(lambda: c.post("/v1/check", json=SICHUAN_APP).json()["pack"]["version"] == "2099.1.0")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "is missing" in logged and "checking again" in logged
    assert sum("is missing" in r.getMessage() for r in caplog.records) == 1  # said once, not on every check


def test_when_file_events_fail_changes_are_still_found_and_the_state_says_so(live, packs_dir, monkeypatch, caplog):
    import watchfiles

    def no_events(*args, **kwargs):  # e.g. no inotify watches left on the machine
        raise OSError(28, "No space left on device (inotify watches)")

    monkeypatch.setattr(watchfiles, "awatch", no_events)
    with caplog.at_level("INFO"), watching(live) as c:
        status = wait_for(lambda: (w := c.get("/v1/packs").json()["watch"])["state"] == "polling" and w)
        assert "inotify" in status["message"]
        bump(packs_dir / "fujian.yaml")
        wait_for(lambda: c.post("/v1/check", json=FUJIAN_APP).json()["pack"]["version"] == "2099.1.0")
        time.sleep(0.5)
    said = [r for r in caplog.records if "file events" in r.getMessage()]
    assert len(said) == 1  # logged when it started, not on every check


def test_a_real_serve_watch_never_answers_fujian_without_its_pack_while_files_change(tmp_path):
    """`icp-rules serve --watch` in its own process, answering all along while fujian.yaml is deleted,
    swapped for a broken file, and the whole directory is swapped by rename."""
    import http.client
    import socket
    import subprocess
    import sys
    import threading

    packs = tmp_path / "packs"
    shutil.copytree(BUNDLED, packs)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([sys.executable, "-m", "engine.cli", "serve", "--port", str(port), "--watch",
                                "--packs", str(packs)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def request(method: str, path: str, body: dict | None = None) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(method, path, body=json.dumps(body) if body else None, headers={"content-type": "application/json"})
        data = json.loads(conn.getresponse().read())
        conn.close()
        return data

    def healthy() -> bool:
        try:
            return request("GET", "/healthz")["status"] == "ok"
        except OSError:
            return False

    answers: list[list[str]] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            answers.append(documents(request("POST", "/v1/check", FUJIAN_APP)))

    try:
        wait_for(healthy, timeout=60)
        asker = threading.Thread(target=keep_asking)
        asker.start()
        (packs / "fujian.yaml").unlink()
        wait_for(lambda: any(r["pack"] == "fujian" for r in request("GET", "/v1/packs")["refused"]))
        (packs / "fujian.yaml").write_text("pack: fujian\nrules: [\n", encoding="utf-8")
        wait_for(lambda: any(r["pack"] == "fujian" and r["reason"] == "invalid"
                             for r in request("GET", "/v1/packs")["refused"]))
        staged = tmp_path / "staged"
        shutil.copytree(BUNDLED, staged)
        bump(staged / "fujian.yaml")
        packs.rename(tmp_path / "old")
        staged.rename(packs)
        wait_for(lambda: request("POST", "/v1/check", FUJIAN_APP)["pack"]["version"] == "2099.1.0")
        assert request("GET", "/v1/packs")["refused"] == []
        stop.set()
        asker.join(60)
    finally:
        stop.set()
        process.terminate()
        process.wait(20)
        log.close()
    assert len(answers) > 10 and all("residence_permit" in a for a in answers)
    assert "Traceback" not in (tmp_path / "serve.log").read_text(encoding="utf-8", errors="replace")
