"""Everything a checklist shows exists in Chinese and in English: ``icp-rules validate`` says what is
missing, so that no gap surfaces while an applicant's checklist is being rendered.

The pack schema already demands both languages for every name, title, reason and message. What
it cannot see is checked here: labels (bundled, or a team's labels.yaml) present in one language
only, labels a template uses that do not exist, templates that do not compile, findings the engine
raises without a name, application values without a name, and pack texts whose English is a copy
of the Chinese. (Content categories without a name are already reported when a pack is loaded.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from jinja2 import TemplateSyntaxError, nodes

from . import render, timeline
from .errors import Problem, problem
from .packs import Pack, RuleSet, Text
from .source import load_file
from .suggest import closest

# Findings the engine itself raises while checking documents on hand (engine/evaluate.py).
ENGINE_FINDINGS = ("document_too_old", "certificate_expires_too_soon")
LATIN = re.compile(r"[A-Za-z]")


def _label_keys_used(template: nodes.Template) -> Iterator[tuple[str, int]]:
    """Labels a template reads with L.name or L["name"] (keys computed at run time cannot be known)."""
    for node in template.find_all((nodes.Getattr, nodes.Getitem)):
        target = getattr(node, "node", None)
        if not (isinstance(target, nodes.Name) and target.name == "L"):
            continue
        if isinstance(node, nodes.Getattr):
            yield node.attr, node.lineno
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            yield node.arg.value, node.lineno


def _labels_file_problems(templates: Path) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    file = templates / render.LABELS_FILE
    if not file.exists():
        return render.overlay_labels({}), []
    document = load_file(file)
    raw = document.data if isinstance(document.data, dict) else {}
    problems = [document.source.problem((lang,), "labels_file_shape", key=True,
                                        suggestion=closest(str(lang), render.LANGS))
                for lang, texts in raw.items() if lang not in render.LANGS or not isinstance(texts, dict)]
    data = {lang: texts for lang, texts in raw.items() if lang in render.LANGS and isinstance(texts, dict)}
    labels = render.overlay_labels(data)
    for lang in render.LANGS:
        other = "en" if lang == "zh" else "zh"
        for key in (data.get(lang) or {}):
            if key not in labels[other]:
                problems.append(document.source.problem((lang, key), "label_no_text", key=True, name=key, lang=other))
    return labels, problems


def template_problems(templates: Path | None = None) -> list[Problem]:
    """Labels missing in a language, and templates that do not compile or read unknown labels."""
    problems: list[Problem] = []
    labels = render.overlay_labels({})
    if templates is not None:
        labels, problems = _labels_file_problems(templates)
    for lang in render.LANGS:
        other = "en" if lang == "zh" else "zh"
        for key in sorted(set(render.LABELS[lang]) - set(render.LABELS[other])):
            problems.append(problem("label_only_in", file=render.__file__, name=key, lang=lang, other=other))
    # Labels the view itself looks up by computed keys.
    needed = {"kind_" + kind for kind in ("subject", "person", "website", "domain", "category")}
    needed |= {"number_kind_subject", "number_kind_website", *render.CATEGORIES}
    needed |= {step["id"] for step in timeline.build(None, {}).steps}
    for lang in render.LANGS:
        for key in sorted(needed - set(labels[lang])):
            problems.append(problem("label_missing", file=render.__file__, name=key, lang=lang))
    for fmt, name in render.TEMPLATE_FILES.items():
        env = render.environment(fmt, templates)
        assert env.loader is not None
        try:
            source, filename, _ = env.loader.get_source(env, name)
            tree = env.parse(source, name, filename)
        except TemplateSyntaxError as exc:
            problems.append(render._template_problem(exc, name, []))
            continue
        for key, line in _label_keys_used(tree):
            for lang in render.LANGS:
                if key not in labels[lang]:
                    problems.append(problem("template_label_missing", file=filename, line=line,
                                            suggestion=closest(key, labels[lang]), name=key, lang=lang))
    return problems


def value_name_problems() -> list[Problem]:
    """Every value an application may hold that the summary names has a name in both languages."""
    from . import bundled

    schema = bundled.schema("application")
    enums = {
        "subject_type": schema["properties"]["subject"]["properties"]["type"]["enum"],
        "certificate_type": schema["$defs"]["certificate"]["properties"]["type"]["enum"],
        "identity": schema["$defs"]["person"]["properties"]["identity"]["enum"],
        "filing_type": schema["properties"]["filing_type"]["enum"],
        "service_type": schema["properties"]["service_type"]["enum"],
        "server_location": schema["properties"]["server"]["properties"]["location"]["enum"],
        "registrant_type": schema["properties"]["domains"]["items"]["properties"]["registrant_type"]["enum"],
        "app_kind": schema["properties"]["apps"]["items"]["properties"]["kind"]["enum"],
        "platform": schema["properties"]["apps"]["items"]["properties"]["platforms"]["items"]["enum"],
    }
    problems = []
    for group, values in enums.items():
        for value in values:
            names = render.VALUE_NAMES.get(group, {}).get(value, {})
            for lang in render.LANGS:
                if not names.get(lang):
                    problems.append(problem("value_name_missing", file=render.__file__, group=group.replace("_", " "), value=value, lang=lang))
    return problems


def _texts(pack: Pack) -> Iterator[tuple[tuple[str | int, ...], Text]]:
    for doc_id, doc in pack.documents.items():
        yield ("documents", doc_id, "name"), doc.name
        if doc.description:
            yield ("documents", doc_id, "description"), doc.description
    for name, text in pack.categories.items():
        yield ("categories", name), text
    for name, text in pack.findings.items():
        yield ("findings", name), text
    for index, rule in enumerate(pack.raw.get("rules") or []):
        for key in ("title", "reason"):
            if isinstance(rule.get(key), dict):
                yield ("rules", index, key), rule[key]
        for f_index, finding in enumerate(rule.get("findings") or []):
            if isinstance(finding.get("message"), dict):
                yield ("rules", index, "findings", f_index, "message"), finding["message"]


def pack_problems(rulesets: Iterable[RuleSet]) -> list[Problem]:
    """Names a checklist needs from the packs, and English that only copies the Chinese."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for ruleset in rulesets:
        base = ruleset.packs[0]
        for finding in ENGINE_FINDINGS:
            if finding not in ruleset.findings and base.id not in seen:
                problems.append(base.source.problem(("findings",), "engine_finding_unnamed", name=finding))
        for pack in ruleset.packs:
            if pack.id in seen:
                continue
            seen.add(pack.id)
            for path, text in _texts(pack):
                zh, en = str(text.get("zh", "")), str(text.get("en", ""))
                if zh and en and (zh == en or not LATIN.search(en)) and not LATIN.search(zh):
                    problems.append(pack.source.problem(path + ("en",), "english_untranslated", severity="warning",
                                                        value=en))
    return problems


def render_problems(templates: Path, rulesets: Iterable[RuleSet]) -> list[Problem]:
    """Each template of ``templates`` rendered in both languages for a sample application (the first
    fixture of the packs that is a valid application): a template can compile, name only known
    labels and still fail when it runs (a field the view has not got, a filter given the wrong
    thing, a bound exceeded), and that should surface here, not in an applicant's checklist."""
    import datetime as dt

    from . import application as application_module
    from .errors import IcpRulesError, TemplateError
    from .evaluate import evaluate

    sample = None
    for ruleset in rulesets:
        for fixture in ruleset.fixtures.values():
            try:
                app = application_module.load(fixture)
                sample = evaluate(ruleset, app, app.submitted_on or dt.date.today())
            except IcpRulesError:
                continue
            break
        if sample is not None:
            break
    if sample is None:
        return []
    found: dict[str, Problem] = {}
    for fmt in render.TEMPLATE_FILES:
        for lang in render.LANGS:
            try:
                render.render(sample, format=fmt, lang=lang, templates=templates)
            except TemplateError as exc:
                for problem in exc.problems:
                    found.setdefault(problem.format(), problem)
    return list(found.values())


def problems(rulesets: Iterable[RuleSet], templates: Path | None = None) -> list[Problem]:
    """Every missing or doubtful translation, and every template that cannot render, errors first."""
    rulesets = list(rulesets)
    found = pack_problems(rulesets) + template_problems(templates) + value_name_problems()
    if templates is not None:
        known = {p.format() for p in found}
        found += [p for p in render_problems(templates, rulesets) if p.format() not in known]
    return sorted(found, key=lambda p: p.severity != "error")

