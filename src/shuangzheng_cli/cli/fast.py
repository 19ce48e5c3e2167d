"""The fast path of the command line: `add`, `inspect` and `check` written the usual way
run without Typer (whose start-up, building a pydantic validator per option, costs more
than the command itself).

Only a strict subset is taken: global `--root DIR` / `--ascii` before the command, then
the command's own options as `--long VALUE`, `--long=VALUE` or `-s VALUE`, each at most
once (but the repeatable ones), with every required one present and no value that begins
with `-`. Anything else (help, a mistake, an unusual spelling) returns None, and Typer
parses it, so every message and exit code stays Typer's. Errors are shown as `root.run`
shows them.
"""

from __future__ import annotations

import sys
from typing import Any

#: command -> {option spelling: (parameter, repeatable)}, and its required parameters
_ADD = {
    "--unit": ("unit", False), "-u": ("unit", False),
    "--activity": ("activity", False), "-a": ("activity", False),
    "--text": ("text", False), "-t": ("text", False),
    "--date": ("date", False), "-d": ("date", False),
    "--color": ("color", False), "-c": ("color", False),
    "--problems": ("problems", False),
    "--next": ("next_steps", False),
    "--metric": ("metric", True), "-m": ("metric", True),
    "--evidence": ("evidence", True), "-e": ("evidence", True),
    "--by": ("by", False),
}
_INSPECT = {
    "--unit": ("unit", False), "-u": ("unit", False),
    "--activity": ("activity", False), "-a": ("activity", False),
    "--method": ("method", False),
    "--color": ("color", False), "-c": ("color", False),
    "--text": ("text", False), "-t": ("text", False),
    "--followup": ("followup", True),
    "--due": ("due", False),
    "--date": ("date", False), "-d": ("date", False),
    "--by": ("by", False),
}
SPECS: dict[str, tuple[dict[str, tuple[str, bool]], tuple[str, ...]]] = {
    "add": (_ADD, ("unit", "activity", "text")),
    "inspect": (_INSPECT, ("unit", "activity", "method", "color", "text")),
    "check": ({}, ()),
}
_FLAGS = {"check": {"--repair": "repair"}}


def parse(args: list[str]) -> tuple[str | None, bool, str, dict[str, Any]] | None:
    """(root, ascii, command, parameters) for an invocation of the subset; None for anything else."""
    root: str | None = None
    ascii_borders = False
    i = 0
    while i < len(args) and args[i].startswith("-"):
        arg = args[i]
        if arg == "--ascii" and not ascii_borders:
            ascii_borders = True
            i += 1
        elif arg == "--root" and root is None and i + 1 < len(args) and not args[i + 1].startswith("-"):
            root = args[i + 1]
            i += 2
        elif arg.startswith("--root=") and root is None:
            root = arg[len("--root="):]
            i += 1
        else:
            return None
    if i >= len(args) or args[i] not in SPECS:
        return None
    command = args[i]
    spec, required = SPECS[command]
    flags = _FLAGS.get(command, {})
    params: dict[str, Any] = {}
    i += 1
    while i < len(args):
        arg = args[i]
        if arg in flags:
            if flags[arg] in params:
                return None
            params[flags[arg]] = True
            i += 1
            continue
        name, eq, value = arg.partition("=")
        if eq and name.startswith("--") and name in spec:
            i += 1
        elif arg in spec and i + 1 < len(args) and not args[i + 1].startswith("-"):
            name, value = arg, args[i + 1]
            i += 2
        else:
            return None
        param, repeatable = spec[name]
        if repeatable:
            params.setdefault(param, []).append(value)
        elif param in params:
            return None
        else:
            params[param] = value
    if any(r not in params for r in required):
        return None
    return root, ascii_borders, command, params


def run(args: list[str]) -> int | None:
    """Run an invocation of the subset and return its exit code; None: not one, ask Typer."""
    parsed = parse(args)
    if parsed is None:
        return None
    root, ascii_borders, command, params = parsed
    from ..errors import ShuangzhengError
    from . import actions
    from .state import State, show_error

    st = State(root=root, ascii=ascii_borders)
    st.out.ascii_borders = ascii_borders
    try:
        if command == "add":
            actions.add_progress(st, **params)
        elif command == "inspect":
            actions.add_inspection(st, **params)
        else:
            return actions.run_check(st, **params)
    except ShuangzhengError as exc:
        return show_error(exc)
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        return 130
    except BrokenPipeError:
        return 0
    return 0
