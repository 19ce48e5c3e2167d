"""The fast path of the command line: `add`, `inspect` and `check` written the usual way
run without Typer (whose start-up, building a pydantic validator per option, costs more
than the command itself).

The options are those of `cli.commands` (the one table Typer's commands are made from);
only a strict subset of spellings is taken: global options before the command, then the
command's own options as `--long VALUE`, `--long=VALUE` or `-s VALUE`, each at most once
(but the repeatable ones), with every required one present and no value that begins with
`-`. Anything else (help, a mistake, an unusual spelling) returns None, and Typer parses
it, so every message and exit code stays Typer's. Errors are shown as `root.run` shows them.
"""

from __future__ import annotations

from typing import Any

from .commands import FAST, GLOBAL, Param


def _spellings(params: tuple[Param, ...]) -> dict[str, Param]:
    return {flag: p for p in params for flag in p.flags}


_GLOBALS = _spellings(GLOBAL)


def _take(spellings: dict[str, Param], args: list[str], i: int, params: dict[str, Any]) -> int | None:
    """Read the option at `args[i]` into `params`; the index after it, or None if it is not a plain spelling."""
    arg = args[i]
    name, eq, value = arg.partition("=")
    p = spellings.get(name if eq and name.startswith("--") else arg)
    if p is None:
        return None
    if p.is_flag:
        if eq:
            return None
        value, after = True, i + 1
    elif eq:
        after = i + 1
    elif i + 1 < len(args) and not args[i + 1].startswith("-"):
        value, after = args[i + 1], i + 2
    else:
        return None
    if p.multiple:
        params.setdefault(p.name, []).append(value)
    elif p.name in params:
        return None
    else:
        params[p.name] = value
    return after


def parse(args: list[str]) -> tuple[dict[str, Any], str, dict[str, Any]] | None:
    """(global options, command, its parameters) for an invocation of the subset; None for anything else."""
    options: dict[str, Any] = {}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        after = _take(_GLOBALS, args, i, options)
        if after is None:
            return None
        i = after
    if i >= len(args) or args[i] not in FAST:
        return None
    command = FAST[args[i]]
    spellings = _spellings(command.params or ())
    params: dict[str, Any] = {}
    i += 1
    while i < len(args):
        after = _take(spellings, args, i, params)
        if after is None:
            return None
        i = after
    if any(p.required and p.name not in params for p in command.params or ()):
        return None
    return options, command.name, params


def run(args: list[str]) -> int | None:
    """Run an invocation of the subset and return its exit code; None: not one, ask Typer."""
    parsed = parse(args)
    if parsed is None:
        return None
    options, command, params = parsed
    from . import actions
    from .state import State, outcome

    st = State(root=options.get("root"), ascii=options.get("ascii_borders", False))
    st.out.ascii_borders = st.ascii
    return outcome(lambda: getattr(actions, FAST[command].run)(st, **params))
