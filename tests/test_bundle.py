"""Signed pack bundles: built from a directory with an Ed25519 key (as openssl makes them),
verified by ``bundle verify``, ``RuleBook.load(bundle, public_key=…)`` and ``serve --bundle``;
every kind of tampering is refused with exit 2 and says what it found."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import RuleBook
from engine.bundle import BundleError, verify
from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def _keypair(folder: Path, name: str) -> tuple[Path, Path]:
    """A key pair exactly as the guide makes one, with openssl."""
    private, public = folder / f"{name}.pem", folder / f"{name}.pub"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(private)], check=True)
    subprocess.run(["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)], check=True)
    return private, public


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("keys")
    return _keypair(folder, "signing"), _keypair(folder, "other")


@pytest.fixture(scope="module")
def built(keys, tmp_path_factory):
    """A bundle of a copy of the bundled packs and templates, built in a separate directory."""
    work = tmp_path_factory.mktemp("team")
    shutil.copytree(ROOT / "rulepacks", work / "packs")
    shutil.copytree(ROOT / "engine" / "templates", work / "templates",
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    (private, _), _ = keys
    out = work / "packs.bundle"
    result = CliRunner().invoke(cli, ["bundle", "build", str(work / "packs"), "-o", str(out), "--signing-key",
                                      str(private), "--templates", str(work / "templates")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"已写入 {out}：")  # Chinese by default
    return out


def _verify(bundle: Path, public: Path):
    return CliRunner().invoke(cli, ["bundle", "verify", str(bundle), "--public-key", str(public), "--lang", "en"])


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the bundle with its members passed through ``change(name, data) -> data | None``."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w") as out:
        for info in archive.infolist():
            data = change(info.filename, archive.read(info.filename))
            if data is not None:
                out.writestr(info.filename, data)
    return target


def test_a_bundle_verifies_and_loads_like_its_directory(built, keys):
    (_, public), _ = keys
    result = _verify(built, public)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"ok: {built} verifies (key id ")
    book = RuleBook.load(built, public_key=public)
    assert sorted(book.packs) == sorted(RuleBook.load().packs)
    assert book.digest == RuleBook.load().digest
    members = verify(built, public).members
    assert "templates/checklist.md.j2" in members and "rulepacks/national.yaml" in members


def test_building_twice_gives_the_same_bytes(built, keys, tmp_path):
    (private, _), _ = keys
    again = tmp_path / "again.bundle"
    packs, templates = built.parent / "packs", built.parent / "templates"
    assert CliRunner().invoke(cli, ["bundle", "build", str(packs), "-o", str(again), "--signing-key", str(private),
                                    "--templates", str(templates)]).exit_code == 0
    assert again.read_bytes() == built.read_bytes()
    refused = CliRunner().invoke(cli, ["bundle", "build", str(packs), "-o", str(again), "--signing-key", str(private)])
    assert refused.exit_code == 2 and "--force" in refused.output


def _tampered_member(name: str, data: bytes) -> bytes:
    return data.replace(b"greater_than: 31", b"greater_than: 99") if name == "rulepacks/guangdong.yaml" else data


def _tampered_manifest(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["files"] = [f for f in manifest["files"] if f["path"] != "rulepacks/guangdong.yaml"]
    return json.dumps(manifest).encode()


CASES = {
    "member changed": (_tampered_member, "member rulepacks/guangdong.yaml was changed after signing"),
    "manifest changed": (_tampered_manifest, "bad signature"),
    "member added": (lambda n, d: d, "member rulepacks/extra.yaml is not in the signed manifest"),
    "member missing": (lambda n, d: None if n == "rulepacks/fujian.yaml" else d,
                       "member rulepacks/fujian.yaml is listed in the manifest but missing"),
    "signature missing": (lambda n, d: None if n == "manifest.sig" else d, "manifest.sig is missing"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_tampering_is_refused_by_verify_and_by_load(case, built, keys, tmp_path):
    (_, public), _ = keys
    change, message = CASES[case]
    bad = _rewrite(built, tmp_path / "bad.bundle", change)
    if case == "member added":
        with zipfile.ZipFile(bad, "a") as archive:
            archive.writestr("rulepacks/extra.yaml", "pack: extra\n")
    result = _verify(bad, public)
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output
    with pytest.raises(BundleError) as caught:
        RuleBook.load(bad, public_key=public)
    assert message in caught.value.problems[0].message


def test_another_keys_bundle_is_refused_naming_both_keys(built, keys):
    _, (_, other_public) = keys
    result = _verify(built, other_public)
    assert result.exit_code == 2 and "signed with another key (key id " in result.output
    with pytest.raises(BundleError):
        RuleBook.load(built, public_key=other_public)


def test_a_bundle_without_a_key_or_a_bad_key_or_not_a_bundle(built, keys, tmp_path):
    with pytest.raises(Exception) as caught:
        RuleBook.load(built)
    assert "public key" in str(caught.value.problems[0].message)
    (private, _), _ = keys
    result = _verify(built, private)  # the private key is not the public key
    assert result.exit_code == 2 and "not a PEM public key" in result.output
    junk = tmp_path / "junk.bundle"
    junk.write_bytes(b"not a zip")
    (_, public), _ = keys
    result = _verify(junk, public)
    assert result.exit_code == 2 and "not a pack bundle" in result.output
    result = CliRunner().invoke(cli, ["bundle", "build", str(ROOT / "rulepacks"), "-o", str(tmp_path / "x.bundle"),
                                      "--signing-key", str(tmp_path / "missing.pem"), "--lang", "en"])
    assert result.exit_code == 2 and "cannot read the signing key" in result.output
    assert not (tmp_path / "x.bundle").exists()


def test_invalid_packs_are_never_signed(keys, tmp_path):
    (private, _), _ = keys
    packs = tmp_path / "packs"
    shutil.copytree(ROOT / "rulepacks", packs)
    text = (packs / "fujian.yaml").read_text(encoding="utf-8")
    (packs / "fujian.yaml").write_text(text.replace("for_each: person", "for_each: persn", 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["bundle", "build", str(packs), "-o", str(tmp_path / "x.bundle"),
                                      "--signing-key", str(private)])
    assert result.exit_code == 2 and "fujian.yaml" in result.output
    assert not (tmp_path / "x.bundle").exists()


def test_a_member_larger_than_declared_is_not_inflated(built, keys, tmp_path):
    """After the signature checks, a member is read only up to its signed size."""
    (_, public), _ = keys
    bomb = b"#" * (5 * 1024 * 1024)
    bad = _rewrite(built, tmp_path / "bomb.bundle", lambda n, d: d + bomb if n == "rulepacks/anhui.yaml" else d)
    result = _verify(bad, public)
    assert result.exit_code == 2 and "rulepacks/anhui.yaml" in result.output


def test_problems_in_a_bundled_pack_name_the_bundle_and_member(keys, tmp_path):
    from engine.bundle import build

    (private, public), _ = keys
    members = {f"rulepacks/{p.name}": p.read_bytes() for p in (ROOT / "rulepacks").glob("*.yaml")}
    members["rulepacks/fujian.yaml"] = members["rulepacks/fujian.yaml"].replace(b"for_each: person", b"for_each: persn", 1)
    bad = tmp_path / "signed-but-invalid.bundle"
    bad.write_bytes(build(members, private))
    result = _verify(bad, public)
    assert result.exit_code == 1 and f"{bad}!rulepacks/fujian.yaml:" in result.output


def test_bundle_bytes_verify_too(built, keys):
    (_, public), _ = keys
    assert verify(io.BytesIO(built.read_bytes()).getvalue(), public).key_id


def test_each_half_of_a_key_pair_is_refused_for_the_same_reasons_with_its_own_words(keys, tmp_path):
    """Signing and public keys are read by one loader: each refusal names the half that was given."""
    from engine.bundle import load_private_key, load_public_key

    (private, public), _ = keys
    x25519 = tmp_path / "x25519.pem"  # a key of another algorithm, as a careless openssl line makes one
    subprocess.run(["openssl", "genpkey", "-algorithm", "x25519", "-out", str(x25519)], check=True)
    x25519_pub = tmp_path / "x25519.pub"
    subprocess.run(["openssl", "pkey", "-in", str(x25519), "-pubout", "-out", str(x25519_pub)], check=True)
    encrypted = tmp_path / "encrypted.pem"
    subprocess.run(["openssl", "pkey", "-in", str(private), "-aes256", "-passout", "pass:secret", "-out", str(encrypted)],
                   check=True)

    def refusal(load, source) -> str:
        with pytest.raises(BundleError) as caught:
            load(source)
        return caught.value.problems[0].id

    assert refusal(load_private_key, tmp_path / "missing.pem") == "bundle_cannot_read_signing_key"
    assert refusal(load_public_key, tmp_path / "missing.pub") == "bundle_cannot_read_public_key"
    assert refusal(load_private_key, public) == "bundle_not_private_key"
    assert refusal(load_public_key, private) == "bundle_not_public_key"
    assert refusal(load_private_key, x25519) == "bundle_private_not_ed25519"
    assert refusal(load_public_key, x25519_pub) == "bundle_public_not_ed25519"
    assert refusal(load_private_key, encrypted) == "bundle_key_encrypted"
    assert refusal(load_public_key, b"junk") == "bundle_not_public_key"
    signing = load_private_key(private.read_bytes())  # PEM bytes and key objects are taken as they are
    assert load_private_key(signing) is signing
    verifying = load_public_key(public)
    assert load_public_key(verifying) is verifying


def test_a_bundle_lists_its_packs_and_templates_by_file_name(built, keys):
    (_, public), _ = keys
    verified = verify(built, public)
    assert set(verified.packs()) == {p.name for p in (ROOT / "rulepacks").glob("*.yaml")}
    templates = {p.name for p in (ROOT / "engine" / "templates").iterdir() if p.is_file() and p.suffix != ".py"}
    assert set(verified.templates()) == templates
    assert verified.packs()["national.yaml"] == (ROOT / "rulepacks" / "national.yaml").read_bytes()
