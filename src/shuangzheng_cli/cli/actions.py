"""What `add`, `inspect`, `followup`, `void` and `check` do (declared in `ledger_cmds` and
`definitions`): an entry is made, checked, written and reported one way."""

from __future__ import annotations

from pathlib import Path

from ..definitions.catalog import Catalog, metric_hint
from ..errors import Problem, UsageProblem
from ..ledger.entries import followup_entry, inspection, progress
from ..ledger.format import Entry, typed_id
from ..ledger.storage import Ledger
from ..periods import parse_date, today
from ..render.text import color_name
from .state import State, recorder


def add_progress(
    st: State,
    *,
    unit: str,
    activity: str,
    text: str,
    date: str | None,
    color: str | None,
    problems: str | None,
    next_steps: str | None,
    metric: list[str] | None,
    evidence: list[str] | None,
    by: str | None,
) -> Entry:
    """`add`: a progress entry from what was typed, written, with the cell's color before and after."""
    _catalog, uid, number = _target(st, unit, activity)
    entry = progress(
        uid,
        number,
        text,
        date=parse_date(date, "--date 日期") if date else None,
        color=color,
        problems=problems,
        next=next_steps,
        metrics=metric or [],
        evidence=evidence or [],
        by=recorder(by, st.workspace),
    )
    fractions = _catalog.fraction_problems(entry.metrics)
    if fractions:
        raise UsageProblem("未写入：" + "；".join(fractions))
    placed = _write(st, entry)
    for name, target_metric in _catalog.metric_hints(number, entry.metrics):  # recorded as typed: a liaison may record any metric
        st.out.message("提示：" + metric_hint(name, target_metric))
    return placed


def add_inspection(
    st: State,
    *,
    unit: str,
    activity: str,
    method: str,
    color: str,
    text: str,
    followup: str | list[str] | None,
    date: str | None,
    by: str | None,
    due: str | None,
) -> Entry:
    """`inspect`: an inspection entry, written, with the cell's color before and after."""
    _catalog, uid, number = _target(st, unit, activity)
    entry = inspection(
        uid,
        number,
        method,
        color,
        text,
        followup=followup,
        due=due,
        date=parse_date(date, "--date 日期") if date else None,
        by=recorder(by, st.workspace),
    )
    return _write(st, entry)


def add_void(st: State, *, entry_ids: list[str], reason: str, date: str | None, by: str | None) -> None:
    """`void`: void entries cancelling `entry_ids` (several at once), written, each with its cell's color before and after."""
    ledger = Ledger(st.writable_root(), st.catalog)
    keys = list(dict.fromkeys(typed_id(e) for e in entry_ids))
    before = {k: _cell_color(st.catalog, ledger, t) for k, t in ledger.find_many(keys).items()}
    day = parse_date(date) if date else None
    for placed in ledger.void(keys, reason, date=day, by=recorder(by, st.workspace)):
        _report(st, ledger, placed, before.get(placed.ref or ""))


def add_followup(
    st: State,
    *,
    ref: str,
    result: str,
    text: str | None,
    date: str | None,
    due: str | None,
    by: str | None,
) -> Entry:
    """`followup`: what came of an inspection's 约谈/通报/整改, written to its unit's file, with the cell's color."""
    from ..board.followups import rectify_deadline, result_notice

    catalog = st.catalog
    ledger = Ledger(st.writable_root(), catalog)
    key = typed_id(ref)
    target = ledger.find(key)
    if target is None:
        raise UsageProblem(f"找不到编号为 '{ref}' 的检查记录（用 shuangzheng history 查看编号）")
    reading = ledger.read(unit=target.unit, include_voided=True)
    if key in reading.voided:
        raise UsageProblem(f"检查记录 {key} 已作废（{target.place}），不能再记后续处理结果")
    entry = followup_entry(
        target, result, text=text, due=due, date=parse_date(date, "--date 日期") if date else None, by=recorder(by, st.workspace)
    )
    # a repeated or out-of-order result is most likely a mistake, but can be real: recorded, with one line
    notice = result_notice(target, (e for e in reading.entries if e.id not in reading.voided), entry)
    placed = _write(st, entry)
    if placed.result == "验收不通过":
        again = rectify_deadline(placed.date, placed.due, catalog.rules.rectify_days)
        st.out.text(f"重新整改，期限 {again}")
    if notice:
        st.out.message(notice)
    return placed


def _target(st: State, unit: str, activity: str) -> tuple[Catalog, str, int]:
    catalog = st.catalog
    uid = catalog.resolve_unit(unit)
    if catalog.is_member_group(uid):
        members = "、".join(catalog.name(m) for m in catalog.expand(uid)[:5])
        raise UsageProblem(f"'{catalog.name(uid)}' 是单位组，请写具体单位，如 {members}…")
    return catalog, uid, catalog.resolve_activity(activity)


def _write(st: State, entry: Entry) -> Entry:
    """Append (the ledger validates it against the definitions) and show the cell's color before and after.

    One pass over the unit's files gives the cell before; the new entry added to that tally
    gives it after (what a second pass would find, but for lines others append meanwhile).
    """
    from ..board.stream import cell_before_after
    from ..definitions.catalog import Cell

    catalog = st.catalog
    ledger = Ledger(st.writable_root(), catalog)
    ledger.validate([entry])
    day = max(today(), entry.date)
    before, after = cell_before_after(catalog, ledger, day, Cell(entry.activity, entry.unit), entry)
    placed = ledger.append([entry])[0]
    _report(st, ledger, placed, before, after(placed))
    return placed


def _report(st: State, ledger: Ledger, placed: Entry, before: str | None, after: str | None | bool = False) -> None:
    """What was written, and the cell's color change (`after`: known already, else worked out)."""
    catalog = st.catalog
    st.out.text(f"已记录 {placed.id}（{placed.source}:{placed.line}）")
    if after is False:
        after = _cell_color(catalog, ledger, placed)
    if after is not None:
        change = f"{color_name(before)} → {color_name(after)}" if before != after else f"{color_name(after)}（不变）"
        st.out.text(f"{catalog.name(placed.unit)} · {placed.activity}.{catalog.short(placed.activity)}：{change}")


def _cell_color(catalog: Catalog, ledger: Ledger, entry: Entry) -> str | None:
    from ..board.stream import stream_board
    from ..definitions.catalog import Cell

    day = max(today(), entry.date)
    board, _problems = stream_board(catalog, ledger, day, [Cell(entry.activity, entry.unit)], ledger.files(unit=entry.unit))
    return board.cells[0].color


def run_check(st: State, *, repair: bool, since: str | None, staged: bool) -> int:
    """`check`: every problem in the definitions and the ledgers, with its place; the exit code.

    `since`: also the ledgers' history from that commit to HEAD (`ledger.history`);
    `staged`: also what is staged for the next commit (the pre-commit check)."""
    from ..errors import DefinitionError
    from ..ledger.check import check_ledgers, torn_files
    from ..ledger.reader import real_problems

    out = st.out
    try:
        catalog = st.catalog
    except DefinitionError as exc:
        for problem in exc.problems:
            out.text(str(problem))
        out.message(f"发现 {len(exc.problems)} 个问题（定义文件）。")
        return 1
    ws = st.workspace
    if ws.root is None:
        if since or staged:
            ws.require_writable()  # the message that names `shuangzheng init`
        out.message(f"定义文件无误：{len(catalog.activities)} 项活动，{catalog.responsible_summary()}（未找到工作区，未检查台账）。")
        return 0
    ledger = st.ledger()
    if repair:
        for path in torn_files(ledger):
            moved = ledger.repair_torn(path)
            if moved and moved[0] == 0:
                out.message(f"已为 {ledger.label(path)} 的最后一行补上换行符（该行是完整的记录，未移动）")
            elif moved:
                size, torn = moved
                out.message(f"已修复 {ledger.label(path)}：不完整的末行（{size} 字节）已移到 {ledger.label(torn)}")
    history = _history_problems(ws.root, catalog, since, staged)
    found = check_ledgers(catalog, ledger, today())
    for problem in [*found, *history]:
        out.text(str(problem))
    problems = real_problems(found)  # a byte-identical repeat (a union merge) is listed, not counted
    repeats = len(found) - len(problems)
    repeated = f"另有 {repeats} 行与前面的行完全相同（合并时产生），读取时只计一次，无需处理" if repeats else ""
    if problems or history:
        hint = "；末行不完整可用 shuangzheng check --repair 修复" if any("不完整" in p.message for p in problems) else ""
        out.message(f"发现 {len(problems) + len(history)} 个问题{hint}。" + (f"{repeated}。" if repeated else ""))
        if any(p.line or "台账文件" in p.message for p in history):
            from ..ledger.history import CORRECTION_HINT, restore_hint

            out.message(CORRECTION_HINT + "。")
            restore = restore_hint(history)
            if restore:
                out.message(restore)
        return 1
    files = ledger.files()
    since_text = f"；自 {since} 以来台账只在末尾追加" if since else ""
    repeated_text = f"；{repeated}" if repeated else ""
    out.message(
        f"检查通过：{len(catalog.activities)} 项活动，{catalog.responsible_summary()}；台账文件 {len(files)} 个{since_text}{repeated_text}。"
    )
    return 0


def _history_problems(root: Path, catalog: Catalog, since: str | None, staged: bool) -> list[Problem]:
    if not since and not staged:
        return []
    from ..ledger import history

    found = history.since_problems(root, since) if since else []
    return found + (history.staged_problems(root, catalog) if staged else [])
