"""The Typer app of `shuangzheng`: global options, and errors shown in one place.

Library errors become their Chinese message and exit code, Typer/Click usage errors are
translated to Chinese with exit code 2. The commands are added to `app` by `cli.build.load`
from their declarations, only those of the module `cli.main` needs for the command asked for.
"""

from __future__ import annotations

import difflib
import inspect
import re
import sys
from typing import Annotated, Any

import typer

from .. import __version__
from ..errors import ShuangzhengError
from ..render.text import plain
from .build import declare
from .commands import GLOBAL
from .state import State, show_error

app = typer.Typer(
    name="shuangzheng",
    help="双争活动台账：台账管理、四色管理、挂图作战、督导约谈、报表与年度考核。\n\n"
    "工作区：--root 指定，或环境变量 SHUANGZHENG_ROOT，或从当前目录向上查找含 data/activities.yaml 的目录。",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    pretty_exceptions_short=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shuangzheng {__version__}")
        raise typer.Exit()


def _root(ctx: typer.Context, *, root: str | None = None, ascii_borders: bool = False, version: bool = False) -> None:
    st = ctx.obj if isinstance(ctx.obj, State) else State()  # `run` passes one, to finish it
    st.root, st.ascii = root, ascii_borders
    st.out.ascii_borders = ascii_borders
    ctx.obj = st
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


declare(
    _root,
    GLOBAL,
    last=(
        inspect.Parameter(
            "version",
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[bool, typer.Option("--version", "-V", help="显示版本号", callback=_version, is_eager=True)],
        ),
    ),
)
app.callback(invoke_without_command=True)(_root)


# ------------------------------------------------------------ errors in Chinese

_HELP_TITLES = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已取消。",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEFAULT_STRING": "[默认：{}]",
}


def _usage_message(exc: Exception) -> str:
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if param is not None and not hint:
        opts = getattr(param, "opts", None) or [getattr(param, "name", "")]
        hint = " / ".join(opts)
    elif isinstance(hint, list | tuple):
        hint = " / ".join(hint)
    if kind == "NoSuchOption":
        name = getattr(exc, "option_name", "")
        if name in {flag for p in GLOBAL for flag in p.flags}:
            path = getattr(getattr(exc, "ctx", None), "command_path", "shuangzheng status").split(" ", 1)
            return f"{name} 是全局选项，须写在命令之前：{path[0]} {name}{' 目录' if name == '--root' else ''} {path[-1]} …"
        closest = _closest_options(name, getattr(exc, "ctx", None), getattr(exc, "possibilities", None))
        extra = f"，是否指 {' / '.join(closest)}？" if closest else ""
        return f"没有选项 {name}{extra}"
    if kind == "MissingParameter":
        if getattr(param, "param_type_name", "") == "argument" and getattr(param, "help", None):
            return f"缺少必填的参数：{param.help}"  # an argument by what it is, not by its Python name
        return f"缺少必填的 {hint}"
    if kind == "BadParameter":
        return f"{hint} 的值无效：{_bad_value(getattr(exc, 'message', str(exc)), param)}"
    message = getattr(exc, "message", str(exc))
    if message.startswith("No such command"):
        name = message.split("'")[1] if "'" in message else message
        ctx = getattr(exc, "ctx", None)
        names = list(getattr(getattr(ctx, "command", None), "commands", {}) or {})
        close = difflib.get_close_matches(name, [n for n in names if n != "receive"], n=1, cutoff=0.6)
        where = getattr(ctx, "command_path", "shuangzheng")
        if close:
            return f"没有命令 '{name}'，是否指 {where} {close[0]}？"
        return f"没有命令 '{name}'：运行 {where} --help 查看全部命令"
    if message.startswith("Got unexpected extra argument"):
        found = re.search(r"\(([^()]*)\)\s*$", message)
        extra = found.group(1) if found else message
        return f"多余的参数：{extra}（含空格的文字请加引号）"
    if message.startswith("Option") and "requires an argument" in message:
        return f"选项 {message.split(chr(39))[1]} 后面需要一个值"
    if "requires an argument" in message:
        return "选项后面需要一个值"
    found = re.match(r"Option '([^']*)' does not take a value", message)
    if found:
        return f"选项 {found.group(1)} 不带值：直接写 {found.group(1)} 即可"
    return message


def _closest_options(name: str, ctx: object, possibilities: list[str] | None) -> list[str]:
    """The option name(s) closest to a mistyped one: only the best match (and any tie)."""
    options: set[str] = set(possibilities or [])
    command = getattr(ctx, "command", None)
    for param in getattr(command, "params", []):
        options.update(o for o in getattr(param, "opts", []) + getattr(param, "secondary_opts", []) if o.startswith("--"))
    options.add("--help")
    scored = sorted(
        ((difflib.SequenceMatcher(None, name, option).ratio(), option) for option in options),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if not scored or scored[0][0] < 0.6:
        return []
    best = scored[0][0]
    return [option for ratio, option in scored if ratio == best]


def _bad_value(message: str, param: object) -> str:
    """Typer/pydantic's English reason for a bad option value, in Chinese."""
    choices = getattr(getattr(param, "type", None), "choices", None)
    found = re.search(r"is not one of (.*?)\.?$", message)
    if found and not choices:
        choices = re.findall(r"'([^']*)'", found.group(1))
    if "is not one of" in message or "is not a valid choice" in message or "is not a valid enum" in message:
        typed = re.search(r"'([^']*)' is not", message)  # the value as typed, quoted back
        said = f"'{typed.group(1)}' " if typed else ""
        return f"{said}不在可选值之内：可选值为 {' / '.join(str(c) for c in choices)}" if choices else f"{said}不在可选值之内"
    lowered = message.lower()
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is None and high is None:  # Click's own IntRange
        low, high = getattr(getattr(param, "type", None), "min", None), getattr(getattr(param, "type", None), "max", None)
    if re.search(r"not in the range|(less|greater) than", lowered) and (low is not None or high is not None):
        if low is not None and high is not None:
            return f"须在 {low} 至 {high} 之间"
        return f"须不小于 {low}" if low is not None else f"须不大于 {high}"
    if "valid integer" in lowered:
        return "须为整数"
    if "valid number" in lowered or "valid float" in lowered:
        return "须为数字"
    if "valid boolean" in lowered:
        return "须为 true 或 false"
    if "date" in lowered:
        return "须为 YYYY-MM-DD 格式的日期"
    if not re.search(r"[\u4e00-\u9fff]", message):
        return "取值无效"
    return message


# Typer's help has a few English words that no setting changes: replaced with Chinese of
# the same display width, so the boxes stay aligned.
_HELP_WORDS = {
    "Show this message and exit.": "显示本帮助并退出。         ",
    "Usage:": "用法：",
    "[OPTIONS]": "[选项]",
    "COMMAND [ARGS]...": "命令 [参数]...",
    # Python's type names beside arguments and --help (options show 文字/整数/文件 instead): blanked
    **{name: " " * len(name) for name in ("<bool>", "<str>", "<path>", "<list[str]>", "<list[Path]>")},
}


def _wrap_option_help(rich_utils: Any) -> None:  # noqa: ANN401 - Typer's module
    """An option's help, and a command's line in a group's list, are shown whole, wrapped: Typer
    lays them out so that Chinese text (no spaces to break at) is cut with "…" in a narrow terminal."""
    make = getattr(rich_utils, "_get_parameter_help", None)
    if make is None or getattr(make, "wraps_chinese", False):
        return
    from rich.columns import Columns
    from rich.text import Text

    def whole(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        found = make(*args, **kwargs)
        parts = getattr(found, "renderables", None)
        if isinstance(found, Columns) and parts and all(isinstance(p, Text) for p in parts):
            whole_text = Text(" ").join(parts)
            whole_text.overflow = "fold"  # wrapped at any character, never cut
            return whole_text
        return found

    whole.wraps_chinese = True  # type: ignore[attr-defined]
    rich_utils._get_parameter_help = whole
    summary = getattr(rich_utils, "_make_command_help", None)
    if summary is not None:  # a command's line in a group's list: the same

        def whole_summary(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
            found = summary(*args, **kwargs)
            if isinstance(found, Text):
                found.overflow = "fold"
            return found

        rich_utils._make_command_help = whole_summary


def help_(args: list[str]) -> int:
    import contextlib
    import io

    from typer import rich_utils  # only help needs it

    for name, title in _HELP_TITLES.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, title)
    _wrap_option_help(rich_utils)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = run(args)
    text = buffer.getvalue()
    for english, chinese in _HELP_WORDS.items():
        text = text.replace(english, chinese)
    sys.stdout.write(text)
    return code


def run(args: list[str]) -> int:
    command = typer.main.get_command(app)
    usage_error = typer.BadParameter.__mro__[1]  # UsageError, from whichever Click Typer uses
    st = State()
    try:
        result = command.main(args=args, prog_name="shuangzheng", standalone_mode=False, obj=st)
        st.finish()  # `-o FILE`: what the command printed, written once it succeeded
    except ShuangzhengError as exc:
        return show_error(exc)
    except usage_error as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(exc.ctx.get_help() if exc.ctx else "")
            return 0
        ctx = getattr(exc, "ctx", None)
        sys.stderr.write(f"用法错误：{plain(_usage_message(exc))}\n")
        if ctx is not None:
            sys.stderr.write(f"查看帮助：{ctx.command_path} --help\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # Typer's Abort (Ctrl-D at a prompt) and friends
        if type(exc).__name__ == "Abort":
            sys.stderr.write("已取消。\n")
            return 1
        raise
    return result if isinstance(result, int) else 0
