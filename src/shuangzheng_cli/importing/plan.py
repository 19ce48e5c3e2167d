"""What an import would change in the ledger: new rows, rows already there, corrections.

A row whose id is already in the ledger (voided or not) adds nothing. A new row that matches
an imported entry of the same unit by activity and date (in the ledger, or from an earlier
file of the same run), whose id is not among this workbook's rows, is a **correction** (the liaison changed a number or a sentence and sent
the file again): it is listed with the old and new values, and only with `replace` does the
plan void the old entry (a `void` naming the new row) and append the new one. The void is
derived from the two ids and the row, so it too is the same bytes in every clone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..ledger.format import COLOR_NAMES, Entry
from ..ledger.storage import derived_id
from .reading import FileResult, was_imported

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
    voided = {e.ref for e in existing if e.kind == "void"}
    imported: dict[tuple[str, str, int], list[Entry]] = {}
    for e in existing:
        if e.id not in voided and was_imported(e):
            imported.setdefault((e.unit, e.date.isoformat(), e.activity), []).append(e)
    files, corrections = [], []
    for r in results:
        ids = {e.id for e in r.entries}
        plan = FilePlan(r)
        for entry in r.entries:
            if entry.id in known:
                continue
            known.add(entry.id)
            plan.fresh.append(entry)
            for old in imported.get((entry.unit, entry.date.isoformat(), entry.activity), []):
                if old.id not in ids:
                    corrections.append(Correction(old, entry, r.places.get(entry.id, r.label)))
        plan.present = r.rows - r.repeated - len(plan.fresh)
        files.append(plan)
        for entry in plan.fresh:  # a later file of the same run may correct this one
            imported.setdefault((entry.unit, entry.date.isoformat(), entry.activity), []).append(entry)
    voids = []
    if replace:
        done: set[str] = set()
        pending = {e.id for f in files for e in f.fresh}
        for c in corrections:
            if c.old.id in done:
                continue
            done.add(c.old.id)
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
