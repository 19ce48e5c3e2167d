"""Typer commands made from the table of `cli.commands`: each declared parameter becomes a
Typer option or argument, and the command calls a plain function with the invocation's `State`.

The same plain functions run on the fast path (`cli.fast`), so a command is defined once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from .commands import Param, command
from .common import state

_CONTEXT = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)


def annotation(p: Param) -> Any:  # noqa: ANN401 - a typing form
    """`Annotated[type, typer.Option(...)]` (or `typer.Argument`) for a declared parameter."""
    if p.flags:
        info = typer.Option(*p.flags, help=p.help, show_default=p.show_default)
    else:
        info = typer.Argument(help=p.help, show_default=p.show_default)
    kind: Any = p.type
    if p.multiple:
        kind = list[p.type] if p.required else list[p.type] | None
    elif not p.required and p.default is None:
        kind = p.type | None
    return Annotated[kind, info]


def declare(func: Callable[..., Any], params: tuple[Param, ...], *, last: tuple[inspect.Parameter, ...] = ()) -> None:
    """Give `func(ctx, **params)` the signature Typer reads: the context, one keyword parameter per
    declared one, then `last` (parameters Typer needs that are not data, like --version)."""
    out = [_CONTEXT]
    for p in params:
        default = inspect.Parameter.empty if p.required else p.default
        out.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation(p)))
    out += last
    func.__signature__ = inspect.Signature(out)  # type: ignore[attr-defined]
    func.__annotations__ = {p.name: p.annotation for p in out}


def register(name: str, group: typer.Typer | None = None) -> None:
    """Register the declared command `name` on `group` (default: the app); it calls its
    `cli.actions` function with the State and the parameters; an int result other than 0 is the exit code."""
    from . import actions

    spec = command(name)
    if spec.params is None or not spec.run:
        raise LookupError(f"{name}: 参数未在 cli.commands 中声明")
    run: Callable[..., Any] = getattr(actions, spec.run)

    def callback(ctx: typer.Context, **params: Any) -> None:
        result = run(state(ctx), **params)
        if isinstance(result, int) and result:
            raise typer.Exit(result)

    declare(callback, spec.params)
    callback.__name__ = name
    if group is None:
        from .root import app as group
    group.command(name, help=spec.help)(callback)
