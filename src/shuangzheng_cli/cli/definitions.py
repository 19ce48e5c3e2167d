"""Commands about the definitions and the workspace: init, check, units, activities."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import gitrepo
from ..workspace_init import check_new_workspace, new_workspace_root, write_workspace
from .actions import run_check
from .commands import CATEGORY, FORMAT, LISTING, UNIT, Command, Param, optional
from .common import State, output_format

if TYPE_CHECKING:
    from ..definitions.catalog import Catalog
    from ..render.terminal import Output

def init(st: State, *, directory: Path) -> None:
    """`init`: the definitions, ledgers/, git settings, a git repository and its hooks; nothing overwritten.

    The workspace gets a repository of its own: when `directory` is inside some other repository
    (the tool's own clone, any project) but not its top, `git init` is run in `directory`, and the
    hook and the first commit go there; the outer repository is not touched."""
    out = st.out
    root = new_workspace_root(directory)
    check_new_workspace(root)
    made = write_workspace(root)
    top = gitrepo.toplevel(root)
    own = gitrepo.is_top(root, top)
    outer = None if own else top
    if not own:
        result = gitrepo.git(root, "init", "-q")
        if result is not None and result.returncode == 0:
            made.append("git 仓库")
            gitrepo.merge_on_pull(root)
            own = True
        else:
            outer = None
            out.message(f"提示：git init 失败（{result.stderr.strip() if result else '找不到 git'}），台账仍可使用，但建议用 git 保存")
    if own:
        made += gitrepo.install_hooks(root)
    if made:
        out.text(f"已在 {root} 创建：" + "、".join(made))
    else:
        out.text(f"{root} 已是台账工作区，未做改动")
    if outer is not None:
        out.text(f"注意：{root} 在外层 git 仓库 {outer} 之内，已为台账另建独立的仓库（外层仓库未改动，会把它看作嵌套仓库）")
    if own:
        why = gitrepo.first_commit(root)
        if why is None and made:
            out.text("已提交到 git（首次提交）。")
        _next_steps(out, root, why)


def _next_steps(out: Output, root: Path, why_not_committed: str | None) -> None:
    """What to do after `init`: the recorder (with the scope it needs), the first commit if it
    could not be made, the shared repository, and how colleagues clone."""
    lines = ["下一步："]
    if why_not_committed:
        lines.append(f"  · 提交未完成（{why_not_committed}）：")
        if "用户名" in why_not_committed:
            lines.append('      git config --global user.name "王欣欣" && git config --global user.email "wangxinxin@example.org"')
        lines.append(f'      git -C "{root}" add {" ".join(gitrepo.WORKSPACE_PATHS)} && git -C "{root}" commit -m "建立双争活动台账工作区"')
    lines += [
        "  · 设置记录人（每台电脑一次；--global 对本机所有仓库有效，在本仓库里去掉 --global 则只对本仓库有效）：",
        "      git config --global shuangzheng.recorder 王欣欣",
        "  · 推到共享仓库（地址向信息中心或 git 服务管理员索取）：",
        f'      git -C "{root}" remote add origin <共享仓库地址> && git -C "{root}" push -u origin HEAD',
        "  · 同事克隆后即可记台账（第一次记录时自动装好提交前检查）：git clone <共享仓库地址> 霸州台账",
        "  · 每次记完：git add ledgers && git commit -m \"第48周进展\" && git pull --no-rebase --no-edit && git push",
    ]
    out.text("\n".join(lines))


def units_data(catalog: Catalog, group: str | None = None) -> list[dict[str, Any]]:
    """The units JSON shape: `{id, name, aliases, kind, group, members, activities}`."""
    ids = list(catalog.units) + list(catalog.groups)
    if group is not None:
        gid = catalog.resolve_unit(group)
        ids = catalog.expand(gid) if catalog.is_member_group(gid) else [gid]
    out = []
    for uid in ids:
        item = catalog.units.get(uid) or catalog.groups[uid]
        is_group = uid in catalog.groups
        out.append(
            {
                "id": uid,
                "name": item.name,
                "aliases": list(item.aliases),
                "kind": item.kind,
                "group": is_group,
                "members": list(catalog.groups[uid].members) if is_group else [],
                "activities": catalog.activities_of(uid),
            }
        )
    return out


def units(st: State, *, group: str | None, fmt: str | None, output: Path | None, force: bool) -> None:
    """`units`: the units and groups (id, name, aliases, kind, members, activities, liaison)."""
    from ..render.tables import Column

    fmt = output_format(st, fmt, output, force, FORMAT.choices)
    catalog = st.catalog
    data = units_data(catalog, group)
    rows = [
        {
            **u,
            "aliases": "、".join(u["aliases"]),
            "kind": u["kind"],
            "activities": "、".join(str(a) for a in u["activities"]),
            "members": f"{len(u['members'])} 个成员" if u["group"] else "",
            "liaison": _liaison_name(catalog, u["id"]),
        }
        for u in data
    ]
    columns = [
        Column("id", "编号", no_wrap=True),
        Column("name", "名称"),
        Column("aliases", "别名", max_width=24),
        Column("kind", "类别"),
        Column("members", "成员"),
        Column("activities", "负责活动"),
        Column("liaison", "联络员"),
    ]
    if group and catalog.is_member_group(gid := catalog.resolve_unit(group)):
        title = f"{catalog.name(gid)} 的成员（{len(data)} 个单位）"
    elif group and gid in catalog.groups:
        title = f"{catalog.name(gid)}（不列成员的单位组，作为一个责任单位报送）"
    elif group:
        title = f"{catalog.name(gid)}（单位，不是单位组）"
    else:
        n_groups = sum(1 for u in data if u["group"])
        title = f"单位名录：{len(data) - n_groups} 个单位、{n_groups} 个单位组，计 {catalog.responsible_summary()}"
    st.out.table(rows, columns, fmt=fmt, data=data, title=title)


def _liaison_name(catalog: Catalog, unit_id: str) -> str:
    item = catalog.units.get(unit_id) or catalog.groups.get(unit_id)
    return item.liaison.name if item is not None and item.liaison is not None else ""


def activities_data(catalog: Catalog, category: int | None = None, unit: str | None = None) -> list[dict[str, Any]]:
    """The activities JSON shape: `{number, category, category_name, title, subitems, units, lead, targets, interval}`."""
    numbers = sorted(catalog.activities)
    if category is not None:
        numbers = [n for n in numbers if catalog.activities[n].category == category]
    if unit is not None:
        uid = catalog.resolve_unit(unit)
        mine = set(catalog.activities_of(uid))
        numbers = [n for n in numbers if n in mine]
    from ..definitions.frozen import dump

    out = []
    for n in numbers:
        a = catalog.activities[n]
        out.append(
            {
                "number": n,
                "category": a.category,
                "category_name": catalog.categories[a.category].name,
                "title": a.title,
                "subitems": list(a.subitems),
                "units": [
                    {"id": uid, "name": catalog.name(uid), "group": uid in catalog.groups}
                    for uid in catalog.listed[n]
                ],
                "lead": catalog.lead(n),
                "targets": [dump(t, exclude_none=True) for t in a.targets],
                "interval": a.interval,
            }
        )
    return out


def activities(
    st: State,
    *,
    category: int | None,
    unit: str | None,
    fmt: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """`activities`: the activities (category, title, units with the lead first, targets, interval)."""
    from ..render.tables import Column

    fmt = output_format(st, fmt, output, force, FORMAT.choices)
    catalog = st.catalog
    if category is not None and category not in catalog.categories:
        from ..errors import UsageProblem

        raise UsageProblem(f"未知类别 {category}：类别编号为 {min(catalog.categories)}–{max(catalog.categories)}")
    data = activities_data(catalog, category, unit)
    rows = []
    for a in data:
        targets = "；".join(
            f"{t['metric']} {t['value']:g}{t.get('unit', '')}"
            + ({"year": "/年", "quarter": "/季度", "month": "/月"}[t["per"]] if "per" in t else f"（{t['due']} 前）")
            for t in a["targets"]
        )
        rows.append(
            {
                "number": a["number"],
                "category": f"{a['category']}.{a['category_name']}",
                "title": a["title"],
                "units": "、".join(u["name"] for u in a["units"]),
                "targets": targets,
                "interval": catalog.rules.intervals[a["interval"]].name,
            }
        )
    columns = [
        Column("number", "序号", justify="right"),
        Column("category", "类别", max_width=14),
        Column("title", "活动", max_width=36),
        Column("units", "责任单位（首位牵头）", max_width=40),
        Column("targets", "目标", max_width=24),
        Column("interval", "报送"),
    ]
    title = f"{catalog.campaign.short_name}：{len(data)} 项活动（{catalog.campaign.doc_number}）"
    st.out.table(rows, columns, fmt=fmt, data=data, title=title)


COMMANDS = (
    Command(
        "init",
        "创建台账工作区：定义文件、ledgers/、git 仓库与提交前检查。已有文件一律不覆盖。",
        (Param("directory", (), "工作区目录（默认当前目录）", type=Path, default=Path("."), metavar="目录"),),
        init,
    ),
    Command(
        "check",
        "检查定义文件与全部台账，列出每个问题及其位置（文件:行）。有问题时退出码为 1。",
        (
            Param("repair", ("--repair",), "把不完整的末行移到旁边的 .torn 文件（不删除任何内容）", type=bool, default=False),
            Param(
                "since",
                ("--since",),
                "另查台账的历史：从这个提交（编号、分支名如 origin/main、标签；不在 HEAD 的历史中时从两者分开处算起）"
                "到 HEAD，已有记录没有被修改、删除、调换顺序，台账文件没有被删除或改名",
            ),
            Param(
                "staged",
                ("--staged",),
                "另查暂存区（提交前检查用）：只在末尾追加，且只改本克隆填报单位的台账",
                type=bool,
                default=False,
            ),
        ),
        run_check,
    ),
    Command(
        "units",
        "列出责任单位与单位组（编号、名称、别名、类别、负责的活动）。",
        (Param("group", ("--group", "-g"), "只列某个单位组的成员，如 各乡镇（区、办）"), *LISTING),
        units,
    ),
    Command(
        "activities",
        "列出 18 项活动：类别、标题、责任单位（首位牵头）、目标与报送周期。",
        (CATEGORY, optional(UNIT), *LISTING),
        activities,
    ),
)
