"""双争活动台账 (shuangzheng): a task ledger over plain files for the Bazhou “双争” campaign.

The ledger, the four-color board and the reports are a Python API first (`Catalog`,
`Ledger`, `board.build_board`, `reports`); `cli` is a thin Typer layer over them.
"""

__version__ = "0.1.0"
