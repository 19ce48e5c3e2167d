"""`-o FILE` on every report and listing: the format from the extension, `--format` first,
no file replaced without `--force`, CSV with a BOM for Excel, stdout unchanged."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from test_reports_core import ENTRIES, write_definitions

from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.ledger.format import Entry
from shuangzheng_cli.ledger.storage import Ledger

BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_definitions(tmp_path_factory.mktemp("ws"))
    extra = Entry(
        id="jia1z", kind="progress", date=ENTRIES[0].date, unit="jia", activity=1, by="测试员",
        at="2022-09-06T19:00:00+08:00", text="开展宣讲", problems="人手不足", next="下周再讲",
        evidence=("https://example.org/p1", "照片/宣讲.jpg"),
    )
    Ledger(root, Catalog.load(root)).append([*ENTRIES, extra])
    return root


@pytest.fixture
def run(cli, ws: Path):
    def go(*args: str):
        return cli("--root", str(ws), *args)

    return go


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--as-of", "2022-10-02"),
        ("alerts", "--as-of", "2022-10-02"),
        ("history",),
        ("units",),
        ("activities",),
        ("score", "--year", "2022", "--as-of", "2022-10-02"),
    ],
)
def test_csv_file_has_a_bom_and_the_same_rows_as_stdout(run, tmp_path: Path, args: tuple[str, ...]) -> None:
    printed = run(*args, "--format", "csv")
    assert printed.code == 0, printed.err
    assert not printed.out.startswith("\ufeff")  # standard output stays plain UTF-8
    path = tmp_path / "out.csv"
    r = run(*args, "-o", str(path))
    assert r.code == 0, r.err
    assert r.out == "" and f"已生成 {path}" in r.err
    data = path.read_bytes()
    assert data.startswith(BOM)
    assert data[len(BOM):].decode("utf-8") == printed.out


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("a.json", lambda text: json.loads(text)),
        ("a.md", lambda text: text.startswith("#") or text.startswith("|")),
        ("a.txt", lambda text: "┌" in text and all(line == line.rstrip() for line in text.splitlines())),
    ],
)
def test_extension_chooses_the_format(run, tmp_path: Path, name: str, check) -> None:  # noqa: ANN001
    path = tmp_path / name
    r = run("alerts", "--as-of", "2022-10-02", "-o", str(path))
    assert r.code == 0, r.err
    text = path.read_text(encoding="utf-8")
    assert check(text)
    assert "丁局" in text


def test_format_wins_over_the_extension(run, tmp_path: Path) -> None:
    path = tmp_path / "units.txt"
    r = run("units", "--format", "json", "-o", str(path))
    assert r.code == 0, r.err
    assert [u["name"] for u in json.loads(path.read_text(encoding="utf-8"))][:2] == ["甲局", "乙局"]


@pytest.mark.parametrize(("args", "name"), [
    (("units", "--format", "json"), "u.csv"),
    (("history", "--format", "md"), "h.xlsx"),
    (("units", "--format", "csv"), "u.docx"),
    (("units", "--format", "table"), "u.md"),
])
def test_an_extension_that_contradicts_the_format_is_refused(run, tmp_path: Path, args: tuple, name: str) -> None:
    """`-f json -o x.csv` would give a file its program cannot open: refused, naming both, nothing written."""
    path = tmp_path / name
    r = run(*args, "-o", str(path))
    assert r.code == 2
    assert f"与 --format {args[-1]} 不符" in r.err and path.suffix in r.err
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_replaced_only_with_force(run, tmp_path: Path) -> None:
    path = tmp_path / "h.md"
    path.write_text("旧内容", encoding="utf-8")
    r = run("history", "-o", str(path))
    assert r.code == 1 and "已存在" in r.err and "--force" in r.err
    assert path.read_text(encoding="utf-8") == "旧内容"
    r = run("history", "-o", str(path), "--force")
    assert r.code == 0, r.err
    assert "开展宣讲" in path.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.md"]  # no temporary file left


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (("status", "-o", "x.docx"), ".txt、.md、.json、.csv"),
        (("units", "-o", "x.xlsx"), ".txt、.md、.json、.csv"),
        (("bulletin", "-o", "x.txt"), ".md、.json、.docx"),
        (("history", "-o", "x"), ".txt、.md、.json、.csv"),
    ],
)
def test_an_extension_the_command_cannot_write(run, tmp_path: Path, args: tuple[str, ...], allowed: str) -> None:
    r = run(*args[:-1], str(tmp_path / args[-1]))
    assert r.code == 2
    assert allowed in r.err and "--format" in r.err
    assert list(tmp_path.iterdir()) == []


def test_a_failing_command_writes_nothing(run, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    r = run("status", "--unit", "没有这个单位", "-o", str(path))
    assert r.code == 2
    assert not path.exists()


def test_history_csv_carries_every_field(run, tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    assert run("history", "--unit", "甲局", "-o", str(path)).code == 0
    rows = list(csv.DictReader(io.StringIO(path.read_bytes()[len(BOM):].decode("utf-8"))))
    assert {"存在问题", "下步打算", "佐证", "整改期限", "记录时间", "编号"} <= set(rows[0])
    row = next(r for r in rows if r["编号"] == "jia1z")
    assert (row["存在问题"], row["下步打算"]) == ("人手不足", "下周再讲")
    assert row["佐证"] == "https://example.org/p1；照片/宣讲.jpg"
    assert row["记录时间"] == "2022-09-06T19:00:00+08:00"


def test_remind_takes_the_shared_option(run, tmp_path: Path) -> None:
    path = tmp_path / "催报.txt"
    printed = run("remind", "--as-of", "2022-10-02")
    r = run("remind", "--as-of", "2022-10-02", "-o", str(path))
    assert r.code == 0, r.err
    assert path.read_text(encoding="utf-8") == printed.out  # .txt is remind's plain text
    wrong = run("remind", "-o", str(tmp_path / "x.csv"))
    assert wrong.code == 2 and ".txt、.md、.json" in wrong.err


def test_report_week_and_half_year_take_o_for_text_too(run, tmp_path: Path) -> None:
    md = tmp_path / "周报.md"
    assert run("report", "week", "2022-W39", "-o", str(md)).code == 0
    assert md.read_text(encoding="utf-8").startswith("# 双争活动周报 2022年第39周")
    js = tmp_path / "半年.json"
    assert run("report", "half-year", "2022H2", "--as-of", "2022-10-31", "-o", str(js)).code == 0
    assert json.loads(js.read_text(encoding="utf-8"))["month_ends"] == ["2022-09-30", "2022-10-31"]
