"""``icp-rules``: a thin shell over the library. Messages are formatted in ``report`` only.

Exit codes (SPEC §6): 0 done, no blocking finding; 1 done with blocking findings, failing pack
tests or invalid packs (validate); 2 bad input or usage; 3 an internal error (a bug: please report).
"""

from __future__ import annotations

import gc

# Importing click and the modules below allocates many objects that live as long as the process:
# the cycle collector would walk them some twenty times for nothing (a few ms of every command).
_COLLECTING = gc.isenabled()
gc.disable()

import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

import click  # noqa: E402

from . import bundled, provinces  # noqa: E402
from .errors import IcpRulesError, InputError, PackError, Problem, problem, shown  # noqa: E402
from .messages import DEFAULT_LANG, LANGS  # noqa: E402
from .names import FORMAT_NAMES, LANG_NAMES, VALUE_NAMES  # noqa: E402
from .messages import counted, text as message_text  # noqa: E402

if _COLLECTING:
    gc.enable()

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def report(error: IcpRulesError, lang: str = DEFAULT_LANG) -> None:
    """The one place problems become text on stderr, in the reader's language (--lang)."""
    for problem in error.problems:
        report_problem(problem, lang)


def report_problem(problem: Problem, lang: str = DEFAULT_LANG) -> None:
    tag = message_text("tag_warning" if problem.severity == "warning" else "tag_error", lang)
    click.echo(f"{tag}: {problem.format(lang)}", err=True)


def say(message_id: str, lang: str = DEFAULT_LANG, *, err: bool = False, **args: Any) -> None:
    """Print one line of the catalogue (engine/messages.py) in ``lang``: summaries and refusals. As
    every problem (errors.shown): a number it quotes (a file name, an internal error's text) masked."""
    click.echo(shown(message_text(message_id, lang, args)), err=err)


def argv_lang(args: Any) -> str:
    """The ``--lang`` of a command line, for what is printed before (or without) click parsing it:
    usage errors, an interruption, an internal error. Chinese unless it names a language."""
    words = [str(w) for w in (sys.argv[1:] if args is None else args)]
    lang = DEFAULT_LANG
    for i, word in enumerate(words):
        if word == "--":
            break
        if word == "--lang" and i + 1 < len(words):
            lang = words[i + 1]
        elif word.startswith("--lang="):
            lang = word.split("=", 1)[1]
    return lang if lang in LANGS else DEFAULT_LANG


class Usage(click.UsageError):
    """A usage error of our own: a message id of the catalogue and its arguments."""

    def __init__(self, message_id: str, **args: Any):
        super().__init__(message_text(message_id, "en", args))
        self.message_id, self.message_args = message_id, args


class BadValue(click.BadParameter):
    """A value an option's own check refuses: a message id of the catalogue and its arguments
    (and the value probably meant, said as "did you mean")."""

    def __init__(self, message_id: str, suggestion: str | None = None, **args: Any):
        super().__init__(message_text(message_id, "en", args))
        self.message_id, self.message_args, self.suggestion = message_id, args, suggestion


class Choice(click.Choice):
    """click.Choice whose refusal keeps the value and the choices, so it is said in the reader's
    language, with the choice probably meant: a label or a synonym of it (company: enterprise,
    个人: individual, names.synonym), else the closest spelling."""

    def __init__(self, choices: Any, names: dict[str, dict[str, str]] | None = None):
        super().__init__(choices)
        self.names = names

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            from .names import synonym
            from .suggest import closest

            options = [str(c) for c in self.choices]
            meant = synonym(value, options, self.names) or closest(value, options)
            error = _refused("not_one_of", param, ctx, value=str(value), options=options)
            error.suggestion = meant
            raise error from None


def _refused(message_id: str, param: click.Parameter | None, ctx: click.Context | None, **args: Any) -> BadValue:
    error = BadValue(message_id, **args)
    error.ctx, error.param = ctx, param
    return error


class _Range:
    """A closed range of numbers whose refusal keeps the value and the bounds, so it is said in the
    reader's language (click says it in English)."""

    number: click.ParamType
    not_a_number: str
    min: Any
    max: Any

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = super().convert(value, param, ctx)  # type: ignore[misc]
        except click.BadParameter:
            pass
        else:
            if number == number:
                return number
            # NaN: click's range lets it through (no comparison with NaN is true), and a NaN limit
            # never trips (--fail-under nan passed every run) or breaks the timers (--body-timeout nan)
            raise _refused(self.not_a_number, param, ctx, value=str(value)) from None
        try:
            self.number.convert(value, param, ctx)
        except click.BadParameter:
            raise _refused(self.not_a_number, param, ctx, value=str(value)) from None
        low, high = (None if b is None else format(b, "g") for b in (self.min, self.max))
        if low is not None and high is not None:
            raise _refused("cli_not_in_range", param, ctx, value=str(value), low=low, high=high) from None
        if low is not None:
            raise _refused("cli_below_minimum", param, ctx, value=str(value), low=low) from None
        raise _refused("cli_above_maximum", param, ctx, value=str(value), high=high) from None


class IntRange(_Range, click.IntRange):
    number, not_a_number = click.INT, "cli_not_integer"

    def __init__(self, min: int | None = None, max: int | None = None):  # noqa: A002 (click's names)
        super().__init__(min, max)  # closed bounds only: the messages say "at least", "at most"


class FloatRange(_Range, click.FloatRange):
    number, not_a_number = click.FLOAT, "cli_not_number"

    def __init__(self, min: float | None = None, max: float | None = None):  # noqa: A002
        super().__init__(min, max)


class PathType(click.Path):
    """click.Path whose refusals (missing, a file where a directory goes, no permission) are said in
    the reader's language."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            refused = exc
        import stat

        name = os.fsdecode(value)
        try:
            mode = os.stat(value).st_mode
        except OSError:
            raise _refused("cli_path_missing", param, ctx, value=name) from None
        if not self.file_okay and stat.S_ISREG(mode):
            raise _refused("cli_path_is_file", param, ctx, value=name) from None
        if not self.dir_okay and stat.S_ISDIR(mode):
            raise _refused("cli_path_is_directory", param, ctx, value=name) from None
        if self.readable and not os.access(value, os.R_OK):
            raise _refused("cli_path_not_readable", param, ctx, value=name) from None
        if self.writable and not os.access(value, os.W_OK):
            raise _refused("cli_path_not_writable", param, ctx, value=name) from None
        raise refused


def _param_name(param: click.Parameter | None, ctx: click.Context | None) -> str:
    if param is None:
        return ""
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return param.human_readable_name


def _options_named(command: click.Command, name: str) -> list[click.Option]:
    """Every option called ``name`` in ``command`` and its subcommands."""
    found = [p for p in command.params if isinstance(p, click.Option) and name in p.opts + p.secondary_opts]
    for sub in getattr(command, "commands", {}).values():
        found += _options_named(sub, name)
    return found


def usage_error_text(exc: click.ClickException, lang: str, root: click.Command | None = None) -> str:
    """A click usage error as we print every problem: in ``lang``, from the error's data (never
    from click's own wording, which is English); the usage line and the help hint first."""
    from .suggest import closest

    def t(message_id: str, **args: Any) -> str:
        return message_text(message_id, lang, args)

    ctx = getattr(exc, "ctx", None)
    suggestion = None
    no_such_command = getattr(click.exceptions, "NoSuchCommand", None)
    if isinstance(exc, Usage) or (isinstance(exc, BadValue) and exc.param is None):
        message = t(exc.message_id, **exc.message_args)
    elif isinstance(exc, BadValue):
        message = t("cli_bad_value", name=_param_name(exc.param, ctx),
                    reason=(exc.message_id, tuple(exc.message_args.items())))
        suggestion = exc.suggestion
    elif isinstance(exc, click.NoSuchOption):
        message = t("cli_no_such_option", name=exc.option_name)
        suggestion = exc.possibilities[0] if exc.possibilities else None
    elif no_such_command is not None and isinstance(exc, no_such_command):
        message = t("cli_no_such_command", name=exc.command_name)
        suggestion = closest(exc.command_name, list(exc.possibilities))
    elif isinstance(exc, click.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        message = t("cli_missing_argument" if kind == "argument" else "cli_missing_option",
                    name=_param_name(exc.param, ctx))
    elif isinstance(exc, click.BadOptionUsage) and (ctx is not None or root is not None):
        # click says an option needs a value or takes none; which, the option itself tells
        options = _options_named(ctx.command if ctx is not None else root, exc.option_name)  # type: ignore[arg-type]
        if options and not any(o.is_flag for o in options):
            message = t("cli_option_needs_value", name=exc.option_name)
        elif options and all(o.is_flag for o in options):
            message = t("cli_option_takes_no_value", name=exc.option_name)
        else:
            message = t("cli_usage_other", detail=exc.format_message())
    elif isinstance(exc, click.BadParameter):
        message = t("cli_bad_value", name=_param_name(exc.param, ctx), reason=("cli_detail", (("detail", exc.message),)))
    else:
        message = t("cli_usage_other", detail=exc.message)
    if suggestion:
        message += message_text("did_you_mean", lang, {"suggestion": suggestion})
    lines = []
    if ctx is not None:
        pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
        lines.append(t("cli_usage", usage=f"{ctx.command_path} {pieces}".rstrip()))
        help_names = ctx.command.get_help_option_names(ctx)
        if help_names:
            lines.append(t("cli_try_help", command=f"{ctx.command_path} {max(help_names, key=len)}"))
    lines.append(f"{message_text('tag_error', lang)}: {shown(message)}")  # as every problem: a number typed is masked
    return "\n".join(lines)


class Command(click.Command):
    """A command whose refusal of extra arguments names them in the reader's language."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        allowed = ctx.allow_extra_args
        ctx.allow_extra_args = True  # click would refuse them in English; they are refused below
        try:
            rest = super().parse_args(ctx, args)
        finally:
            ctx.allow_extra_args = allowed
        if ctx.args and not allowed and not ctx.resilient_parsing:
            error = Usage("cli_extra_arguments", arguments=list(ctx.args))
            error.ctx = ctx
            raise error
        return rest


class Group(click.Group):
    """The command group: click's usage errors are printed by ``usage_error_text``, in the reader's language."""

    command_class = Command
    group_class = type  # subgroups (bundle) are Groups too

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            click.echo(usage_error_text(exc, argv_lang(args), self), err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo(message_text("cli_aborted", argv_lang(args)), err=True)
            sys.exit(1)
        # Not standalone, click returns a command's value or the code of ctx.exit (--help, --version).
        sys.exit(result if isinstance(result, int) else 0)


def handles_errors(exit_code: int = EXIT_INPUT) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except IcpRulesError as exc:
                report(exc, kwargs.get("lang", DEFAULT_LANG))
                raise SystemExit(exit_code) from None

        return wrapper  # type: ignore[return-value]

    return decorate


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadValue("as_of_not_date", value=value) from None


def output_target(output: str | None, *, force: bool, inputs: tuple[Path, ...] = ()) -> Path | None:
    """Where to write (None: standard output), checked before any work is recorded: never an
    input, never an existing file unasked."""
    if output is None or output == "-":
        return None
    from .output import check_target

    return check_target(output, force=force, inputs=inputs)


def write_output(text: str, target: Path | None) -> None:
    """Print, or write the checked target atomically."""
    if target is None:
        click.echo(text, nl=False)
        return
    from .output import atomic_writer

    with atomic_writer(target) as handle:
        handle.write(text)


def _load_book(packs: str | None, backend: str = "python") -> Any:
    from .rulebook import RuleBook

    return RuleBook.load(packs, backend=backend)


def _open_audit(path: str | None, inputs: tuple[Path, ...] = (), outputs: tuple[Path, ...] = ()) -> Any:
    if path is None:
        return None
    from .audit import AuditLog

    return AuditLog(path, inputs=inputs, outputs=outputs)


audit_option = click.option("--audit", "audit_file", type=PathType(dir_okay=False), default=None,
                            help="Append one JSON decision record per evaluation to FILE (never truncated).")
packs_option = click.option("--packs", "packs_dir", type=PathType(file_okay=False), default=None,
                            help="Directory of rule packs (default: the bundled packs).")
lang_option = click.option("--lang", type=Choice(LANGS, LANG_NAMES), default=DEFAULT_LANG, show_default=True,
                           help="Language of what is printed, error messages included: zh (Chinese) or en.")
backend_option = click.option(
    "--backend", type=Choice(["python", "durable"]), default="python", show_default=True,
    help="What decides which rules fire: compiled Python (the reference) or durable_rules "
         "(needs icp-rulepacks[durable]; same results, see docs/backends.md).")


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="icp-rulepacks", prog_name="icp-rules")
def cli() -> None:
    """Check China ICP filing applications against provincial rule packs."""


@cli.command()
@click.argument("application", type=PathType(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=Choice(["md", "html", "text", "json"], FORMAT_NAMES), default="md", show_default=True)
@lang_option
@click.option("--templates", "templates_dir", type=PathType(file_okay=False), default=None,
              help="Directory of templates (checklist.md.j2, checklist.html.j2, checklist.text.j2, labels.yaml) "
                   "replacing the bundled ones.")
@click.option("--width", type=IntRange(20, 1000), default=None,
              help="Wrap text output to this many columns (default: the terminal's width).")
@click.option("--as-of", "as_of", callback=_parse_date, help="Apply the rules in force on this date (YYYY-MM-DD).")
@packs_option
@click.option("-o", "--output", default=None, help="Write to FILE instead of standard output.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--no-mask", is_flag=True, help="Show ID and certificate numbers in full.")
@click.option("--max-bytes", "max_bytes", type=IntRange(min=1), default=None,
              help="Refuse application files larger than this (default: $ICP_RULES_MAX_BYTES, else 1 MiB).")
@audit_option
@backend_option
@handles_errors()
def check(application: str, fmt: str, lang: str, templates_dir: str | None, width: int | None,
          as_of: dt.date | None, packs_dir: str | None, output: str | None, force: bool, no_mask: bool,
          max_bytes: int | None, audit_file: str | None, backend: str) -> None:
    """Print the checklist of documents APPLICATION must bring."""
    with _no_cycle_collection():
        _check(application, fmt, lang, templates_dir, width, as_of, packs_dir, output, force, no_mask, max_bytes,
               audit_file, backend)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector for a one-shot command.

    Loading packs allocates many small objects, which sets off a hundred collections that find
    nothing to free (a tenth of a cold `check`); reference counting still frees everything else.
    The previous state is restored, for callers that run commands in-process; not in the console
    script's own process, which ends with the command: there, turning the collector back on would
    only set off one collection of everything the command allocated, and another as Python exits.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled and not _process_ends_with_command:
            gc.enable()


# Set by ``main`` when it runs as the console script (no arguments given: they come from sys.argv).
_process_ends_with_command = False


def _check(application: str, fmt: str, lang: str, templates_dir: str | None, width: int | None,
           as_of: dt.date | None, packs_dir: str | None, output: str | None, force: bool, no_mask: bool,
           max_bytes: int | None, audit_file: str | None, backend: str) -> None:
    from . import application as application_module
    from .rulebook import RuleBook

    # The application first: a broken one is reported without loading any pack, and then only
    # the national pack and its province's pack are loaded (validate checks all of them).
    app = _read_application(application, max_bytes)
    book = RuleBook.load(packs_dir, only=[app.province.key], backend=backend)
    result = book.evaluate(app, as_of=as_of)
    # Everything that can still fail (the templates, the output path) before the audit records
    # a decision that would then never reach the applicant.
    text = result.render(format=fmt, lang=lang, masked=not no_mask, templates=templates_dir, width=width)
    target = output_target(output, force=force, inputs=(Path(application),))
    audit = _open_audit(audit_file, inputs=(Path(application),), outputs=(target,) if target else ())
    if audit is not None:
        with audit:
            audit.log(result, source=application)
    for warning in result.application.warnings:
        report_problem(warning, lang)
    write_output(text, target)
    raise SystemExit(EXIT_FINDINGS if result.blocking else EXIT_OK)


def _read_application(application: str, max_bytes: int | None) -> Any:
    """The checked application from a file, or from standard input for ``-`` (``icp-rules init | icp-rules check -``)."""
    from . import application as application_module

    if application != "-":
        return application_module.load(application, max_bytes=max_bytes)
    from .errors import problem
    from .source import MAX_BYTES_ENV, decode_text, default_max_bytes, parse_text

    limit = max_bytes or default_max_bytes()
    raw = sys.stdin.buffer.read(limit + 1)
    if len(raw) > limit:
        raise InputError([problem("file_grew", file="<stdin>", limit=limit, env=MAX_BYTES_ENV)])
    return application_module.check_document(parse_text(decode_text(raw, "<stdin>"), "<stdin>"))


@cli.command()
@click.option("--province", default=None, help="The filing province, in any spelling (guangdong, 44, 粤, 广东).")
@click.option("--type", "subject_type", type=Choice(list(VALUE_NAMES["subject_type"])), default="individual",
              show_default=True, help="The subject's type.")
@click.option("--service", "service_type", type=Choice(list(VALUE_NAMES["service_type"])), default="website",
              show_default=True, help="What is filed.")
@lang_option
@click.option("-o", "--output", default=None, help="Write to FILE instead of standard output.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@handles_errors()
def init(province: str | None, subject_type: str, service_type: str, lang: str, output: str | None,
         force: bool) -> None:
    """Print a commented application template: fill in each empty field, then `icp-rules check FILE`
    (which names each one still empty, with its line)."""
    from .starter import template

    text = template(province=province, subject_type=subject_type, service_type=service_type, lang=lang)
    write_output(text, output_target(output, force=force))


def _validate_targets(targets: tuple[str, ...], packs_dir: str | None) -> tuple[list[str], list[Any]]:
    """Validate pack files, directories or pack names; returns the names checked and their rule sets.

    Raises PackError with every problem."""
    from .targets import resolve

    checked, rulesets = [], []
    for target in resolve(targets, packs_dir):
        for key in target.keys if target.keys is not None else sorted(target.book.packs):
            checked.append(key)
            rulesets.append(target.book.rulesets[key])
    return checked, rulesets


@cli.command()
@click.argument("packs", nargs=-1, type=PathType())
@packs_option
@click.option("--templates", "templates_dir", type=PathType(file_okay=False, exists=True), default=None,
              help="Also check a directory of checklist templates and its labels.yaml.")
@lang_option
def validate(packs: tuple[str, ...], packs_dir: str | None, templates_dir: str | None, lang: str) -> None:
    """Check rule packs (files, directories or names such as guangdong or 粤; default: every pack) against the schema and the facts,
    and that everything a checklist shows exists in Chinese and English."""
    from . import translations

    try:
        checked, rulesets = _validate_targets(packs, packs_dir)
        missing = translations.problems(rulesets, Path(templates_dir) if templates_dir else None)
        if any(p.severity == "error" for p in missing):
            raise PackError(missing)
    except InputError as exc:  # a pack name that names no pack: bad input, not a bad pack
        report(exc, lang)
        raise SystemExit(EXIT_INPUT) from None
    except IcpRulesError as exc:
        report(exc, lang)
        errors = len(exc.errors)
        say("validate_problems", lang, err=True, count=counted("n_problem", errors))
        raise SystemExit(EXIT_FINDINGS) from None
    if missing:
        report(PackError(missing), lang)
    say("validate_ok", lang, count=counted("n_pack", len(checked)), packs=checked)


def _lint_targets(targets: tuple[str, ...], packs_dir: str | None, today: dt.date | None) -> list[Problem]:
    """Lint directories, pack files or pack names (in --packs); loading problems count as errors."""
    from .lint import distinct, lint
    from .targets import resolve

    problems: list[Problem] = []
    for target in resolve(targets, packs_dir, problems=problems):
        problems.extend(lint(target.book, packs=target.keys, today=today))
    return distinct(problems)  # what is no pack's own (the list of top-level domains) is found by every book


@cli.command()
@click.argument("packs", nargs=-1)
@packs_option
@click.option("--as-of", "as_of", callback=_parse_date, help="Judge review_by and effective_until dates as of this day.")
@lang_option
@handles_errors()
def lint(packs: tuple[str, ...], packs_dir: str | None, as_of: dt.date | None, lang: str) -> None:
    """Find contradictions, overlaps, stale dates, missing sources and unused documents in rule packs.

    PACKS are directories, pack files or pack names (default: every pack). Exit 1 on errors;
    warnings are shown but do not fail.
    """
    problems = _lint_targets(packs, packs_dir, as_of)
    if problems:
        report(PackError(problems), lang)
    errors = sum(1 for p in problems if p.severity != "warning")
    warnings = len(problems) - errors
    say("lint_summary", lang, errors=counted("n_error", errors), warnings=counted("n_warning", warnings))
    raise SystemExit(EXIT_FINDINGS if errors else EXIT_OK)


@cli.command("test")
@click.argument("packs", nargs=-1, metavar="[PACKS]...")
@packs_option
@click.option("--cases", "cases", multiple=True, type=PathType(),
              help="A case file, or a directory of YAML case files (same format as a pack's tests:). Repeatable.")
@click.option("--coverage", is_flag=True,
              help="Report condition coverage: which outcomes (true, false, unknown) the cases gave each condition; "
                   "fail if a rule never fires.")
@click.option("--format", "fmt", type=Choice(["text", "json", "junit"]), default=None,
              help="Coverage report format (implies --coverage; json and junit go to standard output or -o, "
                   "the pass/fail lines to standard error).")
@click.option("--fail-under", "fail_under", type=FloatRange(0, 100), default=None,
              help="Fail when condition coverage is below this percentage (implies --coverage).")
@click.option("-o", "--output", default=None, help="Write the coverage report to FILE.")
@click.option("--force", is_flag=True, help="Replace the report file if it exists.")
@click.option("-v", "--verbose", is_flag=True, help="Name every test case.")
@backend_option
@lang_option
def test_command(packs: tuple[str, ...], packs_dir: str | None, cases: tuple[str, ...], coverage: bool,
                 fmt: str | None, fail_under: float | None, output: str | None, force: bool, verbose: bool,
                 backend: str, lang: str) -> None:
    """Run the test cases inside rule packs (default: every pack) and in case files (--cases).

    PACKS are pack files, directories or pack names such as guangdong or 粤 (in --packs)."""
    from . import packtests
    from .targets import resolve

    coverage = coverage or fmt is not None or fail_under is not None
    try:
        target = output_target(output, force=force) if coverage else None
        extra = packtests.load_cases(cases)  # before the packs: a mistyped directory fails at once
        # case files may name any pack: with them, a named pack's whole directory is loaded
        books = resolve(packs, packs_dir, backend=backend, whole_directory=bool(cases))
        if cases and len(books) > 1:
            raise Usage("cli_cases_one_book", directories=[str(b.book.directory) for b in books])
        recorders: list[Any] = []
        outcomes = []
        for index, each in enumerate(books):
            recorder = None
            if coverage:
                from .coverage import Recorder

                recorder = Recorder(each.book)
                recorders.append((recorder, each.keys))
            outcomes += packtests.run_all(each.book, each.keys, extra if index == 0 else (),
                                          observe=recorder.observe if recorder else None)
    except PackError as exc:  # the packs or the case files are invalid: the tests cannot pass
        report(exc, lang)
        raise SystemExit(EXIT_FINDINGS) from None
    except IcpRulesError as exc:  # bad input, e.g. --backend durable where durable-rules is missing
        report(exc, lang)
        raise SystemExit(EXIT_INPUT) from None
    # With a machine-readable report on standard output, the case lines go to standard error.
    to_err = fmt in ("json", "junit") and target is None
    failed = [o for o in outcomes if not o.passed]
    for outcome in outcomes:
        if outcome.passed and verbose:
            click.echo(f"PASS {outcome.pack}: {outcome.name}", err=to_err)
        elif not outcome.passed:
            click.echo("FAIL " + outcome.describe(lang), err=to_err)
    code = EXIT_FINDINGS if failed else EXIT_OK
    if coverage:
        from .coverage import Report

        cover = Report([p for recorder, keys in recorders for p in recorder.report(keys).packs])
        text = {"json": lambda: json.dumps(cover.to_dict(), ensure_ascii=False, indent=2) + "\n",
                "junit": cover.junit}.get(fmt or "text", lambda: cover.text(lang))()
        write_output(text, target)
        if any(p.rules_never_fired for p in cover.packs):
            code = EXIT_FINDINGS
        if fail_under is not None and cover.percent < fail_under:
            say("coverage_below", lang, err=True, percent=f"{cover.percent:.1f}", limit=f"{fail_under:g}")
            code = EXIT_FINDINGS
    say("test_summary", lang, err=to_err, passed=len(outcomes) - len(failed), failed=len(failed))
    raise SystemExit(code)


@cli.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=PathType())
@click.option("--check", is_flag=True, help="Change nothing; list the files that are not formatted and exit 1 if any.")
@lang_option
def fmt_command(paths: tuple[str, ...], check: bool, lang: str) -> None:
    """Give rule packs and case files (PATHS: files or directories) one canonical layout.

    Comments, key order, quoting and blank lines are kept; only indentation and the wrapping of
    {…} and […] change. A file is rewritten only if it still means exactly the same data."""
    from .fmt import format_paths

    try:
        outcomes, problems = format_paths(paths, write=not check)
    except IcpRulesError as exc:
        report(exc, lang)
        raise SystemExit(EXIT_INPUT) from None
    changed = [o for o in outcomes if o.changed]
    for outcome in changed:
        say("fmt_would_reformat" if check else "fmt_reformatted", lang, file=str(outcome.file))
    if problems:
        report(InputError(problems), lang)
    files = len(outcomes)
    say("fmt_summary_check" if check else "fmt_summary", lang, err=True, changed=counted("n_file", len(changed)),
        same=files - len(changed), problems=("fmt_problems", (("count", counted("n_problem", len(problems))),))
        if problems else None)
    if problems:
        raise SystemExit(EXIT_INPUT)
    raise SystemExit(EXIT_FINDINGS if check and changed else EXIT_OK)


@cli.command()
@click.argument("application", type=PathType(dir_okay=False, allow_dash=False))
@click.option("--rule", "rule", default=None, help="Explain this rule only (default: every rule of the province).")
@lang_option
@click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)
@click.option("--as-of", "as_of", callback=_parse_date, help="Apply the rules in force on this date (YYYY-MM-DD).")
@packs_option
@handles_errors()
def explain(application: str, rule: str | None, lang: str, fmt: str, as_of: dt.date | None, packs_dir: str | None) -> None:
    """Say why each rule matched, did not match, is not in force or could not be decided for APPLICATION."""
    book = _load_book(packs_dir)
    explanation = book.explain(application, rule=rule, as_of=as_of)
    if fmt == "json":
        click.echo(json.dumps(explanation.to_dict(lang), ensure_ascii=False, indent=2))
    else:
        click.echo(explanation.text(lang), nl=False)


@cli.command("diff")
@click.argument("old_dir", type=PathType(file_okay=False))
@click.argument("new_dir", type=PathType(file_okay=False))
@click.option("--applications", "applications", multiple=True, type=PathType(),
              help="An application file or a directory of them, evaluated under both versions. Repeatable.")
@click.option("--as-of", "as_of", callback=_parse_date, help="Evaluate on this date (default: each application's submitted_on).")
@click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)
@click.option("--report", "report_file", type=PathType(dir_okay=False), default=None,
              help="Also write one HTML page: the rule changes, and which checklists change and how (in --lang).")
@lang_option
@click.option("--force", is_flag=True, help="Replace the report file if it exists.")
@handles_errors()
def diff_command(old_dir: str, new_dir: str, applications: tuple[str, ...], as_of: dt.date | None, fmt: str,
                 report_file: str | None, lang: str, force: bool) -> None:
    """Rules added, removed and changed from OLD_DIR to NEW_DIR, and whose checklist that changes."""
    from .diff import application_files, diff
    from .rulebook import RuleBook

    files = application_files(applications)  # before loading two versions of every pack
    report_target = output_target(report_file, force=force, inputs=tuple(files)) if report_file else None
    old_book, new_book = RuleBook.load(old_dir), RuleBook.load(new_dir)
    result = diff(old_book, new_book, files, as_of=as_of)
    if report_target is not None:
        from .report import diff_report

        # the checklist lines name documents in the report's language (the text output stays English)
        shown = result if lang == "en" else diff(old_book, new_book, files, as_of=as_of, lang=lang)
        write_output(diff_report(shown, lang=lang, book=new_book), report_target)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(result.text(), nl=False)


@cli.command("provinces")
@click.option("--format", "fmt", type=Choice(["text", "json", "md"]), default="text", show_default=True,
              help="md: every province's requirements and sources, as in docs/provinces.md.")
@packs_option
@lang_option
@handles_errors()
def provinces_command(fmt: str, packs_dir: str | None, lang: str) -> None:
    """List the provinces, their codes and whether a pack exists for each."""
    book = _load_book(packs_dir)
    if fmt == "md":
        from .packdocs import provinces_markdown

        click.echo(provinces_markdown(book), nl=False)
        return
    rows = book.province_rows()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['key']:<13} {row['code']}  {row['abbr']}  {row['name']:<10}\t{row['pack']}")


@cli.command()
@click.argument("name", type=Choice(bundled.SCHEMA_NAMES), required=False)
@click.option("--write", "write_dir", type=PathType(file_okay=False), default=None,
              help="Write NAME.schema.json (without NAME: every schema) into DIR instead of printing, e.g. into "
                   "your own pack repository for the editor.")
@click.option("--force", is_flag=True, help="Replace schema files that differ from these.")
@lang_option
@handles_errors()
def schema(name: str | None, write_dir: str | None, force: bool, lang: str) -> None:
    """Print a JSON Schema (application, rulepack or result), or write them with --write DIR."""
    if write_dir is None:
        if name is None:
            raise Usage("cli_schema_name")
        click.echo(bundled.schema_text(name), nl=False)
        return
    directory = Path(write_dir)
    if not directory.is_dir():
        raise InputError([problem("cli_no_directory", file=str(directory))])
    for each in [name] if name else list(bundled.SCHEMA_NAMES):
        text = bundled.schema_text(each)
        target = directory / f"{each}.schema.json"
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            say("schema_unchanged", lang, file=str(target))
            continue
        write_output(text, output_target(str(target), force=force))
        say("schema_wrote", lang, file=str(target))


@cli.group("bundle")
def bundle_group() -> None:
    """Signed pack bundles: one file of packs (and templates) that a server verifies before use."""


@bundle_group.command("build")
@click.argument("packs_dir", metavar="DIR", type=PathType(file_okay=False))
@click.option("-o", "--output", required=True, help="The bundle file to write.")
@click.option("--signing-key", "signing_key", required=True, type=PathType(dir_okay=False),
              help="Ed25519 private key, PEM (openssl genpkey -algorithm ed25519 -out KEY.pem).")
@click.option("--templates", "templates_dir", type=PathType(file_okay=False, exists=True), default=None,
              help="Also bundle this directory of checklist templates.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@lang_option
@handles_errors()
def bundle_build(packs_dir: str, output: str, signing_key: str, templates_dir: str | None, force: bool,
                 lang: str) -> None:
    """Check the packs of DIR, then write them (and --templates) as one signed bundle."""
    from . import bundle
    from .rulebook import RuleBook

    directory = Path(packs_dir)
    members = bundle.members_of(directory, Path(templates_dir) if templates_dir else None)
    target = output_target(output, force=force, inputs=tuple(members.values()))
    key = bundle.load_private_key(signing_key)  # a bad key is reported before the packs are loaded
    book = RuleBook.load(directory)  # never sign packs that do not load
    if templates_dir:
        from . import translations

        missing = [p for p in translations.problems(list(book.rulesets.values()), Path(templates_dir))
                   if p.severity == "error"]
        if missing:
            raise PackError(missing)
    data = bundle.build({name: path.read_bytes() for name, path in members.items()}, key)
    assert target is not None  # -o - is not a file to sign into
    from .output import atomic_writer

    with atomic_writer(target, binary=True) as handle:
        handle.write(data)
    say("bundle_wrote", lang, file=str(target), files=counted("n_file", len(members)),
        packs=counted("n_pack", len(book.packs)), key=bundle.key_id(key.public_key()))


@bundle_group.command("verify")
@click.argument("bundle_file", metavar="FILE", type=PathType(dir_okay=False))
@click.option("--public-key", "public_key", required=True, type=PathType(dir_okay=False),
              help="Ed25519 public key, PEM (openssl pkey -in KEY.pem -pubout -out KEY.pub).")
@click.option("-v", "--verbose", is_flag=True, help="List every member with its digest.")
@lang_option
@handles_errors()
def bundle_verify(bundle_file: str, public_key: str, verbose: bool, lang: str) -> None:
    """Check FILE's signature and every member's digest; exit 0 if it verifies, else 2.

    The packs inside are then loaded and checked as validate would (exit 1 if they are invalid)."""
    from . import bundle
    from .rulebook import RuleBook

    verified = bundle.verify(bundle_file, public_key)
    try:
        book = RuleBook.load(bundle_file, public_key=public_key)
    except PackError as exc:
        report(exc, lang)
        raise SystemExit(EXIT_FINDINGS) from None
    say("bundle_verified", lang, file=bundle_file, key=verified.key_id, files=counted("n_file", len(verified.members)),
        packs=counted("n_pack", len(book.packs)), names=sorted(book.packs))
    if verbose:
        for line in bundle.describe(verified):
            click.echo(line)


@cli.command()
@click.argument("input_file", metavar="IN.jsonl", type=PathType(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", default="-", show_default=True, help="Write results to FILE (JSONL; - for standard output).")
@click.option("--jobs", "-j", type=IntRange(min=1), default=None,
              help="Worker processes (default: the number of cores).")
@lang_option
@click.option("--as-of", "as_of", callback=_parse_date, help="Apply the rules in force on this date (YYYY-MM-DD).")
@packs_option
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--report", "report_file", type=PathType(dir_okay=False), default=None,
              help="Also write one HTML page with counts by province, the most frequent blocking problems and "
                   "supplementary documents, and the lines that failed (in --lang).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Check on the workers of this Dask distributed scheduler (e.g. tcp://10.0.0.5:8786) "
                   "instead of local processes; the packs travel with the job (docs/scale.md).")
@audit_option
@handles_errors()
def batch(input_file: str, output: str, jobs: int | None, lang: str, as_of: dt.date | None,
          packs_dir: str | None, force: bool, report_file: str | None, scheduler: str | None,
          audit_file: str | None) -> None:
    """Check one application per line of IN.jsonl; write one JSON result per line, in input order.

    A line that cannot be checked becomes {"line": N, "error": {...}} in its place and the batch
    goes on. Exit 1 if any line failed, else 0 (blocking findings are in the results and the summary).
    """
    from . import batch as batch_module
    from .output import check_target

    if scheduler is not None and jobs is not None:
        raise Usage("cli_jobs_with_scheduler")
    book = _load_book(packs_dir)
    inputs = (Path(input_file),) if input_file != "-" else ()
    target = check_target(output, force=force, inputs=inputs) if output != "-" else None
    report_target = check_target(report_file, force=force, inputs=inputs, outputs=(target,) if target else ()) \
        if report_file else None
    page = None
    if report_target is not None:
        from .report import BatchReport, TeeWriter

        page = BatchReport(book, lang=lang, source=input_file)
    client = None
    if scheduler is not None:  # before the audit file is opened: an unreachable cluster records nothing
        from . import cluster

        client = cluster.connect(scheduler)
    outputs = tuple(p for p in (target, report_target) if p is not None)
    audit = _open_audit(audit_file, inputs=inputs, outputs=outputs)
    settings = batch_module.Settings(packs_dir=packs_dir, lang=lang, as_of=as_of,
                                     file=input_file if input_file != "-" else "<stdin>")
    jobs = jobs or batch_module.default_jobs()
    source = batch_module.open_input(input_file)

    def run(out: Any, progress: Any, audit: Any) -> Any:
        if page is not None:
            out = TeeWriter(out, page)
        if client is not None:
            return cluster.run(source, out, book, settings, client=client, audit=audit, progress=progress)
        return batch_module.run(source, out, book, settings, jobs=jobs, audit=audit, progress=progress)

    try:
        with batch_module.stop_on_signals(), _batch_progress(source if input_file != "-" else None, lang) as progress:
            summary = _run_batch(run, target, audit, progress)
    except batch_module.Stopped as stop:
        if target:
            say("batch_stopped_output", lang, err=True, signal=stop.name, output=output)
        else:
            say("batch_stopped", lang, err=True, signal=stop.name)
        raise StoppedExit(stop.exit_code) from None
    finally:
        source.close()
        if audit is not None:
            audit.close()
        if client is not None:
            client.close()
    if page is not None and report_target is not None:
        write_output(page.html(), report_target)
    # The summary is one message made of pieces, each a message of its own (plurals, optional parts).
    failures = None
    if summary.failed:
        more = summary.failed > len(summary.first_failures)
        failures = ("batch_failed_line" if summary.failed == 1 else "batch_failed_lines",
                    (("shown", [str(n) for n in summary.first_failures] + (["…"] if more else [])),))
    say("batch_summary", lang, err=True,
        lines=("batch_line" if summary.lines == 1 else "batch_lines", (("count", f"{summary.lines:,}"),)),
        checked=f"{summary.checked:,}", blocking=f"{summary.blocking:,}", failed=f"{summary.failed:,}",
        failures=failures, seconds=f"{summary.seconds:.1f}", rate=f"{summary.rate:,.0f}",
        where=("batch_on", (("scheduler", scheduler),)) if scheduler
        else ("batch_job" if jobs == 1 else "batch_jobs", (("jobs", jobs),)),
        output=("batch_output", (("output", output),)) if target else None,
        report=("batch_report", (("report", report_file),)) if report_file else None)
    raise SystemExit(EXIT_FINDINGS if summary.failed else EXIT_OK)


def _run_batch(run: Callable[[Any, Any, Any], Any], target: Path | None, audit: Any, progress: Any) -> Any:
    """``run(out, progress, audit)`` to standard output, or to ``target``: locked against a second run
    writing it, written to a temporary file that replaces it only once complete, and with its
    decision records kept aside until then (a result never delivered leaves no record)."""
    if target is None:
        return run(sys.stdout, progress, audit)
    from .audit import DeferredAudit
    from .output import atomic_writer, exclusive

    with exclusive(target):
        deferred = DeferredAudit(audit) if audit is not None else None
        try:
            with atomic_writer(target) as out:
                summary = run(out, progress, deferred)
            if deferred is not None:
                deferred.commit()
        finally:
            if deferred is not None:
                deferred.discard()
    return summary


def _batch_progress(source: Any, lang: str = DEFAULT_LANG) -> Any:
    """A progress bar (share of input read, lines, rate, ETA) on stderr when it is a terminal;
    nothing otherwise. click draws it: one bar does not need a rendering library of its own.

    The bar measures bytes of input read, so it knows the total without counting lines first;
    reading from a pipe, it shows lines and rate without a share.
    """
    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    import itertools
    import time

    total: int | None = None
    if source is not None:
        with contextlib.suppress(OSError):
            total = os.fstat(source.fileno()).st_size or None
    options: dict[str, Any] = dict(label=message_text("batch_progress_label", lang), file=sys.stderr,
                                   item_show_func=lambda text: text)
    bar = (click.progressbar(length=total, show_eta=True, show_percent=True, **options) if total
           else click.progressbar(itertools.repeat(None), **options))
    started = time.perf_counter()

    @contextlib.contextmanager
    def running() -> Any:
        with bar:
            def advance(lines: int, consumed: int) -> None:
                elapsed = time.perf_counter() - started
                rate = lines / elapsed if elapsed else 0.0
                bar.update(consumed, message_text("batch_progress", lang, {"lines": f"{lines:,}", "rate": f"{rate:,.0f}"}))
            yield advance

    return running()


def _require_extra(extra: str, *modules: str) -> None:
    """Exit 2, naming the extra to install, when a command's optional dependencies are missing."""
    import importlib

    missing = []
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise InputError([problem("cli_needs_extra", extra=extra, missing=missing)])


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=IntRange(0, 65535), default=8000, show_default=True)
@packs_option
@click.option("--bundle", "bundle_file", type=PathType(dir_okay=False), default=None,
              help="Serve the packs of a signed bundle (icp-rules bundle build) instead of a directory; "
                   "they load only after the signature and every digest verify.")
@click.option("--public-key", "public_key", type=PathType(dir_okay=False), default=None,
              help="The Ed25519 public key (PEM) that --bundle must verify with.")
@click.option("--watch", is_flag=True, help="Reload the packs when a pack file (or the bundle) changes; a broken "
              "edit or a bundle that does not verify is rejected (logged, and shown on /v1/packs) and the last "
              "good packs keep serving.")
@click.option("--max-body", "max_body", type=IntRange(min=1), default=1024 * 1024, show_default=True,
              help="Largest request body accepted, in bytes (larger: 413).")
@click.option("--workers", type=IntRange(1, 64), default=1, show_default=True,
              help="Server processes sharing the port, each with its own packs (and watcher).")
@click.option("--header-timeout", type=FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a client has to send a request's headers (then 408 and closed).")
@click.option("--body-timeout", type=FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a client has to send a request's body (then 408 and closed).")
@click.option("--max-connections", type=IntRange(min=1), default=1000, show_default=True,
              help="Open connections per process; more are answered 503 and closed at once.")
@audit_option
@lang_option
@handles_errors()
def serve(host: str, port: int, packs_dir: str | None, bundle_file: str | None, public_key: str | None, watch: bool,
          max_body: int, workers: int, header_timeout: float, body_timeout: float, max_connections: int,
          audit_file: str | None, lang: str) -> None:
    """Serve checks over HTTP: POST /v1/check, /v1/explain; GET /v1/provinces, /v1/packs, /v1/rules, /v1/facts,
    /healthz, /openapi.json."""
    _require_extra("serve", "fastapi", "uvicorn", "watchfiles")
    from .live import LiveRuleBook
    from .service import Limits
    from .service import serve as run_service

    if bundle_file is not None and packs_dir is not None:
        raise Usage("cli_packs_or_bundle")
    if (bundle_file is None) != (public_key is None):
        raise Usage("cli_bundle_needs_key")
    # broken packs, or a bundle that does not verify, stop here, exit 2, before any worker starts
    live = LiveRuleBook(packs_dir, bundle=bundle_file, public_key=public_key)
    audit = _open_audit(audit_file)
    limits = Limits(header_timeout=header_timeout, body_timeout=body_timeout, max_connections=max_connections)
    try:
        run_service(live, host=host, port=port, max_body_bytes=max_body, audit=audit, watch=watch,
                    workers=workers, limits=limits, audit_path=str(audit.path) if audit is not None else None)
    finally:
        if audit is not None:
            audit.close()


@cli.command(hidden=True)
def facts() -> None:
    """Print the fact catalogue as Markdown (docs/facts.md)."""
    from .facts import catalogue_markdown

    click.echo(catalogue_markdown(), nl=False)


class StoppedExit(SystemExit):
    """A batch stopped by a signal, cleaned up and reported: the process ends at once."""


def main(argv: list[str] | None = None) -> None:
    """Console entry point: no traceback ever reaches the user."""
    global _process_ends_with_command
    _process_ends_with_command = argv is None
    try:
        cli.main(args=argv, prog_name="icp-rules", standalone_mode=True)
    except StoppedExit as stop:
        # Its output, lock and decision records are already dealt with. The interpreter's own exit
        # would now run concurrent.futures' exit hook on a pool torn down mid-flight, which can
        # wait on a pipe for ever or print a traceback: nothing is left for it to do, so skip it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(stop.code if isinstance(stop.code, int) else EXIT_INTERNAL)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        say("cli_interrupted", argv_lang(argv), err=True)
        raise SystemExit(130) from None
    except RecursionError:
        say("cli_too_deep", argv_lang(argv), err=True)
        raise SystemExit(EXIT_INPUT) from None
    except Exception as exc:  # a bug: say so plainly, without a traceback
        say("cli_internal_error", argv_lang(argv), err=True, kind=type(exc).__name__, detail=str(exc))
        raise SystemExit(EXIT_INTERNAL) from None


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
