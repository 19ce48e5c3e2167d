"""An independent check of the transcription: the plan's own text against `activities --format json`.

The expectations here are parsed from the plan (tests/fixtures/plan.txt, a byte-for-byte copy of
霸文明〔2022〕6号) with regexes, or written out by hand from reading it — never produced by the
code under test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

PLAN = (Path(__file__).parent / "fixtures" / "plan.txt").read_text(encoding="utf-8")

#: Group phrases as the plan writes them (概括表述): kept as groups, never as concrete units.
GROUP_PHRASES = {
    "各乡镇（区、办）",
    "市直各单位",
    "中省直驻霸各单位",
    "市文明委各成员单位",
    "市直有关单位",
    "市直、中省直驻霸有关单位",
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _activity_blocks() -> dict[int, str]:
    """Activity number -> its text, from "N.开展…" to the next activity or section heading."""
    section = PLAN[PLAN.index("二、活动安排") : PLAN.index("三、时间安排")]
    starts = list(re.finditer(r"^(\d{1,2})\.", section, flags=re.M))
    blocks = {}
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(section)
        blocks[int(match.group(1))] = section[match.start() : end]
    return blocks


def _split_units(listing: str) -> list[str]:
    """The plan's 责任单位 list, split as written, with `等` introducing group phrases.

    "市农业农村局等市直各单位、中省直驻霸各单位" -> 市农业农村局, 市直各单位, 中省直驻霸各单位;
    "市直、中省直驻霸有关单位" is one group phrase although it contains a 、.
    """
    listing = _squash(listing).rstrip("。")
    # A 、 inside parentheses, or in "市直、中省直驻霸有关单位", does not separate units.
    listing = re.sub(r"（[^）]*）", lambda m: m.group(0).replace("、", "\0"), listing)
    listing = listing.replace("市直、中省直驻霸有关单位", "市直\0中省直驻霸有关单位")
    out: list[str] = []
    for part in re.split(r"[、，]", listing):
        if not part:
            continue
        named, sep, group = part.partition("等")
        out.append(named.replace("\0", "、"))
        if sep:
            out.append(group.replace("\0", "、"))
    return out


def plan_units() -> dict[int, list[str]]:
    out = {}
    for number, block in _activity_blocks().items():
        # The list runs to the end of the block; activity 10's crosses a page break (blank lines).
        match = re.search(r"责任单位：(.*)\Z", block, flags=re.S)
        assert match, f"activity {number} has no 责任单位 in the plan"
        listing = match.group(1)
        # Activity 13: the list ends the block, but activity 2's and others' blocks may carry
        # a following category heading "（二）…" and its lead-in paragraph: cut it off.
        listing = re.split(r"\n\s*（[一二三四五]）", listing)[0]
        out[number] = _split_units(listing)
    return out


# Worked out by hand from the plan, to check the parser itself.
PLAN_UNITS_BY_HAND = {
    4: ["市文明办", "市交通运输局", "市公安局", "市住建局", "市综合执法局", "市农业农村局", "市直各单位", "中省直驻霸各单位"],
    9: ["市直、中省直驻霸有关单位", "各乡镇（区、办）"],
    10: ["市行政审批局", "市交通运输局", "市市场监督管理局", "市文广旅局", "市商务局", "市文明办", "移动公司", "联通公司", "电信公司", "广电公司"],
    15: ["市司法局", "市教育和体育局", "市公安局", "市人民法院", "市直有关单位"],
    18: ["市委政法委"],
}

#: Spelling variants in the plan (责任单位 lists and the 附件) that name one unit.
SPELLING_VARIANTS = [
    ("市卫健局", "市卫生健康局"),
    ("市市场监管局", "市市场监督管理局"),
    ("市文广旅局", "市文化广电和旅游局"),
    ("市科技工信局", "市科技和工信局"),
    ("市委市直工委", "市直工委"),
]


@pytest.fixture(scope="module")
def plan() -> dict[int, list[str]]:
    return plan_units()


@pytest.fixture
def activities(cli) -> list[dict]:
    result = cli("activities", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


@pytest.fixture
def units(cli) -> list[dict]:
    result = cli("units", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def _spellings(units: list[dict]) -> dict[str, str]:
    """Every name and alias -> unit id, from the units JSON."""
    out: dict[str, str] = {}
    for unit in units:
        for name in (unit["name"], *unit["aliases"]):
            assert name not in out, f"{name} claimed by {out[name]} and {unit['id']}"
            out[name] = unit["id"]
    return out


def test_fixture_is_the_plan() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_785ff53e928aa9e6.txt"
    if shared.is_file():
        assert shared.read_bytes() == (Path(__file__).parent / "fixtures" / "plan.txt").read_bytes()
    assert "霸文明〔2022〕6号" in PLAN


def test_parser_finds_18_activities_and_matches_hand_reading(plan: dict[int, list[str]]) -> None:
    assert sorted(plan) == list(range(1, 19))
    for number, expected in PLAN_UNITS_BY_HAND.items():
        assert plan[number] == expected, number
    # The page break inside activity 10's list is joined: 市商务局、<page> 市文明办.
    assert plan[10].index("市文明办") == plan[10].index("市商务局") + 1
    assert all(name and "责任单位" not in name and "\n" not in name for names in plan.values() for name in names)


def test_there_are_18_activities_numbered_in_order(activities: list[dict]) -> None:
    assert [a["number"] for a in activities] == list(range(1, 19))


@pytest.mark.parametrize("number", range(1, 19))
def test_responsible_units_match_the_plan(
    number: int, plan: dict[int, list[str]], activities: list[dict], units: list[dict]
) -> None:
    spellings = _spellings(units)
    activity = next(a for a in activities if a["number"] == number)
    listed_ids = [u["id"] for u in activity["units"]]
    plan_ids = [spellings.get(name, f"<plan name not in units.yaml: {name}>") for name in plan[number]]
    assert listed_ids == plan_ids
    assert activity["lead"] == plan_ids[0]
    for unit, name in zip(activity["units"], plan[number], strict=True):
        assert unit["group"] == (name in GROUP_PHRASES), name


def test_categories_are_the_plans_five_headings(activities: list[dict]) -> None:
    headings = re.findall(r"^（([一二三四五])）(\S+)$", PLAN[PLAN.index("二、活动安排") : PLAN.index("三、时间安排")], flags=re.M)
    assert len(headings) == 5
    by_number = {a["number"]: a for a in activities}
    # By hand from the plan: (一) 1–3, (二) 4–8, (三) 9–11, (四) 12–14, (五) 15–18.
    ranges = [range(1, 4), range(4, 9), range(9, 12), range(12, 15), range(15, 19)]
    for i, ((_, heading), numbers) in enumerate(zip(headings, ranges, strict=True), start=1):
        for n in numbers:
            assert by_number[n]["category"] == i
            assert by_number[n]["category_name"] == heading
    assert len({a["category"] for a in activities}) == 5


def test_three_phases_with_the_dates_of_issue_2(catalog) -> None:
    phases = [(p.name, p.start.isoformat(), p.end.isoformat() if p.end else None) for p in catalog.phases]
    assert phases == [
        ("动员部署阶段", "2022-09-01", "2022-09-30"),
        ("深入推进阶段", "2022-09-01", "2022-12-31"),
        ("提升巩固阶段", "2023-01-01", None),
    ]
    for name, _, _ in phases:
        assert f"{name}（" in PLAN
    assert catalog.campaign.doc_number == "霸文明〔2022〕6号"
    assert catalog.campaign.date.isoformat() == "2022-09-20"
    assert catalog.campaign.doc_number in PLAN and "2022年9月20日" in PLAN


def test_41_distinct_concrete_units(plan: dict[int, list[str]], units: list[dict]) -> None:
    named = {name for names in plan.values() for name in names if name not in GROUP_PHRASES}
    merged = set(named)
    for a, b in SPELLING_VARIANTS:
        if a in merged and b in merged:
            merged.discard(b)
    assert len(merged) == 41
    # …and units.yaml agrees: every concrete plan name resolves, to 41 distinct non-township units.
    spellings = _spellings(units)
    resolved = {spellings[name] for name in named}
    assert len(resolved) == 41
    kinds = {u["id"]: u["kind"] for u in units}
    assert not any(kinds[uid] in {"乡镇", "乡", "开发区", "街道办事处"} for uid in resolved)
    assert all(not u["group"] for u in units if u["id"] in resolved)
    concrete_non_township = [
        u for u in units if not u["group"] and u["kind"] not in {"乡镇", "乡", "开发区", "街道办事处"}
    ]
    assert len(concrete_non_township) == 41


@pytest.mark.parametrize(("first", "second"), SPELLING_VARIANTS)
def test_spelling_variants_resolve_to_one_unit(first: str, second: str, units: list[dict], cli) -> None:
    assert _squash(first) in _squash(PLAN) and _squash(second) in _squash(PLAN)
    spellings = _spellings(units)
    assert spellings[first] == spellings[second]
    ids = set()
    for name in (first, second):
        result = cli("activities", "--unit", name, "--format", "json")
        assert result.code == 0, result.err
        ids.add(tuple(a["number"] for a in json.loads(result.out)))
    assert len(ids) == 1


def test_group_phrases_are_groups(units: list[dict]) -> None:
    groups = {u["name"]: u for u in units if u["group"]}
    assert set(groups) >= GROUP_PHRASES
    assert len(groups["各乡镇（区、办）"]["members"]) == 15


def _targets(activities: list[dict], number: int) -> list[dict]:
    return next(a for a in activities if a["number"] == number)["targets"]


def test_targets_named_in_issue_2(activities: list[dict]) -> None:
    t5 = _targets(activities, 5)
    assert any(t["value"] == 100 and t.get("per") == "year" for t in t5)
    t12 = _targets(activities, 12)
    assert any(t.get("per") == "quarter" for t in t12)
    assert sorted(t["value"] for t in _targets(activities, 4)) == [8, 10, 30]
    assert [t["value"] for t in _targets(activities, 2)] == [3]
    assert [t["value"] for t in _targets(activities, 7)] == [4]
    assert any(t.get("per") == "year" and "十星级文明户" in t["metric"] for t in _targets(activities, 6))
    # Each of these figures is written in the plan's text of that activity.
    blocks = _activity_blocks()
    assert "每年遴选100个" in blocks[5]
    assert "每季度" in blocks[12]
    assert "8项强基固本工程" in blocks[4] and "10项攻坚克难行动" in blocks[4] and "30类重点点位" in blocks[4]
    assert "3条" in blocks[2] and "4个方面" in blocks[7] and "每年评选认定" in blocks[6]


def test_target_texts_are_quoted_from_their_activity(activities: list[dict]) -> None:
    blocks = _activity_blocks()
    for activity in activities:
        for target in activity["targets"]:
            if target.get("text"):
                assert _squash(target["text"]) in _squash(blocks[activity["number"]]), target


def test_titles_and_subitems_occur_in_the_plan(activities: list[dict]) -> None:
    blocks = _activity_blocks()
    for activity in activities:
        block = _squash(blocks[activity["number"]])
        title = _squash(activity["title"])
        assert block.startswith(f"{activity['number']}.{title}"), activity["number"]
        for item in activity["subitems"]:
            assert _squash(item) in block, (activity["number"], item)
