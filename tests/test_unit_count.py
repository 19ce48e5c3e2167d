"""One count of 责任单位 (issue 13 item 7): `units`, `check`, `score`, `bulletin` and the half-year
report all give the same figure, labeled with what it counts.

The figure is worked out here from `units --format json`: every unit, plus every group listed
without members (it reports as one); a group with members counts as its members.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import run_process


def test_every_command_gives_the_same_count_of_responsible_units(workspace: Path) -> None:
    listing = run_process("--root", workspace, "units", "--format", "json")
    assert listing.code == 0, listing.err
    rows = json.loads(listing.out)
    units = [r for r in rows if not r["group"]]
    groups = [r for r in rows if r["group"]]
    memberless = [g for g in groups if not g["members"]]
    responsible = len(units) + len(memberless)
    assert (len(units), len(groups), len(memberless), responsible) == (56, 6, 5, 61)  # data/units.yaml today
    summary = f"{responsible} 个责任单位（{len(units)} 个单位、{len(memberless)} 个不列成员的单位组）"

    table = run_process("--root", workspace, "units")
    assert f"单位名录：{len(units)} 个单位、{len(groups)} 个单位组，计 {summary}" in table.out

    check = run_process("--root", workspace, "check")
    assert check.code == 0 and f"18 项活动，{summary}；" in check.err

    score = run_process("--root", workspace, "score", "--year", "2022")
    assert f"，{responsible} 个责任单位）" in score.out.splitlines()[0]
    top = run_process("--root", workspace, "score", "--year", "2022", "--top", "3")
    # a shortened list says how many it shows of how many (with ties at the top it may show all)
    assert re.search(rf"（列出 \d+ 个单位，共 {responsible} 个责任单位|，{responsible} 个责任单位）", top.out.splitlines()[0])

    bulletin = run_process("--root", workspace, "bulletin")
    assert f"全市 {responsible} 个责任单位" in bulletin.out

    half = run_process("--root", workspace, "report", "half-year", "2022H2", "--format", "md")
    assert f"共 {responsible} 个责任单位" in half.out
