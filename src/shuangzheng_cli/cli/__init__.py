"""The `shuangzheng` command: a thin layer that parses, calls the library, renders.

Start-up is kept cheap: `--version` is answered before Typer is imported, every command as
usually written runs without Typer (`cli.fast`), and only the module that declares the command
asked for is imported (`add` never loads the board's renderers, the reports, openpyxl or rich).
Typer is for help, mistakes and unusual spellings: `--help`, no command, or a name not
listed in `cli.commands` load every command, so help and "no such command" see the whole app.
"""

from __future__ import annotations

import sys
from typing import Any

_VERSION = ("--version", "-V")


def _load(modules: list[str]) -> Any:  # noqa: ANN401 - the root module, its app with those modules' commands
    from . import build, root

    build.load(modules)
    return root


def _load_all() -> Any:  # noqa: ANN401 - the root module
    from .commands import INDEX

    return _load(list(dict.fromkeys(INDEX.values())))


def __getattr__(name: str) -> Any:  # noqa: ANN401
    """`from shuangzheng_cli.cli import app`: the Typer app with every command registered."""
    if name == "app":
        return _load_all().app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def command_at(args: list[str]) -> int | None:
    """Where the command word is in `args` (after the global options), or None."""
    from .commands import GLOBAL

    with_value = {flag for p in GLOBAL if not p.is_flag for flag in p.flags}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in with_value:
            i += 2
            continue
        if arg.startswith("-"):
            i += 1
            continue
        return i
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 problems found, 2 usage)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) == 1 and args[0] in _VERSION:
        from .. import __version__

        sys.stdout.write(f"shuangzheng {__version__}\n")
        return 0
    from ..render.terminal import prepare_streams

    prepare_streams()  # a GBK console shows 🟥 as 红 instead of failing
    at = command_at(args)
    command = None if at is None else args[at]
    from .commands import GROUPS, INDEX

    # a group without its subcommand (`shuangzheng report`) shows the group's help, in Chinese
    wants_help = not args or any(a in ("-h", "--help") for a in args) or command in GROUPS and args[-1] == command

    if command in INDEX and not wants_help:
        from . import fast  # the usual spellings, without Typer

        args = fast.fold_values(args, at)  # type: ignore[arg-type]
        code = fast.run(args)
        if code is not None:
            return code
    root = _load([INDEX[command]]) if command in INDEX else _load_all()
    if wants_help:
        return root.help_(args)
    return root.run(args)
