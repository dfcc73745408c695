"""Templates from --templates are bounded (issue 13): a symlink out of the directory is refused,
labels are filled by name only, rendering has a time and a size bound, and `validate
--templates` renders every template, so one that cannot render is found before an applicant's
checklist fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import render
from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "examples" / "sichuan-trading-company.yaml"


def _run(*args: str):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr




def test_a_template_symlinked_out_of_the_directory_is_refused(tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:SECRET-HASH:19000:0:99999:7:::\n", encoding="utf-8")
    directory = tmp_path / "templates"
    directory.mkdir()
    (directory / "checklist.md.j2").symlink_to(secret)
    code, out, err = _run("check", APP, "--templates", directory, "--lang", "en")
    assert code == 2 and "outside the templates directory" in err and "checklist.md.j2" in err
    assert "SECRET-HASH" not in out + err


def test_a_labels_file_symlinked_out_of_the_directory_is_refused(tmp_path):
    outside = tmp_path / "labels.yaml"
    outside.write_text("zh: {title: 外面}\nen: {title: Outside}\n", encoding="utf-8")
    directory = tmp_path / "templates"
    directory.mkdir()
    (directory / "labels.yaml").symlink_to(outside)
    code, out, err = _run("check", APP, "--templates", directory, "--lang", "en")
    assert code == 2 and "outside the templates directory" in err and "外面" not in out


def test_a_symlink_inside_the_directory_is_fine(tmp_path):
    directory = tmp_path / "templates"
    directory.mkdir()
    (directory / "mine.md.j2").write_text("# {{ L.title }}\n", encoding="utf-8")
    (directory / "checklist.md.j2").symlink_to(directory / "mine.md.j2")
    code, out, _ = _run("check", APP, "--templates", directory)
    assert code == 1 and out.startswith("# ICP备案材料清单")


@pytest.mark.parametrize("text", ["{n.__class__.__mro__}", "{n:>100000000}", "{n[0]}", "{n!r}", "{x}"])
def test_labels_are_filled_by_name_only(tmp_path, text):
    directory = tmp_path / "templates"
    directory.mkdir()
    (directory / "labels.yaml").write_text(f"zh:\n  max_age: '须为 {text} 天内开具'\nen: {{}}\n", encoding="utf-8")
    code, out, err = _run("check", APP, "--templates", directory, "--lang", "en")
    assert code == 2, out[:300]
    assert f"{directory / 'labels.yaml'}:2:" in err and "$.zh.max_age" in err and "may name {n} only" in err
    assert "class" not in out and len(out) < 10_000


def test_fill_replaces_names_and_nothing_else():
    assert render.fill("{n} 天 {{n}} {n.x} {m}", n=5) == "5 天 {n} {n.x} {m}"
    assert render.placeholders("{a} {{b}} {c.d} {e:>9}") == {"a", "c.d", "e:>9"}


@pytest.mark.parametrize("body, message", [
    ('{{ "x" * 100000000 }}', "beyond the size bound"),
    ('{{ "x" | center(100000000) }}', "beyond the size bound"),
    ('{{ "{:>100000000}".format(1) }}', "format width beyond the size bound"),
    ('{% for i in range(100000) %}{{ "y" * 1000 }}{% endfor %}', "more than 16777216 bytes"),
    ('{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}', "rendering took longer than"),
])
def test_rendering_has_a_time_and_a_size_bound(tmp_path, monkeypatch, body, message):
    # a short time bound for the endless loop; for the others, one a busy machine cannot reach first
    monkeypatch.setattr(render, "RENDER_SECONDS", 1.0 if "longer" in message else 600.0)
    directory = tmp_path / "templates"
    directory.mkdir()
    (directory / "checklist.md.j2").write_text("# {{ L.title }}\n" + body + "\n", encoding="utf-8")
    code, out, err = _run("check", APP, "--templates", directory)
    assert code == 2 and message in err and "checklist.md.j2" in err
    assert len(out) < 1000


def test_validate_templates_renders_each_template(tmp_path):
    directory = tmp_path / "templates"
    directory.mkdir()
    # Compiles, names only known labels, and fails only when rendered: r has no such field
    (directory / "checklist.text.j2").write_text("{{ L.title }}\n{{ r.no_such_field.name }}\n", encoding="utf-8")
    code, out, err = _run("validate", "--templates", directory)
    assert code == 1 and "checklist.text.j2" in err and "no_such_field" in err
    shutil.rmtree(directory)
    directory.mkdir()
    (directory / "checklist.text.j2").write_text("{{ L.title }}\n", encoding="utf-8")
    code, out, err = _run("validate", "--templates", directory)
    assert code == 0, err
