"""The benchmark runner of issue 7: whole processes, medians, ratios to baselines measured in the same run.

    python benchmarks/run.py                       # 10k, 100k and 1M (make bench)
    python benchmarks/run.py --sizes 10k,100k      # some sizes only
    python benchmarks/run.py --quick               # one run of each, to see that it works

Every figure is a whole process (`sys.executable -m shuangzheng_cli …`), timed from
spawn to exit, with its peak memory (ru_maxrss of that child, from `os.wait4`). Each
figure is the median of several runs (5; 3 at 1M and for export; 1 with `--quick`),
with the baseline run interleaved with the command in the same loop:

- `check`, `status --format json` (first run, the board's cache `board.json` removed: the units' resume states
  are used only with it, so every line is read), `status` again on the
  unchanged ledger, and `status` right after one `add` to the otherwise settled ledger (the
  added line is cut off again after each run), against a bare loop (a separate python
  process) that reads the same files line by line and `json.loads` each line with the
  standard library;
- `export --period 2022` of a year of 100k entries (workspace `100k-2022`), against a bare
  openpyxl write-only dump of the same rows × 10 columns (read from the same lines);
- `--version` and `add` on the 100k ledger, against `python -c "import typer, pydantic, yaml"`.

Commands run with `SHUANGZHENG_TODAY=2026-12-31` so the generated dates validate. `add`
appends one line to the 100k ledger; the file is cut back to its size after each run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

TODAY = "2026-12-31"
CLI = [sys.executable, "-m", "shuangzheng_cli"]

BARE_LOOP = """\
import glob, json, sys
for path in sorted(glob.glob(sys.argv[1] + "/ledgers/*/*.jsonl")):
    with open(path, "rb") as fh:
        for line in fh:
            json.loads(line)
"""

OPENPYXL_DUMP = """\
import glob, json, sys
from openpyxl import Workbook
wb = Workbook(write_only=True)
ws = wb.create_sheet("台账")
ws.append(["日期", "单位", "活动", "类型", "颜色", "进展情况", "存在问题", "下步打算", "记录人", "编号"])
rows = 0
for path in sorted(glob.glob(sys.argv[1] + "/ledgers/" + sys.argv[2] + "/*.jsonl")):
    with open(path, "rb") as fh:
        for line in fh:
            o = json.loads(line)
            ws.append([o["date"], o["unit"], o["activity"], o["kind"], o.get("color"), o.get("text", ""),
                       o.get("problems", ""), o.get("next", ""), o["by"], o["id"]])
            rows += 1
wb.save(sys.argv[3])
print(rows)
"""

IMPORT_FLOOR = "import typer, pydantic, yaml"


@dataclass
class Run:
    seconds: float
    peak_mb: float
    code: int
    stdout: str = ""
    stderr: str = ""


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return statistics.median(r.peak_mb for r in self.runs)


@dataclass
class Row:
    measure: str
    n: str
    subject: Series | None
    baseline: Series | None
    target_ratio: float | None
    target_mb: float | None
    target_text: str
    note: str = ""
    show_mb: bool = True


#: Waits for one child and reports its peak RSS. A separate small process, because Linux
#: carries the parent's high-water RSS into a child across fork/vfork + exec: measured
#: from this runner (which may have generated a ledger in-process), every child would
#: report at least the runner's own peak.
WRAPPER = """\
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(f"{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""
GNU_TIME = "/usr/bin/time"


def _gnu_time() -> bool:
    try:
        done = subprocess.run([GNU_TIME, "-f", "%M", "-o", os.devnull, "true"], capture_output=True, check=False)
    except OSError:
        return False
    return done.returncode == 0


USE_GNU_TIME = sys.platform.startswith("linux") and _gnu_time()


def measure(argv: list[str], env: dict[str, str] | None = None, keep_output: bool = False) -> Run:
    """One whole process: wall time from spawn to exit and its own peak RSS (`/usr/bin/time -f %M`,
    else a small python wrapper that reads ru_maxrss from `os.wait4`)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as report:
        if USE_GNU_TIME:
            wrapped = [GNU_TIME, "-f", "%M %x", "-o", report.name, *argv]
        else:
            wrapped = [sys.executable, "-S", "-c", WRAPPER, report.name, *argv]
        t0 = time.perf_counter()
        proc = subprocess.run(wrapped, stdout=out, stderr=err, env=env, cwd=REPO, check=False)
        seconds = time.perf_counter() - t0
        fields = report.read().split()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace") if keep_output else ""
        stderr = err.read().decode("utf-8", "replace")[-2000:]
    try:  # GNU time prefixes "Command exited with non-zero status N" on a line of its own
        peak_kb, code = int(fields[-2]), int(fields[-1])
    except (IndexError, ValueError):
        peak_kb, code = 0, proc.returncode or -1
    return Run(seconds, peak_kb / 1024, code, stdout, stderr)


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SHUANGZHENG_TODAY"] = TODAY
    env.pop("SHUANGZHENG_ROOT", None)
    env.setdefault("SHUANGZHENG_BY", "基准测试")
    env["NO_COLOR"] = "1"
    return env



@contextlib.contextmanager
def restored(path: Path) -> Iterator[None]:
    """Leave the generated ledger file as it was (cut back to its size, or gone) after a measured `add`."""
    size = path.stat().st_size if path.exists() else None
    try:
        yield
    finally:
        if size is None:
            path.unlink(missing_ok=True)
        else:
            with open(path, "r+b") as fh:
                fh.truncate(size)

def _fail(what: str, run: Run) -> str:
    tail = run.stderr.strip().splitlines()[-1:] or run.stdout.strip().splitlines()[:1]
    return f"{what}: exit {run.code}" + (f" ({tail[0][:120]})" if tail else "")


def bench_reading(ws: Path, name: str, repeats: int, log) -> list[Row]:  # noqa: ANN001
    """check, status (first run, no cache), status again (unchanged) and status right after one
    `add` to the settled ledger, each against the bare loop."""
    env = cli_env()
    bare, check, first, again, after = Series(), Series(), Series(), Series(), Series()
    notes: dict[str, str] = {}
    cache = ws / ".shuangzheng-cache" / "board.json"  # the board's cache (the definitions' stays)
    measure([sys.executable, "-c", BARE_LOOP, str(ws)])  # warm the page cache, untimed
    status_cmd = [*CLI, "--root", str(ws), "status", "--format", "json", "--as-of", TODAY]
    unit, activity = _first_cell(ws)
    path = ws / "ledgers" / TODAY[:4] / f"{unit}.jsonl"
    add_cmd = [
        *CLI, "--root", str(ws), "add", "--unit", unit, "--activity", str(activity), "--date", TODAY,
        "--text", "基准测试：组织专题学习，开展活动 2 场。", "-m", "场次=2", "--by", "基准测试",
    ]
    for i in range(repeats):
        log(f"  {name}: run {i + 1}/{repeats}")
        bare.runs.append(measure([sys.executable, "-c", BARE_LOOP, str(ws)]))
        run = measure([*CLI, "--root", str(ws), "check"], env, keep_output=True)
        if run.code != 0:
            notes["check"] = _fail("check", run) if run.code != 1 else f"check found problems: {run.stdout.strip().splitlines()[0][:100]}"
        check.runs.append(run)
        cache.unlink(missing_ok=True)
        run = measure(status_cmd, env, keep_output=True)
        if run.code != 0:
            notes["first"] = _fail("status", run)
        else:
            try:
                json.loads(run.stdout)
            except ValueError:
                notes["first"] = "status printed no JSON"
        first.runs.append(run)
        run = measure(status_cmd, env)
        if run.code != 0:
            notes["again"] = _fail("status", run)
        again.runs.append(run)
        with restored(path):  # one add (not timed), then status: only that unit's files are read again
            added = measure(add_cmd, env)
            if added.code != 0:
                notes["after"] = _fail("add", added)
            run = measure(status_cmd, env)
            if run.code != 0:
                notes["after"] = _fail("status", run)
            after.runs.append(run)
    return [
        Row("check", name, check, bare, 1.35, 64, "≤1.35×, ≤64 MB", notes.get("check", "")),
        Row("status --format json, first run (no cache)", name, first, bare, 0.75, 64, "≤0.75×, ≤64 MB", notes.get("first", "")),
        Row("status, ledger unchanged", name, again, bare, 0.10, 64, "≤0.1×, ≤64 MB", notes.get("again", "")),
        Row("status right after one add", name, after, bare, 0.20, 64, "≤0.2×, ≤64 MB", notes.get("after", "")),
    ]


def bench_export(repeats: int, log) -> list[Row]:  # noqa: ANN001
    """export --period 2022 of a year of 100k entries, against a bare openpyxl write-only dump."""
    ws = generate.ensure(100_000, [2022])
    env = cli_env()
    name = "100k (2022)"
    target = "≤1.3×, ≤200 MB"
    helped = measure([*CLI, "--root", str(ws), "export", "--help"], env)
    if helped.code != 0:
        return [Row("export --period 2022", name, None, None, 1.3, 200, target, "n/a (export not built)")]
    tmp = Path(tempfile.mkdtemp(prefix="bench-export-"))
    subject, baseline = Series(), Series()
    note = ""
    try:
        for i in range(repeats):
            log(f"  export: run {i + 1}/{repeats}")
            baseline.runs.append(measure([sys.executable, "-c", OPENPYXL_DUMP, str(ws), "2022", str(tmp / "bare.xlsx")]))
            run = measure([*CLI, "--root", str(ws), "export", "--period", "2022", "-o", str(tmp / "export.xlsx"), "--force"], env)
            if run.code != 0:
                note = _fail("export", run)
            subject.runs.append(run)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [Row("export --period 2022", name, subject, baseline, 1.3, 200, target, note)]


def _first_cell(ws: Path) -> tuple[str, int]:
    from shuangzheng_cli.definitions.catalog import Catalog

    catalog = Catalog.load(ws)
    cell = next(c for c in catalog.cells if catalog.is_reporting_unit(c.unit))
    return cell.unit, cell.activity


def bench_startup(repeats: int, log) -> list[Row]:  # noqa: ANN001
    """--version and add on the 100k ledger, against the import floor."""
    ws = generate.ensure(100_000)
    env = cli_env()
    unit, activity = _first_cell(ws)
    path = ws / "ledgers" / TODAY[:4] / f"{unit}.jsonl"
    add_cmd = [
        *CLI, "--root", str(ws), "add", "--unit", unit, "--activity", str(activity), "--date", TODAY,
        "--text", "基准测试：组织专题学习，开展活动 2 场，参与 60 人次。", "-m", "场次=2", "-m", "参与人数=60", "--by", "基准测试",
    ]
    floor, version, add = Series(), Series(), Series()
    notes: dict[str, str] = {}
    measure([*CLI, "--version"], env)  # compile the .pyc files, untimed
    for i in range(repeats):
        log(f"  start-up: run {i + 1}/{repeats}")
        floor.runs.append(measure([sys.executable, "-c", IMPORT_FLOOR]))
        run = measure([*CLI, "--version"], env)
        if run.code != 0:
            notes["version"] = _fail("--version", run)
        version.runs.append(run)
        with restored(path):
            run = measure(add_cmd, env)
        if run.code != 0:
            notes["add"] = _fail("add", run)
        add.runs.append(run)
    return [
        Row("--version", "—", version, floor, 1.3, None, "≤1.3× import floor", notes.get("version", ""), show_mb=False),
        Row("add", "100k", add, floor, 1.3, None, "≤1.3× import floor", notes.get("add", ""), show_mb=False),
    ]


def _returned_workbooks(tmp: Path, env: dict[str, str]) -> tuple[Path, Path, Path]:
    """A workspace, a template of 市委宣传部 with 300 filled rows, and the same workbook with a
    whole-column style carried by a styled empty cell in every row to row 1,048,576."""
    import re
    import zipfile

    import openpyxl

    ws = tmp / "ws"
    subprocess.run([*CLI, "init", str(ws)], env=env, check=True, capture_output=True)
    plain, styled = tmp / "300行.xlsx", tmp / "300行-整列格式.xlsx"
    subprocess.run([*CLI, "--root", str(ws), "template", "-u", "xcb", "-p", "2022-W39", "-o", str(plain)],
                   env=env, check=True, capture_output=True)
    book = openpyxl.load_workbook(plain)
    sheet = book["填报"]
    for i in range(300):
        values = [dt.date(2022, 9, 1) + dt.timedelta(days=i % 90), "1.理论学习宣讲", "绿",
                  f"第 {i + 1} 项工作：组织专题学习，开展活动 2 场。", None, None, "场次=2；参与人数=1,200", "张三"]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=3 + i, column=column, value=value)
    book.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(styled, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:H1048576"/>', data)
                empty = b"".join(b'<row r="%d" s="9" customFormat="1"><c r="A%d" s="9"/></row>' % (n, n) for n in range(303, 1048577))
                data = data.replace(b"</sheetData>", empty + b"</sheetData>")
            dst.writestr(info, data)
    return ws, plain, styled


def bench_import(repeats: int, log) -> list[Row]:  # noqa: ANN001
    """import --dry-run of 300 filled rows with styled empty rows to row 1,048,576, against the same without."""
    env = cli_env()
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    subject, baseline = Series(), Series()
    note = ""
    try:
        ws, plain, styled = _returned_workbooks(tmp, env)
        for i in range(repeats):
            log(f"  import: run {i + 1}/{repeats}")
            for series, path in ((baseline, plain), (subject, styled)):
                run = measure([*CLI, "--root", str(ws), "import", "--dry-run", str(path)], env, keep_output=True)
                if run.code != 0 or "读取 300 行" not in run.stdout:
                    note = _fail("import", run)
                series.runs.append(run)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [Row("import, styled to row 1,048,576", "300 rows", subject, baseline, 2.0, 100, "≤2× same rows unstyled, ≤100 MB", note)]


# ------------------------------------------------------------ the table


def _verdict(row: Row) -> str:
    if row.subject is None or row.baseline is None:
        return "—"
    if row.note and not row.note.startswith("check found"):
        return "error"
    misses = []
    ratio = row.subject.seconds / row.baseline.seconds
    if row.target_ratio is not None and ratio > row.target_ratio:
        misses.append("time")
    if row.target_mb is not None and row.subject.peak_mb > row.target_mb:
        misses.append("memory")
    return "yes" if not misses else "no (" + ", ".join(misses) + ")"


def table(rows: list[Row]) -> str:
    header = ["measure", "N", "time (s)", "peak MB", "baseline (s / MB)", "ratio", "target", "met?"]
    lines = []
    for r in rows:
        if r.subject is None or r.baseline is None:
            lines.append([r.measure, r.n, r.note or "n/a", "", "", "", r.target_text, "—"])
            continue
        s, b = r.subject, r.baseline
        base = f"{b.seconds:.3f} / {b.peak_mb:.0f}" if r.show_mb else f"{b.seconds:.3f}"
        lines.append([
            r.measure, r.n, f"{s.seconds:.3f}", f"{s.peak_mb:.0f}" if r.show_mb else f"({s.peak_mb:.0f})", base,
            f"{s.seconds / b.seconds:.2f}×", r.target_text, _verdict(r),
        ])
    widths = [max(_width(x) for x in col) for col in zip(header, *lines, strict=False)]
    out = [" | ".join(_pad(h, w) for h, w in zip(header, widths, strict=True))]
    out.append("-+-".join("-" * w for w in widths))
    out += [" | ".join(_pad(c, w) for c, w in zip(line, widths, strict=True)) for line in lines]
    notes = [f"  {r.measure} @ {r.n}: {r.note}" for r in rows if r.note and r.subject is not None]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def compile_package() -> None:
    """Byte-compile the package, as installing it does: with PYTHONDONTWRITEBYTECODE set, every
    measured process would otherwise compile the sources again, which an installed tool never does
    (the import floor's packages are compiled in site-packages)."""
    import compileall

    import shuangzheng_cli

    compileall.compile_dir(Path(shuangzheng_cli.__file__).parent, quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of issue 7 (whole processes, medians, ratios).")
    parser.add_argument("--sizes", default="10k,100k,1M", help="ledger sizes, comma-separated (default 10k,100k,1M)")
    parser.add_argument("--quick", action="store_true", help="one run of each measure instead of 5 (3 at 1M and export)")
    parser.add_argument("--repeats", type=int, default=None, help="runs per figure (overrides the defaults)")
    parser.add_argument("--export-repeats", type=int, default=None, help="runs of the export row (default 3; ~2.5 min each now)")
    parser.add_argument("--no-export", action="store_true", help="skip the export row")
    parser.add_argument("--no-startup", action="store_true", help="skip the --version / add rows")
    parser.add_argument("--no-import", action="store_true", help="skip the import row")
    parser.add_argument("--only-import", action="store_true", help="only the import row (no ledgers generated)")
    args = parser.parse_args(argv)

    def repeats(n: int) -> int:
        if args.repeats:
            return args.repeats
        if args.quick:
            return 1
        return 3 if n >= 1_000_000 else 5

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    sizes = [generate.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.only_import:
        sizes, args.no_export, args.no_startup = [], True, True
    started = time.perf_counter()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False).stdout.strip()
    rows: list[Row] = []
    counts: dict[str, int] = {}
    compile_package()
    for n in sizes:  # every workspace first, so nothing is generated between measurements
        generate.ensure(n)
    if not args.no_export:
        generate.ensure(100_000, [2022])
    if not args.no_startup:
        generate.ensure(100_000)
    for n in sizes:
        ws = generate.ensure(n)
        name = generate.size_name(n)
        counts[name] = repeats(n)
        log(f"{name}: {repeats(n)} runs")
        rows += bench_reading(ws, name, repeats(n), log)
        log(table(rows))  # so far: a long run that is stopped still leaves its figures
    if not args.no_export:
        counts["export"] = args.export_repeats or args.repeats or (1 if args.quick else 3)
        rows += bench_export(counts["export"], log)
        log(table(rows))
    if not args.no_startup:
        counts["start-up"] = repeats(100_000)
        rows += bench_startup(counts["start-up"], log)
    if not args.no_import:
        counts["import"] = args.repeats or (1 if args.quick else 5)
        rows += bench_import(counts["import"], log)

    print(f"shuangzheng benchmarks — {dt.datetime.now():%Y-%m-%d %H:%M}, commit {commit or '?'}, "
          f"Python {platform.python_version()}, {os.cpu_count()} cores")
    print("runs per figure (median): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print("baselines: bare stdlib json.loads loop (check/status); openpyxl write-only dump, same rows × 10 (export); "
          f"`python -c \"{IMPORT_FLOOR}\"` (--version/add). Peak MB in () is not targeted.")
    print()
    print(table(rows))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
