"""Write the example ledger under examples/ledgers/ (deterministic: same bytes every run).

    python examples/generate.py

A made-up autumn of 2022 for the 18 activities, so that `make demo` shows a board
with every color as of 2022-11-30: units that report every week (蓝), units that
assess themselves green (绿), units that stopped reporting (黄/红), cells nobody
started (红), inspections that found problems and asked for 约谈, a void, and metrics
that meet or miss the plan's targets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from shuangzheng_cli.definitions.catalog import Catalog  # noqa: E402
from shuangzheng_cli.ledger.format import Entry  # noqa: E402
from shuangzheng_cli.ledger.storage import Ledger, derived_id  # noqa: E402

AS_OF = dt.date(2022, 11, 30)
RECORDERS = ["王欣欣", "邢迪", "杨瀚翔", "关稳", "陈志国"]
DONE = ["组织专题学习", "召开推进会议", "开展主题宣讲", "走访社区群众", "发布宣传稿件", "开展志愿服务", "组织现场观摩", "开展专项检查"]
PROBLEMS = ["基层参与面还不够广", "宣传形式较为单一", "部分村街进度偏慢", "", "", ""]
NEXT = ["扩大覆盖范围", "加强督促指导", "总结典型经验", "做好信息报送"]


def pick(key: str, options: list) -> object:
    h = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    return options[h % len(options)]


def quoted(item: str) -> str:
    return item if "“" in item else f"“{item}”"


def profile(activity: int, unit: str) -> str:
    """How a cell behaves this autumn, chosen by a hash so it is stable."""
    h = int(hashlib.sha256(f"{activity}/{unit}".encode()).hexdigest(), 16) % 100
    if h < 56:
        return "weekly"
    if h < 74:
        return "green"
    if h < 87:
        return "stale-yellow"
    if h < 94:
        return "stale-red"
    return "never"


def entries(catalog: Catalog) -> list[Entry]:
    out: list[Entry] = []
    start = dt.date(2022, 9, 23)
    for cell in catalog.cells:
        a, u = cell.activity, cell.unit
        kind = profile(a, u)
        if kind == "never":
            continue
        stop = {"stale-yellow": AS_OF - dt.timedelta(days=17), "stale-red": AS_OF - dt.timedelta(days=33)}.get(kind, AS_OF)
        day = start + dt.timedelta(days=int(pick(f"{a}{u}d", [0, 1, 2, 3, 4])))
        n = 0
        while day <= stop:
            n += 1
            sub = catalog.activities[a].subitems
            item = pick(f"{a}{u}{n}s", sub) if sub else catalog.activities[a].title
            done = pick(f"{a}{u}{n}x", DONE)
            sessions = 1 + int(pick(f"{a}{u}{n}c", [0, 1, 2, 3]))
            people = 30 * sessions + int(pick(f"{a}{u}{n}p", [0, 15, 40, 85]))
            metrics: dict[str, float] = {"场次": sessions, "参与人数": people}
            for t in catalog.activities[a].targets:
                if t.applies_to == "each" or u in catalog.expand(catalog.lead(a)):
                    # the lead of 5 keeps pace with its 100 a year; the lead of 4 falls behind
                    per_week = {"先进集体和先进个人": 8, "强基固本工程": 0.5, "攻坚克难行动": 0.5, "重点点位": 1}.get(t.metric)
                    if per_week:
                        metrics[t.metric] = per_week if n % 2 == 0 or per_week >= 1 else 0
                    elif n == 3:
                        metrics[t.metric] = t.value
            color = None
            if kind == "green" and day > AS_OF - dt.timedelta(days=12):
                color = "green"
            out.append(
                Entry(
                    id=derived_id("example", u, str(a), day.isoformat(), str(n)),
                    kind="progress",
                    date=day,
                    unit=u,
                    activity=a,
                    by=str(pick(f"{u}by", RECORDERS)),
                    at=f"{day.isoformat()}T17:{10 + n % 40:02d}:00+08:00",
                    color=color,
                    text=f"{done}，推进{quoted(str(item))}，开展活动 {sessions} 场，参与 {people} 人次。",
                    problems=str(pick(f"{a}{u}{n}q", PROBLEMS)),
                    next=str(pick(f"{a}{u}{n}n", NEXT)),
                    metrics={k: v for k, v in metrics.items() if v},
                )
            )
            day += dt.timedelta(days=7)
    # inspections: 督导组's findings, one of them asking for an interview
    findings = [
        (4, "zhzfj", dt.date(2022, 11, 8), "暗访", "red", "主次干道店外经营、乱堆乱放问题反弹，整改不到位", "约谈"),
        (11, "slj", dt.date(2022, 11, 21), "抽查", "yellow", "节水宣传进社区覆盖不足，台账资料不全", "整改"),
        (9, "gxz", None, "", "", "", ""),
        (16, "sfj", dt.date(2022, 11, 16), "督导", "green", "以案释法工作扎实，典型案例发布及时", "none"),
        (6, "shengfang", dt.date(2022, 10, 12), "暗访", "red", "红白理事会作用发挥不明显，大操大办现象仍有发生", "通报"),
    ]
    for a, u, day, method, color, text, followup in findings:
        if day is None:
            continue
        out.append(
            Entry(
                id=derived_id("example-inspection", u, str(a), day.isoformat()),
                kind="inspection",
                date=day,
                unit=u,
                activity=a,
                by="李宇超",
                at=f"{day.isoformat()}T16:30:00+08:00",
                color=color,
                text=text,
                method=method,
                followup=followup,
            )
        )
    # a mistake, corrected by a void (the line stays in the file)
    wrong = Entry(
        id=derived_id("example-wrong"),
        kind="progress",
        date=dt.date(2022, 11, 25),
        unit="xcb",
        activity=1,
        by="王欣欣",
        at="2022-11-25T09:00:00+08:00",
        color="green",
        text="误填：此条应为市委组织部的进展",
    )
    out.append(wrong)
    out.append(
        Entry(
            id=derived_id("example-void"),
            kind="void",
            date=dt.date(2022, 11, 25),
            unit="xcb",
            activity=1,
            by="王欣欣",
            at="2022-11-25T09:05:00+08:00",
            text="单位填错，作废",
            ref=wrong.id,
        )
    )
    return out


# Two returned templates of 市委宣传部 for week 48, as a liaison fills them in Excel:
# a date cell, text dates, a number typed as text, a blank row. The second has mistakes.
FILLED = [
    (dt.date(2022, 11, 28), "13.讲述市民故事", "蓝", "在融媒体中心开设“文明市民故事”专栏，刊发第一期", "", "每周推出一期", "稿件=1", "王欣欣"),
    None,
    ("2022/11/29", "3.见证新霸州", "绿", "“我拍霸州新变化”摄影征集收到作品 126 幅", "", "组织评审", "作品=126", "王欣欣"),
    ("2022年11月30日", "2", "蓝", "组织“百名老班长向党说”专题报道 2 期", "线上传播量偏低", "联系冀云平台加强推送", "报道=2；场次=1", "王欣欣"),
]
MISTAKES = [
    ("2022-11-29", "4.共建文明城市", "紫", "", "", "", "场次三", "王欣欣"),
    ("2022-11-30", "1", "绿", "理论学习中心组第四次集中学习", "", "", "场次=1", "王欣欣"),
]


def workbooks(catalog: Catalog) -> None:
    from openpyxl.utils import get_column_letter

    from shuangzheng_cli.importing.template import FORM_HEADER_ROW, FORM_SHEET, build_template
    from shuangzheng_cli.periods import parse_period
    from shuangzheng_cli.render.xlsx import save_atomic

    for name, rows in (("宣传部-2022-W48-报送.xlsx", FILLED), ("宣传部-2022-W48-有误.xlsx", MISTAKES)):
        wb = build_template(catalog, "xcb", parse_period("2022-W48"), AS_OF)
        ws = wb[FORM_SHEET]
        for i, row in enumerate(rows, start=FORM_HEADER_ROW + 1):
            for j, value in enumerate(row or (), start=1):
                if value != "":
                    ws[f"{get_column_letter(j)}{i}"] = value
        save_atomic(wb, HERE / name, force=True, as_of=AS_OF)


def main() -> None:
    catalog = Catalog.load(HERE.parent)
    target = HERE / "ledgers"
    if target.exists():
        shutil.rmtree(target)
    items = sorted(entries(catalog), key=lambda e: (e.unit, e.date, e.at, e.id))
    Ledger(HERE).append(items)
    workbooks(catalog)
    print(f"wrote {len(items)} entries to {target} and two returned templates")


if __name__ == "__main__":
    main()
