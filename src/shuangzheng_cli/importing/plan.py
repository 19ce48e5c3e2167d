"""What an import would change in the ledger: new rows, rows already there, corrections.

A row whose id is already in the ledger (voided or not) adds nothing, nor does a row whose
content alone is that of an entry there (the same row sent again in another workbook).

A **correction** is a resend of the same workbook with a number or a sentence changed. The
workbook is known by its template's id (`_meta`), which is part of every imported row's id:
an old entry belongs to this workbook when its id is the `row_id` of its content and this
workbook's template id (`was_imported`; for a workbook without a template id, made before ids
were added, an entry imported from any such workbook, which cannot be told apart). An old entry
of this workbook (in the ledger, or from an earlier file of the same run) whose row is no
longer among the workbook's rows is corrected by a new row of the same unit, date and activity.
Rows of another workbook (another template: a 补报, next week's template) are never corrections,
nor do entries of `add` ever get corrected.

Pairing is one to one, in the workbook's order: an old entry is replaced by at most one row,
a row replaces at most one old entry. When the workbook now has more new rows for a day and
activity than it had old entries that changed, the rest are new rows (the liaison changed one
row and added another; which row is "the" new version does not change what `replace` writes:
the old entry voided once, every new row recorded); when it has fewer, the old entries left
over stay (as a row deleted from a resend does). Corrections are listed with the old and new
values, and only with `replace` does the plan void the old entry (a `void` naming the new row)
and append the new one. The void is derived from the two ids and the row, so it too is the
same bytes in every clone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..ledger.format import COLOR_NAMES, Entry
from ..ledger.storage import derived_id
from .reading import FileResult, content_ids, was_imported

FIELDS = (("color", "自评颜色"), ("text", "进展情况"), ("problems", "存在问题"), ("next", "下步打算"), ("metrics", "数据"))


@dataclass
class Correction:
    """An imported entry and the row that changes it."""

    old: Entry
    new: Entry
    place: str

    def changes(self) -> list[tuple[str, str, str]]:
        """(field name, old value, new value) for each field that differs, as the liaison wrote them."""
        out = []
        for key, name in FIELDS:
            before, after = getattr(self.old, key), getattr(self.new, key)
            if before != after:
                out.append((name, _show(key, before), _show(key, after)))
        return out


@dataclass
class FilePlan:
    result: FileResult
    fresh: list[Entry] = field(default_factory=list)
    present: int = 0
    voided: int = 0  # of `present`: rows whose entry a correction has since voided


@dataclass
class ImportPlan:
    files: list[FilePlan]
    corrections: list[Correction]
    voids: list[Entry]

    @property
    def to_append(self) -> list[Entry]:
        """What `replace` writes: the voids first, then the new rows."""
        return [*self.voids, *(e for f in self.files for e in f.fresh)]


def plan_import(results: Iterable[FileResult], existing: Iterable[Entry], *, replace: bool) -> ImportPlan:
    """Compare the rows read with the ledger's entries of the same units (voided ones included)."""
    existing = list(existing)
    known = {e.id for e in existing}
    contents = {c for e in existing if e.kind == "progress" for c in content_ids(e)}
    voided = {e.ref for e in existing if e.kind == "void"}
    live = [e for e in existing if e.kind == "progress" and e.id not in voided]
    earlier: list[tuple[str | None, Entry]] = []  # rows of earlier files of this run, with their template id
    taken: set[str] = set()  # old entries already paired with a new row: one replacement each
    files, corrections = [], []
    for r in results:
        ids = {e.id for e in r.entries}
        plan = FilePlan(r)
        for entry in r.entries:
            content = r.contents.get(entry.id, entry.id)
            if entry.id in known or content in contents:  # this row, or the same content sent in another workbook
                if entry.id in voided:  # sent again after a corrected version replaced it: still not recorded
                    plan.voided += 1
                continue
            known.add(entry.id)
            contents.add(content)
            plan.fresh.append(entry)
        # what this workbook sent before (from the same template) and no longer holds, by unit, date, activity
        olds: dict[tuple[str, str, int], list[Entry]] = {}
        candidates = [e for e in live if was_imported(e, r.template_id)]
        candidates += [e for source, e in earlier if source == r.template_id]
        for old in candidates:
            if old.id not in ids and old.id not in taken:
                olds.setdefault(_key(old), []).append(old)
        news: dict[tuple[str, str, int], list[Entry]] = {}
        for entry in plan.fresh:
            news.setdefault(_key(entry), []).append(entry)
        for key, new_rows in news.items():  # in the workbook's order, each old entry with at most one row
            for old, entry in zip(olds.get(key, []), new_rows, strict=False):
                taken.add(old.id)
                corrections.append(Correction(old, entry, r.places.get(entry.id, r.label)))
        plan.present = r.rows - r.repeated - len(plan.fresh)
        files.append(plan)
        earlier += [(r.template_id, e) for e in plan.fresh]  # a later file of the same run may correct these
    voids = []
    if replace:
        pending = {e.id for f in files for e in f.fresh}
        for c in corrections:
            if c.old.id in pending:  # an earlier file of this run: not written at all
                for f in files:
                    f.fresh = [e for e in f.fresh if e.id != c.old.id]
                continue
            voids.append(Entry(
                id=derived_id("void", c.old.id, c.new.id), kind="void", date=c.old.date, unit=c.old.unit,
                activity=c.old.activity, by=c.new.by, at=c.new.at, ref=c.old.id,
                text=f"导入更正：{c.place} 的新版本（{c.new.id}）代替此条",
            ))
    return ImportPlan(files, corrections, voids)


def _key(entry: Entry) -> tuple[str, str, int]:
    return (entry.unit, entry.date.isoformat(), entry.activity)


def _show(key: str, value: object) -> str:
    if key == "color":
        return COLOR_NAMES.get(value, "（空）") if value else "（空）"  # type: ignore[arg-type]
    if key == "metrics":
        if not value:
            return "（空）"
        return "；".join(f"{k}={_number(v)}" for k, v in value.items())  # type: ignore[union-attr]
    text = str(value).replace("\n", "⏎")
    return (text[:60] + "…" if len(text) > 60 else text) or "（空）"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else json.dumps(value)
