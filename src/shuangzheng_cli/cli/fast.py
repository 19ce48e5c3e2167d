"""The fast path of the command line: every command written the usual way runs without Typer
(whose start-up, building a pydantic validator per option, costs more than most commands).

The parameters are those the command declares (`cli.commands`, the one table Typer's commands
are made from); only a strict subset of spellings is taken: global options before the command,
then the command's own options as `--long VALUE`, `--long=VALUE` or `-s VALUE`, each at most
once (but the repeatable ones), and its positional arguments, with every required one present,
no value that begins with `-`, and every value of its type: an int of digits within its range,
one of the choices (any case) or another name of one, a non-empty path. Anything else (help, a mistake, an unusual
spelling) returns None, and Typer parses it, so every message and exit code stays Typer's.
Errors are shown as `root.run` shows them, and `-o FILE` is written once the command succeeded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..periods import folded
from .commands import GLOBAL, GROUPS, Command, Param, find

_BAD = object()  # a value the fast path does not take


def _spellings(params: tuple[Param, ...]) -> dict[str, Param]:
    return {flag: p for p in params for flag in p.flags}


_GLOBALS = _spellings(GLOBAL)


def convert(p: Param, text: str) -> Any:  # noqa: ANN401 - the parameter's type
    """`text` as the value of `p` (what Typer would give), or `_BAD` to leave it to Typer."""
    if p.choices:  # a choice in any case, or another name of one (列表 → list), as Typer takes it
        choice = p.choice(text) if text.isascii() or any(text == name for name, _ in p.aliases) else None
        return _BAD if choice is None else choice
    if p.type is int:
        if not (text.isascii() and text.isdigit()):
            return _BAD
        number = int(text)
        low, high = p.min, p.max
        return _BAD if low is not None and number < low or high is not None and number > high else number
    if p.type is Path:
        return Path(text) if text else _BAD
    return text


def _put(p: Param, value: Any, params: dict[str, Any]) -> bool:  # noqa: ANN401
    """Store a value of `p`; False if it cannot be taken (a bad value, an option given twice)."""
    if value is not True:
        value = convert(p, value)
    if value is _BAD or not p.multiple and p.name in params:
        return False
    if p.multiple:
        params.setdefault(p.name, []).append(value)
    else:
        params[p.name] = value
    return True


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
    return after if _put(p, value, params) else None


def parse(args: list[str]) -> tuple[dict[str, Any], Command, dict[str, Any]] | None:
    """(global options, command, all its parameters) for an invocation of the subset; None for anything else."""
    options: dict[str, Any] = {}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        after = _take(_GLOBALS, args, i, options)
        if after is None:
            return None
        i = after
    words = args[i : i + 2] if i < len(args) and args[i] in GROUPS else args[i : i + 1]
    command = find(" ".join(words)) if words else None
    if command is None:
        return None
    spellings = _spellings(command.params)
    positional = [p for p in command.params if not p.flags]
    params: dict[str, Any] = {}
    i += len(words)
    while i < len(args):
        if args[i].startswith("-"):
            after = _take(spellings, args, i, params)
        elif positional and _put(positional[0], args[i], params):
            after = i + 1
            if not positional[0].multiple:
                positional.pop(0)
        else:
            return None
        if after is None:
            return None
        i = after
    if any(p.required and p.name not in params for p in command.params):
        return None
    return options, command, {p.name: params.get(p.name, p.default) for p in command.params}


def fold_values(args: list[str], at: int) -> list[str]:
    """`args` with the value of every number or choice option of the command named at `args[at]`
    folded to half-width (`periods.folded`): an office's Chinese input method types ２, ｊｓｏｎ and
    `--date＝…` in full-width mode. Texts (`--text`, `--unit`) are left as written."""
    words = args[at : at + 2] if args[at] in GROUPS else args[at : at + 1]
    command = find(" ".join(words))
    if command is None:
        return args
    flags = {flag for p in command.params for flag in p.flags}
    foldable = {flag for p in command.params if p.type is int or p.choices for flag in p.flags}
    out = list(args)
    for i in range(at + len(words), len(out)):
        arg = out[i]
        name, wide, value = arg.partition("＝")
        if wide and "=" not in name and name in flags:  # --date＝２０２２…: the equals sign typed full-width
            arg = out[i] = f"{name}={value}"
        name, eq, value = arg.partition("=")
        if eq and name in foldable:
            out[i] = f"{name}={folded(value)}"
        elif arg in foldable and i + 1 < len(out):
            out[i + 1] = folded(out[i + 1])
        elif not arg.startswith("--") and len(arg) > 2 and arg[:2] in foldable:  # -fｊｓｏｎ
            out[i] = arg[:2] + folded(arg[2:])
    return out


def run(args: list[str]) -> int | None:
    """Run an invocation of the subset and return its exit code; None: not one, ask Typer."""
    parsed = parse(args)
    if parsed is None:
        return None
    options, command, params = parsed
    from .state import State, outcome

    st = State(root=options.get("root"), ascii=options.get("ascii_borders", False))
    st.out.ascii_borders = st.ascii

    def call() -> object:
        result = command.run(st, **params)
        st.finish()  # `-o FILE`: what the command printed, written once it succeeded (as `root.run` does)
        return result

    return outcome(call)
