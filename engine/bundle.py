"""Signed pack bundles: one file of rule packs (and templates) that a server verifies before use.

A bundle is a zip file with, besides its members (``rulepacks/*.yaml``, ``templates/*``):

- ``manifest.json``: the format, the id of the signing key, and every member's path, size and
  SHA-256 digest;
- ``manifest.sig``: the Ed25519 signature of the exact bytes of ``manifest.json``.

``verify`` checks the signature first (so nothing else in an unverified file is trusted, not even
the sizes it declares), then that the members are exactly those of the manifest, each with its
digest. Any difference is a ``BundleError`` that says which: a bundle signed with another key, a
signature that does not match (the manifest was changed), a member changed, added or missing.
Keys are the PEM files ``openssl genpkey -algorithm ed25519`` writes (and ``openssl pkey -pubout``
for the public half); the cryptography package (the extra ``icp-rulepacks[bundle]``) does the
signing, and is imported only here.

Bundles are built the same way every time from the same files (sorted members, fixed times), so
building twice gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, Union

from .errors import InputError, problem

FORMAT = "icp-rulepacks-bundle/1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
MAX_BUNDLE_BYTES = 64 * 1024 * 1024  # far above every pack and template of a country together
MAX_MEMBERS = 1000
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: the same bytes on every build

KeySource = Union[str, "PathLike[str]", bytes, Any]  # a PEM file, PEM bytes, or a key object


class BundleError(InputError):
    """A bundle that does not verify, or a key that cannot be used. Exit status 2."""


def _problem(message_id: str, file: str | Path | None, **args: Any) -> BundleError:
    return BundleError([problem(message_id, file=str(file) if file is not None else None, **args)])


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise _problem("bundle_needs_cryptography", None) from None
    return ed25519


def _read_key(source: KeySource, unreadable: str) -> tuple[bytes, str | None]:
    if isinstance(source, (str, PathLike)):
        path = Path(source)
        try:
            return path.read_bytes()[:64 * 1024], str(path)
        except OSError as exc:
            raise _problem(unreadable, path, reason=exc.strerror or str(exc)) from None
    return bytes(source), None


def _load_key(source: KeySource, private: bool) -> Any:
    """An Ed25519 key of one half (the signing, private one or the public one) from a PEM file,
    PEM bytes or the key object itself; a BundleError naming the file otherwise."""
    ed25519 = _crypto()
    wanted = ed25519.Ed25519PrivateKey if private else ed25519.Ed25519PublicKey
    if isinstance(source, wanted):
        return source
    from cryptography.hazmat.primitives import serialization

    # the message ids of each half, written out so that a search for an id finds where it is raised
    unreadable, not_pem, not_ed25519 = (
        ("bundle_cannot_read_signing_key", "bundle_not_private_key", "bundle_private_not_ed25519") if private
        else ("bundle_cannot_read_public_key", "bundle_not_public_key", "bundle_public_not_ed25519"))
    data, name = _read_key(source, unreadable)
    try:
        key = (serialization.load_pem_private_key(data, password=None) if private
               else serialization.load_pem_public_key(data))
    except TypeError:  # a private key encrypted with a passphrase (none was given)
        raise _problem("bundle_key_encrypted" if private else not_pem, name) from None
    except ValueError:
        raise _problem(not_pem, name) from None
    if not isinstance(key, wanted):
        raise _problem(not_ed25519, name)
    return key


def load_private_key(source: KeySource) -> Any:
    """An Ed25519 private key from a PEM file or PEM bytes (or the key object itself)."""
    return _load_key(source, private=True)


def load_public_key(source: KeySource) -> Any:
    """An Ed25519 public key from a PEM file or PEM bytes (or the key object itself)."""
    return _load_key(source, private=False)


def key_id(public_key: Any) -> str:
    """A short name of a public key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Building


def members_of(packs_dir: Path, templates_dir: Path | None = None) -> dict[str, Path]:
    """The files a bundle of ``packs_dir`` (and ``templates_dir``) holds, by member name."""
    members = {f"rulepacks/{p.name}": p for p in sorted(packs_dir.glob("*.yaml")) if p.is_file()}
    if templates_dir is not None:
        members |= {f"templates/{p.name}": p for p in sorted(templates_dir.iterdir()) if p.is_file()}
    return members


def build(members: Mapping[str, bytes], signing_key: KeySource) -> bytes:
    """The bytes of a bundle of ``members`` (name -> content), signed with ``signing_key``."""
    key = load_private_key(signing_key)
    files = [{"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
             for name, data in sorted(members.items())]
    manifest = json.dumps({"format": FORMAT, "key_id": key_id(key.public_key()), "files": files},
                          ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [(MANIFEST, manifest), (SIGNATURE, key.sign(manifest)), *sorted(members.items())]:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Verifying


@dataclass(frozen=True)
class VerifiedBundle:
    """The members of a bundle whose signature and digests all checked out."""

    file: str
    key_id: str
    members: Mapping[str, bytes]

    def packs(self) -> dict[str, bytes]:
        """The rule packs, by file name (national.yaml …)."""
        return self._folder("rulepacks")

    def templates(self) -> dict[str, bytes]:
        """The checklist templates, by file name."""
        return self._folder("templates")

    def _folder(self, folder: str) -> dict[str, bytes]:
        """The members directly in ``folder``, by file name (``_safe_name`` allows no deeper ones)."""
        return {name.split("/", 1)[1]: data for name, data in self.members.items()
                if name.startswith(f"{folder}/") and name.count("/") == 1}

    def name(self, member: str) -> str:
        """How problems in a member name it: the bundle, then the member (as a jar URL does)."""
        return f"{self.file}!{member}"


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return (len(parts) == 2 and parts[0] in ("rulepacks", "templates") and parts[1] not in ("", ".", "..")
            and "\\" not in name and not name.startswith("/"))


def verify(bundle: str | PathLike[str] | bytes, public_key: KeySource, *, file: str | None = None) -> VerifiedBundle:
    """The verified members of ``bundle`` (a path or its bytes), or BundleError saying what is wrong."""
    if isinstance(bundle, (str, PathLike)):
        from .source import read_bytes

        file = file or str(bundle)
        try:
            data = read_bytes(Path(bundle), MAX_BUNDLE_BYTES)
        except InputError as exc:
            raise BundleError(list(exc.problems)) from None
    else:
        data, file = bytes(bundle), file or "<bundle>"
    key = load_public_key(public_key)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise _problem("bundle_not_zip", file) from None
    with archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        if len(names) > MAX_MEMBERS + 2:
            raise _problem("bundle_too_many_members", file, limit=MAX_MEMBERS)
        if len(set(names)) != len(names):
            duplicate = next(n for n in names if names.count(n) > 1)
            raise _problem("bundle_member_twice", file, name=duplicate)
        if MANIFEST not in names or SIGNATURE not in names:
            raise _problem("bundle_unsigned", file)
        manifest_bytes = _read_member(archive, MANIFEST, 1024 * 1024, file)
        signature = _read_member(archive, SIGNATURE, 1024, file)
        try:
            manifest = json.loads(manifest_bytes.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            manifest = None
        signer = manifest.get("key_id") if isinstance(manifest, dict) else None
        expected = key_id(key)
        from cryptography.exceptions import InvalidSignature

        try:
            key.verify(signature, manifest_bytes)
        except InvalidSignature:
            if isinstance(signer, str) and signer != expected:
                raise _problem("bundle_other_key", file, signer=signer, expected=expected) from None
            raise _problem("bundle_bad_signature", file) from None
        # From here on the manifest is the signer's own.
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), list):
            raise _problem("bundle_unknown_format", file, format=FORMAT)
        try:
            listed: dict[str, tuple[int, str]] = {str(entry["path"]): (int(entry["size"]), str(entry["sha256"]))
                                                  for entry in manifest["files"]}
        except (KeyError, TypeError, ValueError):
            raise _problem("bundle_manifest_malformed", file) from None
        for name in names:
            if name not in (MANIFEST, SIGNATURE) and name not in listed:
                raise _problem("bundle_member_unsigned", file, name=name)
        members: dict[str, bytes] = {}
        for name, (size, digest) in sorted(listed.items()):
            if not _safe_name(name):
                raise _problem("bundle_member_name", file, name=repr(name))
            if name not in names:
                raise _problem("bundle_member_missing", file, name=name)
            content = _read_member(archive, name, size, file)
            if len(content) != size or hashlib.sha256(content).hexdigest() != digest:
                raise _problem("bundle_member_changed", file, name=name)
            members[name] = content
    if not any(n == "rulepacks/national.yaml" for n in members):
        raise _problem("bundle_no_national", file)
    return VerifiedBundle(str(file), expected, members)


def _read_member(archive: zipfile.ZipFile, name: str, limit: int, file: str | None) -> bytes:
    """At most ``limit`` bytes of a member (one more tells it is larger): a small file that
    inflates to gigabytes is refused without inflating it."""
    try:
        with archive.open(name) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise _problem("bundle_member_unreadable", file, name=name, reason=str(exc)) from None
    if len(data) > limit:
        raise _problem("bundle_member_larger", file, name=name)
    return data


def describe(verified: VerifiedBundle) -> list[str]:
    """One line per member, for ``bundle verify``."""
    return [f"  {name}  {len(data):,} bytes  sha256:{hashlib.sha256(data).hexdigest()[:16]}"
            for name, data in verified.members.items()]

