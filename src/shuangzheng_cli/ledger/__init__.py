"""The ledger (台账): record format v1, storage under `ledgers/`, new entries, and `check`.

- `format`: every key, kind, enum and limit of a ledger line, and the plain `Entry`.
- `storage`: `Ledger`, locked appends and chunked reads of `ledgers/<YYYY>/<unit>.jsonl`.
- `entries`: a new entry (记一笔) from what a person typed.
- `check`: every problem of the ledgers at its `file:line`.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:  # noqa: ANN401 - `from shuangzheng_cli.ledger import Ledger`
    if name == "Ledger":
        from .storage import Ledger

        return Ledger
    raise AttributeError(name)
