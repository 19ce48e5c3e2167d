"""The follow-up loop after an inspection (督导、抽查、暗访 → 整改、约谈、通报), over plain entries. No I/O.

An inspection may ask for several things (`Entry.followup`: 整改, 约谈, 通报); each is one
`Case`. `followup` entries (`ref` = the inspection's id) carry it on:

- 约谈: pending (待约谈) until 已约谈 is recorded; 通报: pending (待通报) until 已通报.
- 整改: open with a deadline (the inspection's `due`, else its date + `rules.rectify_days`);
  整改完成 makes it wait for acceptance (待验收); 验收通过 closes it; 验收不通过 opens it again
  with a new deadline (the entry's `due`, else its date + `rectify_days`). Open past its
  deadline, it is overdue (整改逾期): a red reason on the cell and an alert.

A result that repeats or skips a step (a second 已约谈, 验收通过 with no 整改完成) is applied as
above; `result_notice` words the one-line warning `followup` prints when it records one.

A result the inspection did not ask for (已约谈 on a 整改-only inspection), or one naming no
known inspection, is left out here (`check` names it). Everything is as of a date: entries
dated after it are not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..ledger.format import RESULT_NEEDS, Entry

#: the states of a case, as people read them
PENDING, DONE = "pending", "done"  # 约谈 / 通报
OPEN, SUBMITTED, CLOSED = "open", "submitted", "closed"  # 整改
STATE_NAMES = {
    ("约谈", PENDING): "待约谈", ("约谈", DONE): "已约谈",
    ("通报", PENDING): "待通报", ("通报", DONE): "已通报",
    ("整改", OPEN): "整改中", ("整改", SUBMITTED): "待验收", ("整改", CLOSED): "验收通过",
}


@dataclass(frozen=True)
class Case:
    """One thing an inspection asked for, and where it stands on a date.

    `since`: the day it (re)opened (the inspection's date, or a failed acceptance's);
    `due`: 整改's deadline for the current round (None for 约谈/通报);
    `settled`: the day of the result that settled it (已约谈, 已通报, 整改完成 or 验收通过), if any;
    `results`: the follow-up entries about it, in order.
    """

    inspection: Entry
    ask: str
    state: str
    since: dt.date
    due: dt.date | None
    settled: dt.date | None
    results: tuple[Entry, ...]

    @property
    def unit(self) -> str:
        return self.inspection.unit

    @property
    def activity(self) -> int:
        return self.inspection.activity

    @property
    def state_name(self) -> str:
        return STATE_NAMES[(self.ask, self.state)]

    @property
    def pending(self) -> bool:
        """Still waiting on the unit (待约谈, 待通报, 整改中)."""
        return self.state in (PENDING, OPEN)

    def overdue_days(self, as_of: dt.date) -> int:
        """Days past the 整改 deadline while still open (0 when not overdue)."""
        if self.state != OPEN or self.due is None:
            return 0
        return max(0, (as_of - self.due).days)

    def waiting_days(self, as_of: dt.date) -> int:
        """Days since it (re)opened."""
        return (as_of - self.since).days


#: the order of results in the lifecycle, for results recorded in the same second
_STEP = {"已约谈": 0, "已通报": 0, "整改完成": 1, "验收不通过": 2, "验收通过": 2}


def rectify_deadline(day: dt.date, due: dt.date | None, rectify_days: int) -> dt.date:
    """整改期限: the stated `due`, else `day` + `rectify_days` (the rules' default)."""
    return due if due is not None else day + dt.timedelta(days=rectify_days)


def cases(inspections: Iterable[Entry], results: Iterable[Entry], as_of: dt.date, rectify_days: int) -> list[Case]:
    """Every case the inspections (up to `as_of`) asked for, with the results (up to `as_of`) applied in order.

    `inspections` and `results` are plain entries (voids already applied), any order; the
    cases come in the inspections' (date, at, id) order, then 整改, 约谈, 通报.
    """
    asked = sorted((e for e in inspections if e.kind == "inspection" and e.followup and e.date <= as_of),
                   key=lambda e: e.sort_key)
    by_ref: dict[str, list[Entry]] = {}
    kept = (r for r in results if r.kind == "followup" and r.date <= as_of)
    # in (date, at) order; results recorded in the same second go in the order of the lifecycle
    for r in sorted(kept, key=lambda e: (e.date, e.at, _STEP.get(e.result or "", 0), e.id)):
        if r.ref is not None:
            by_ref.setdefault(r.ref, []).append(r)
    out = []
    for inspection in asked:
        mine = by_ref.get(inspection.id, [])
        for ask in inspection.followup:
            out.append(_case(inspection, ask, [r for r in mine if RESULT_NEEDS.get(r.result or "") == ask], rectify_days))
    return out


def _case(inspection: Entry, ask: str, results: list[Entry], rectify_days: int) -> Case:
    if ask != "整改":
        settled = next((r.date for r in results), None)
        state = DONE if settled else PENDING
        return Case(inspection, ask, state, inspection.date, None, settled, tuple(results))
    state, since, settled = OPEN, inspection.date, None
    due = rectify_deadline(inspection.date, inspection.due, rectify_days)
    for r in results:
        if r.result == "整改完成" and state == OPEN:
            state, settled = SUBMITTED, r.date
        elif r.result == "验收通过":
            state, settled = CLOSED, r.date
        elif r.result == "验收不通过":
            state, since, settled = OPEN, r.date, None
            due = rectify_deadline(r.date, r.due, rectify_days)
    return Case(inspection, ask, state, since, due, settled, tuple(results))


def _order(r: Entry) -> tuple:
    """The order `cases` applies results in: (date, at), the lifecycle for the same second, then id."""
    return (r.date, r.at, _STEP.get(r.result or "", 0), r.id)


def result_notice(inspection: Entry, results: Iterable[Entry], new: Entry) -> str | None:
    """Why `new` (a follow-up result about `inspection`) is most likely a mistake, or None.

    Such a result can be real (a second interview; an inspector who accepts the work on the
    spot), so it is recorded, with this one line: a repeated 已约谈/已通报 names the earlier
    record; 整改完成 names the one still awaiting acceptance, or the 验收通过 that closed the case;
    验收通过/验收不通过 says 整改完成 is missing (since the inspection, or since the last failed
    acceptance), or names the 验收通过 that closed the case. `results`: the unit's other follow-up
    entries (voids applied), any order; `new` is placed among them as `cases` would place it.
    """
    ask = RESULT_NEEDS.get(new.result or "")
    mine = [r for r in results if r.kind == "followup" and r.ref == inspection.id and r.id != new.id
            and RESULT_NEEDS.get(r.result or "") == ask]
    which = f"检查 {inspection.id}（{inspection.date} {inspection.method}）"
    undo = f"如确属记错，可用 shuangzheng void {new.id} -r 记错 作废"
    if ask in ("约谈", "通报"):
        if not mine:
            return None
        first = min(mine, key=_order)
        return f"注意：{which}已记过“{first.result}”（{first.id}，{first.date}），本条是再记一次，已照记；{undo}"
    if ask != "整改":
        return None
    state = OPEN
    done = closed = failed = None
    for r in sorted([*mine, new], key=_order):
        if r is new:
            break
        if r.result == "整改完成" and state == OPEN:
            state, done = SUBMITTED, r
        elif r.result == "验收通过":
            state, closed = CLOSED, r
        elif r.result == "验收不通过":
            state, failed = OPEN, r
    if state == CLOSED and closed is not None:
        return (f"注意：{which}的整改已于 {closed.date} 验收通过（{closed.id}），本条“{new.result}”在其后，已照记；"
                f"{undo}")
    if new.result == "整改完成" and state == SUBMITTED and done is not None:
        return f"注意：{which}已记过“整改完成”（{done.id}，{done.date}），尚待验收，本条是再记一次，已照记；{undo}"
    if new.result in ("验收通过", "验收不通过") and state == OPEN:
        since = f"上次验收不通过（{failed.id}，{failed.date}）后" if failed is not None else ""
        return (f"注意：{which}要求的整改{since}还没有记“整改完成”，本条“{new.result}”已照记"
                f"（现场验收的可不理会）；{undo}")
    return None


def cell_findings(cell_cases: Iterable[Case], as_of: dt.date) -> list[tuple[str, str]]:
    """The (color, reason) the cases give a cell on `as_of`: an overdue 整改 is red; one in
    progress or awaiting acceptance is noted (blue, it does not change the color)."""
    out = []
    for c in cell_cases:
        if c.ask != "整改":
            continue
        late = c.overdue_days(as_of)
        origin = f"{c.inspection.date} {c.inspection.method}"
        if late:
            out.append(("red", f"整改逾期 {late} 天（{origin}要求，期限 {c.due}）"))
        elif c.state == OPEN:
            out.append(("blue", f"整改中，期限 {c.due}（{origin}要求）"))
        elif c.state == SUBMITTED:
            out.append(("blue", f"整改已完成，待验收（{c.settled}）"))
    return out
