"""`hub`: the office's shared repository (共享仓库) that refuses pushes breaking the ledger's record."""

from __future__ import annotations

import sys
from pathlib import Path

from .commands import REQUIRED, Command, Param
from .common import State


def init(st: State, *, path: Path) -> None:
    """`hub init`: a bare repository with the push check, or the check added to an existing one."""
    from ..hub import init_hub

    done = init_hub(path)
    out = st.out
    out.text(f"共享仓库 {path}：" + "；".join(done))
    out.message(
        "下一步：在办公室的克隆中运行 git remote add origin 共享仓库路径 与 git push -u origin HEAD；"
        "各联络员 git clone 共享仓库后设置 git config shuangzheng.units 本单位编号（见 docs/git.md）。"
    )


def receive(st: State) -> int:
    """`hub receive` (the pre-receive hook): the pushed branches from stdin, checked; the exit code."""
    from ..hub import receive_main

    return receive_main(sys.stdin)


COMMANDS = (
    Command(
        "hub init",
        "新建共享仓库并安装推送检查；对已有的裸仓库只安装检查，不改动其历史。",
        (
            Param("path", (), "共享仓库的路径，如 /srv/git/shuangzheng.git 或 共享盘上的文件夹", type=Path, default=REQUIRED, metavar="路径"),
        ),
        init,
    ),
    Command(
        "hub receive",
        "（由共享仓库的 pre-receive 钩子调用）从标准输入读推送的分支，检查后决定是否接受。",
        (),
        receive,
        hidden=True,
    ),
)
