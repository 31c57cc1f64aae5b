"""The command line. The only code that parses flags, prints to the terminal or picks an exit code.

Each command group lives in its own module and calls documented library functions; heavy libraries
(pandas, pyarrow, great_expectations, cryptography) are imported inside command bodies, never here, so
``portcheck --help`` stays fast.
"""

from __future__ import annotations

import os
import sys

import click

from portcheck import __version__
from portcheck.errors import EXIT_INTERRUPTED, EXIT_UNUSABLE, PortcheckError


class _Group(click.Group):
    """Keeps commands in the order they were added (the order of the README)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="portcheck")
@click.option("--debug", is_flag=True, envvar="PORTCHECK_DEBUG", help="Show the full traceback of errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Prove, with figures and a signature, whether a CRM export is complete and faithful.

    \b
    Exit codes: 0 accepted / valid, 1 not accepted / invalid signature,
                2 usage error or unusable input, 130 interrupted,
                143 / 129 stopped by SIGTERM / SIGHUP.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _register() -> None:
    from portcheck.cli import archive, canary, check, diff, evidence, inspect, profiles, suite

    for module in (check, inspect, profiles, canary, evidence, archive, suite, diff):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def interrupted(err: BaseException) -> bool:
    """Whether ``err`` is Ctrl-C. Arriving while DuckDB runs a query on this thread, it ends the query with
    ``RuntimeError('Query interrupted')`` (or ``duckdb.InterruptException``) instead of KeyboardInterrupt."""
    if isinstance(err, KeyboardInterrupt):
        return True
    duckdb = sys.modules.get("duckdb")
    if duckdb is not None and isinstance(err, getattr(duckdb, "InterruptException", ())):
        return True
    return type(err) is RuntimeError and str(err) == "Query interrupted"


OWN_PROCESS = False  # main() runs as the `portcheck` command (a process of its own), not as main(argv)
STOPPED_BY: int | None = None  # the signal (SIGTERM, SIGHUP) that is stopping this process


def _stop_on_signal(signum: int, _frame: object) -> None:
    """SIGTERM or SIGHUP: stop as Ctrl-C stops (what a run staged is removed, no report is left half
    written), reported with the signal's own exit code. Once: a repeat does not cut the clean-up short."""
    global STOPPED_BY
    if STOPPED_BY is None:
        STOPPED_BY = signum
        raise KeyboardInterrupt


def _handle_stop_signals() -> None:
    """Installs :func:`_stop_on_signal` for SIGTERM and SIGHUP, unless the caller ignores them (``nohup``
    ignores SIGHUP: a run started so keeps running when its terminal closes)."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _stop_on_signal)


def _interruption() -> tuple[int, str]:
    """The exit code and sentence for a run stopped by Ctrl-C, or by the signal :data:`STOPPED_BY`."""
    if STOPPED_BY is None:
        return EXIT_INTERRUPTED, "portcheck: interrupted"
    import signal

    why = {signal.SIGTERM: "another program asked it to end", signal.SIGHUP: "its terminal was closed"}
    name = signal.Signals(STOPPED_BY).name
    return 128 + STOPPED_BY, f"portcheck: stopped, {why.get(STOPPED_BY, 'by a signal')} ({name})"


def finish(code: int) -> None:
    """End the ``portcheck`` process with ``code`` once a command is done: streams flushed and exit handlers
    run, but not the interpreter's teardown, which frees a large run's objects one by one and has
    DuckDB hand its heap back to the kernel page by page (0.06 s after a 1M-contact check), work the
    kernel does at once when the process ends. A caller's ``main(argv)`` gets SystemExit as usual."""
    if not OWN_PROCESS:
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    _flush_streams()
    os._exit(code)


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nothing more to say
            pass


def _leave(code: int, *, own_process: bool = True) -> None:
    """Exit with ``code``. When a worker thread is still running (an error or Ctrl-C on the other thread),
    it may be inside native code (DuckDB, Arrow): finalising the interpreter under it can abort the process
    ("terminate called …", exit -6) instead of exiting with the code. Then, in a process of its own (the
    ``portcheck`` command, not a caller's ``main(argv)``), the streams are flushed and the process leaves at
    once; whatever the run staged was removed before this point."""
    import threading

    if own_process and any(t.is_alive() for t in threading.enumerate() if t is not threading.main_thread()):
        _flush_streams()
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI and turns every expected failure into one sentence and an exit code.

    ``--debug`` may stand anywhere on the command line (or PORTCHECK_DEBUG=1): it shows the traceback of an
    error, and keeps the exit code the error would have had.
    """
    import traceback

    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("PORTCHECK_DEBUG"))
    if "--debug" in args:
        args = ["--debug"] + [a for a in args if a != "--debug"]

    def fail(code: int, lines: list[str], err: BaseException | None = None) -> None:
        if debug and err is not None:
            traceback.print_exception(err)
        for line in lines:
            click.echo(line, err=True)
        _leave(code, own_process=argv is None)

    global OWN_PROCESS
    OWN_PROCESS = argv is None
    if OWN_PROCESS:
        _handle_stop_signals()
    try:
        code = cli.main(args=args, prog_name="portcheck", standalone_mode=False)
    except PortcheckError as err:
        fail(err.exit_code, [f"portcheck: {err.message}"] + ([f"hint: {err.hint}"] if err.hint else []), err)
    except (click.exceptions.Abort, KeyboardInterrupt) as err:
        code, line = _interruption()
        fail(code, [line], err if debug else None)
    except click.ClickException as err:
        err.show()
        sys.exit(EXIT_UNUSABLE if err.exit_code != 0 else 0)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except (MemoryError, RecursionError) as err:
        fail(EXIT_UNUSABLE, [
            f"portcheck: the input is too large or too deeply nested to process ({type(err).__name__})",
            "hint: split the export into smaller files, or raise the limits (see --help)"], err)
    except Exception as err:  # an unexpected bug: one sentence, the traceback only with --debug
        if interrupted(err) or STOPPED_BY is not None:
            code, line = _interruption()
            fail(code, [line], err if debug else None)
        fail(EXIT_UNUSABLE, [f"portcheck: internal error ({type(err).__name__}: {err})",
                             "hint: run again with --debug and report the traceback; no report was written"],
             err)
    sys.exit(code if isinstance(code, int) else 0)
