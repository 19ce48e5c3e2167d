"""Importing the same workbook twice records nothing twice: which entries of returned
workbooks the ledger does not hold yet (each row's id is derived from the file and the row)."""

from __future__ import annotations

from collections.abc import Sequence

from ..ledger.format import Entry
from ..ledger.storage import Ledger
from .workbook import FileResult


def fresh_entries(results: Sequence[FileResult], ledger: Ledger) -> list[list[Entry]]:
    """For each result, its entries whose ids are neither in the ledger (voided ones included)
    nor in an earlier result; in the results' order."""
    units = sorted({r.unit for r in results if r.unit})
    known = {e.id for e in ledger.entries(unit=units, include_voided=True, kinds=("progress", "inspection", "void"))}
    out = []
    for r in results:
        fresh = [e for e in r.entries if e.id not in known]
        known.update(e.id for e in fresh)
        out.append(fresh)
    return out
