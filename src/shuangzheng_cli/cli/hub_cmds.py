"""`hub`: the office's shared repository (共享仓库) that refuses pushes breaking the ledger's record."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import state
from .root import app

hub_app = typer.Typer(
    help="市“双争”办的共享仓库（裸 git 仓库）：每次推送都检查台账只在末尾追加、推送后的版本通过 check，否则拒绝推送。",
    no_args_is_help=True,
)
app.add_typer(hub_app, name="hub")


@hub_app.command("init")
def init(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="共享仓库的路径，如 /srv/git/shuangzheng.git 或 共享盘上的文件夹")],
) -> None:
    """新建共享仓库并安装推送检查；对已有的裸仓库只安装检查，不改动其历史。"""
    from ..hub import init_hub

    done = init_hub(path)
    out = state(ctx).out
    out.text(f"共享仓库 {path}：" + "；".join(done))
    out.message(
        "下一步：在办公室的克隆中运行 git remote add origin 共享仓库路径 与 git push -u origin HEAD；"
        "各联络员 git clone 共享仓库后设置 git config shuangzheng.units 本单位编号（见 docs/git.md）。"
    )


@hub_app.command("receive", hidden=True)
def receive() -> None:
    """（由共享仓库的 pre-receive 钩子调用）从标准输入读推送的分支，检查后决定是否接受。"""
    from ..hub import receive_main

    code = receive_main(sys.stdin)
    if code:
        raise typer.Exit(code)
