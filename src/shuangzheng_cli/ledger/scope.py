"""Write scope (填报范围) of a clone: the units whose ledger files it may write.

A liaison's clone names its units once: `git config shuangzheng.units "xcb zzb"` (ids,
names or aliases, separated by spaces, commas or 、; a group with members stands for its
members). Every writing path (`Ledger.append`: add, inspect, void, followup, import) and the
pre-commit check (`check --staged`) then refuse any other unit's file. A clone without the
setting is the office's clone: it may write every unit.

This stops honest mistakes early; what a clone cannot be trusted to do, the office's shared
repository checks again on every push (`hub`).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageProblem

if TYPE_CHECKING:
    from ..definitions.catalog import Catalog

CONFIG_KEY = "shuangzheng.units"
_SEPARATORS = re.compile(r"[\s,，、;；]+")


def configured(root: Path | str) -> str | None:
    """The raw `shuangzheng.units` of the git repository holding `root`; None when unset (or no git)."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "config", "--get", CONFIG_KEY],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = result.stdout.decode("utf-8", "replace").strip() if result.returncode == 0 else ""
    return text or None


def parse(text: str, catalog: Catalog | None, source: str = f"git config {CONFIG_KEY}") -> frozenset[str]:
    """The unit ids a scope setting names (groups with members expanded); `UsageProblem` naming an unknown one."""
    ids: set[str] = set()
    for word in _SEPARATORS.split(text.strip()):
        if not word:
            continue
        if catalog is None:
            ids.add(word)
            continue
        try:
            uid = catalog.resolve_unit(word)
        except UsageProblem as exc:
            raise UsageProblem(f"{source} 中的 {exc.message}") from None
        ids.update(catalog.expand(uid))
        ids.add(uid)
    return frozenset(ids)


def units_in_scope(root: Path | str, catalog: Catalog | None) -> frozenset[str] | None:
    """This clone's units (None: no scope set, the office's clone)."""
    text = configured(root)
    return None if text is None else parse(text, catalog)


def describe(scope: Iterable[str], catalog: Catalog | None) -> str:
    """`市委宣传部（xcb）、…` for messages."""
    names = [f"{catalog.name(u)}（{u}）" if catalog is not None else u for u in sorted(scope)]
    return "、".join(names)


def refuse_outside(root: Path | str, catalog: Catalog | None, units: Iterable[str]) -> None:
    """Raise `UsageProblem` (nothing written) when a unit is outside this clone's write scope."""
    scope = units_in_scope(root, catalog)
    if scope is None:
        return
    outside = sorted(set(units) - scope)
    if outside:
        theirs = describe(outside, catalog)
        raise UsageProblem(
            f"未写入：本克隆只填报 {describe(scope, catalog)} 的台账（git config {CONFIG_KEY}），"
            f"不能写 {theirs} 的台账。请由该单位的联络员或市“双争”办记录；"
            f"如本克隆确需填报，请先修改 git config {CONFIG_KEY}"
        )
