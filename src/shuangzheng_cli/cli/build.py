"""The Typer app made from the declared commands (`cli.commands`): each parameter becomes a
Typer option or argument, each command a Typer command that calls its plain function with
the invocation's `State`. The same functions run on the fast path (`cli.fast`), so a command
is defined once. With `cli.root`, the only module that imports Typer.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .commands import GROUPS, INDEX, Command, Param, declared
from .state import State

_CONTEXT = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)


def state(ctx: typer.Context) -> State:
    """The invocation's State (the app callback sets it from the global options)."""
    obj = ctx.find_root().obj
    if not isinstance(obj, State):
        obj = State()
        ctx.find_root().obj = obj
    return obj


@functools.cache
def _choices(name: str, values: tuple[str, ...]) -> type[StrEnum]:
    """The enum Typer needs for fixed choices (its help shows `<a|b|c>`, its errors list them)."""
    return StrEnum(name, [(v, v) for v in values])  # type: ignore[return-value]


#: What help shows after an option for the kind of value it takes (a flag takes none).
_METAVARS: dict[type, str] = {str: "文字", int: "整数", Path: "文件", bool: ""}


def annotation(p: Param) -> Any:  # noqa: ANN401 - a typing form
    """`Annotated[type, typer.Option(...)]` (or `typer.Argument`) for a declared parameter."""
    extra: dict[str, Any] = {}
    kind: Any = p.type
    if p.choices:
        kind = _choices(p.name, p.accepted)  # the other names too: `plain_value` gives the choice they name
        extra["case_sensitive"] = False
    if p.min is not None or p.max is not None:
        extra.update(min=p.min, max=p.max)
    if p.flags:
        if p.metavar:  # a word for a long list of choices the help spells out (--format: 格式)
            extra["metavar"] = p.metavar
        elif not p.choices:  # help shows what to write in Chinese, not Python's type names (<str>, <bool>)
            extra["metavar"] = _METAVARS.get(p.type, "")
        info = typer.Option(*p.flags, help=p.help, show_default=p.show_default, **extra)
    else:
        info = typer.Argument(help=p.help, show_default=p.show_default, metavar=p.metavar or None, **extra)
    if p.multiple:
        kind = list[kind] if p.required else list[kind] | None
    elif not p.required and p.default is None:
        kind = kind | None
    return Annotated[kind, info]


def declare(func: Callable[..., Any], params: tuple[Param, ...], *, last: tuple[inspect.Parameter, ...] = ()) -> None:
    """Give `func(ctx, **params)` the signature Typer reads: the context, one keyword parameter per
    declared one, then `last` (parameters Typer needs that are not data, like --version)."""
    out = [_CONTEXT]
    for p in params:
        default = inspect.Parameter.empty if p.required else p.default
        if p.choices and default is not None and default is not inspect.Parameter.empty:
            default = _choices(p.name, p.accepted)(default)
        out.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation(p)))
    out += last
    func.__signature__ = inspect.Signature(out)  # type: ignore[attr-defined]
    func.__annotations__ = {p.name: p.annotation for p in out}


def plain_value(p: Param, value: Any) -> Any:  # noqa: ANN401
    """A value as the fast path gives it: a choice as its text (another name of it as the choice it
    names), an absent repeatable option as its default."""

    def one(v: Any) -> Any:  # noqa: ANN401
        return (p.choice(v.value) or v.value) if isinstance(v, Enum) else v

    if p.multiple:
        return [one(v) for v in value] if value else p.default
    return one(value)


def command(spec: Command) -> Callable[..., None]:
    """The Typer callback of `spec`: calls its function with the State and the parameters;
    an int result other than 0 is the exit code."""
    params = {p.name: p for p in spec.params}

    def callback(ctx: typer.Context, **values: Any) -> None:
        result = spec.run(state(ctx), **{name: plain_value(params[name], v) for name, v in values.items()})
        if isinstance(result, int) and not isinstance(result, bool) and result:
            raise typer.Exit(result)

    declare(callback, spec.params)
    callback.__name__ = spec.name.replace(" ", "_").replace("-", "_")
    return callback


_loaded: set[str] = set()
_groups: dict[str, typer.Typer] = {}


def load(modules: list[str]) -> None:
    """Register on the app every command the modules declare (once), keeping help's order."""
    from .root import app

    for module in modules:
        if module in _loaded:
            continue
        _loaded.add(module)
        for spec in declared(module):
            first, _, sub = spec.name.partition(" ")
            target = app
            if sub:
                if first not in _groups:
                    group = GROUPS[first]
                    _groups[first] = typer.Typer(
                        help=group.help, no_args_is_help=True, **({} if group.markup else {"rich_markup_mode": None})
                    )
                    app.add_typer(_groups[first], name=first)
                target = _groups[first]
            target.command(sub or first, help=spec.help, hidden=spec.hidden)(command(spec))
    order = list(INDEX)
    app.registered_commands.sort(key=lambda c: order.index(c.name or ""))
    app.registered_groups.sort(key=lambda g: order.index(g.name or ""))
