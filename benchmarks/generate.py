"""Deterministic generator of realistic ledgers (format v1) for the benchmarks of issue 7.

    python benchmarks/generate.py --sizes 10k,100k,1M      # the three standard sizes
    python benchmarks/generate.py --sizes 100k --years 2022  # a year of 100k entries (export)

Each size becomes a full workspace `benchmarks/data/<name>/` (`data/` copied from the
repo, `ledgers/<YYYY>/<unit>.jsonl`). Every cell (activity × unit) of the real catalog,
dates from the first phase's start to 2026-12-31 (weekdays busier than weekends),
Chinese text of 50–300 characters, metrics (场次, 参与人数 and the plan's target metrics
for the units they apply to), ~5% inspections and ~1% voids. Lines are written with
the same encoding as `ledger.encode_line` (checked on a sample after writing), in
chronological order within each file, as an office would have appended them.

Generation is cached: a workspace whose `.bench-params.json` matches the parameters
(size, years, seed, GENERATOR_VERSION) is left as it is; `--force` regenerates. `data/`
is a symlink to the repo's `data/`, so the workspace always has the current definitions
(if they change so that the generated lines no longer validate, `check` says so).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA_OUT = HERE / "data"
sys.path.insert(0, str(REPO / "src"))

from shuangzheng_cli.definitions.catalog import Catalog  # noqa: E402

SEED = 7
GENERATOR_VERSION = 2  # bump when the generated lines change
LAST_DAY = dt.date(2026, 12, 31)
ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # as ledger.ID_ALPHABET
INSPECTION_SHARE = 0.05
VOID_SHARE = 0.01
PARAMS_FILE = ".bench-params.json"

RECORDERS = ["王欣欣", "邢迪", "杨瀚翔", "关稳", "陈志国", "李红梅", "张建军", "刘晓燕", "赵立新", "孙丽娟", "周海涛", "吴秀英"]
INSPECTORS = ["李宇超", "市双争办督导组", "第一督导组", "第二督导组", "第三督导组"]
OPENINGS = [
    "本周", "本月以来", "近期", "按照市双争办统一部署", "围绕年度重点任务", "结合本单位工作实际",
    "为进一步推动活动走深走实", "根据督导组反馈意见", "在前期工作基础上", "按照“拉出清单、明晰责任”要求",
]
ACTIONS = [
    "组织专题学习", "召开推进会议", "开展主题宣讲", "走访社区群众", "发布宣传稿件", "开展志愿服务",
    "组织现场观摩", "开展专项检查", "召开座谈会", "开展入户走访", "举办专题培训", "开展集中整治",
    "组织评选表彰", "开展结对帮扶", "设置宣传展板", "开展线上答题活动", "组织典型事迹报告会",
]
DETAILS = [
    "覆盖机关干部和一线职工", "各科室主要负责同志参加", "邀请社区代表和群众代表参与",
    "在单位微信公众号同步推送", "印发宣传材料两千余份", "协调相关部门联合开展",
    "对照任务清单逐项推进", "建立工作台账并按周报送", "形成问题清单和整改清单",
    "发动党员志愿者积极参与", "做到月有计划、周有安排", "群众反响良好、参与热情较高",
    "在主次干道和重点区域同步推进", "实行领导包联、专人负责", "及时总结提炼经验做法",
]
PROBLEMS = [
    "基层参与面还不够广", "宣传形式较为单一", "部分村街进度偏慢", "资料归档不够及时",
    "个别点位整改不到位", "经费保障不足", "群众知晓率有待提高", "工作力量相对薄弱",
    "活动创新性不够", "常态长效机制尚不健全",
]
NEXT_STEPS = [
    "扩大覆盖范围", "加强督促指导", "总结典型经验", "做好信息报送", "抓好问题整改",
    "完善长效机制", "加大宣传力度", "开展回头看", "强化工作调度", "推动活动常态化开展",
]
FINDINGS = [
    "主次干道店外经营、乱堆乱放问题反弹", "台账资料不全，报送不及时", "宣传氛围不够浓厚",
    "志愿服务活动记录缺失", "公益广告破损未及时更换", "整改措施落实不到位",
    "群众对活动知晓率偏低", "工作扎实，典型案例发布及时", "活动组织规范，群众评价较好",
]
VOID_REASONS = ["单位填错，作废", "日期填错，重新录入", "重复录入，作废", "活动选错，作废", "数据有误，作废后重报"]


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def size_name(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def workspace_name(n: int, years: list[int] | None) -> str:
    return size_name(n) + (f"-{'-'.join(map(str, years))}" if years else "")


def _fingerprint(n: int, years: list[int] | None) -> dict:
    return {"n": n, "years": years, "seed": SEED, "last_day": LAST_DAY.isoformat(), "version": GENERATOR_VERSION}


def _texts(rng: random.Random, subjects: list[str], count: int, low: int, high: int, mode: int) -> list[str]:
    """A pool of progress texts (进展情况) of realistic length."""
    out = []
    for _ in range(count):
        want = int(rng.triangular(low, high, mode))
        parts = [f"{rng.choice(OPENINGS)}，{rng.choice(ACTIONS)}，推进“{rng.choice(subjects)}”"]
        size = len(parts[0])
        while size < want - 8:
            part = rng.choice(DETAILS) if rng.random() < 0.6 else f"{rng.choice(ACTIONS)}，推进“{rng.choice(subjects)}”"
            parts.append(part)
            size += len(part) + 1
        out.append("，".join(parts)[: high - 24].rstrip("，"))
    return out


def _finding(rng: random.Random) -> str:
    """An inspection's findings (督导发现), 50–200 characters."""
    want = int(rng.triangular(50, 200, 80))
    parts = [f"{rng.choice(['经实地查看', '经查阅台账', '经随机走访', '经暗访'])}，{rng.choice(FINDINGS)}"]
    while sum(map(len, parts)) < want:
        parts.append(rng.choice(FINDINGS + DETAILS))
    return "，".join(parts)[:199] + "。"


_PAIRS = [ID_ALPHABET[i & 31] + ID_ALPHABET[i >> 5] for i in range(1024)]


def _new_id(rng: random.Random, seen: set[str]) -> str:
    """Ten characters of Crockford base32 as `ledger.new_id` makes them (never repeated)."""
    while True:
        n = rng.getrandbits(50)
        key = _PAIRS[n & 1023] + _PAIRS[(n >> 10) & 1023] + _PAIRS[(n >> 20) & 1023] + _PAIRS[(n >> 30) & 1023] + _PAIRS[n >> 40]
        if key not in seen:
            seen.add(key)
            return key


def generate(n: int, years: list[int] | None, target: Path) -> int:
    """Write a workspace of `n` entries into `target` (created fresh). Returns the line count."""
    catalog = Catalog.load(REPO)
    rng = random.Random(f"{SEED}/{n}/{years}")
    first = catalog.phases[0].start
    days = [first + dt.timedelta(days=i) for i in range((LAST_DAY - first).days + 1)]
    if years:
        days = [d for d in days if d.year in years]
    weights = [1.0 if d.weekday() < 5 else 0.25 for d in days]

    # cells, each with its own reporting intensity; a few never report (未启动 → 红)
    cells = []
    cell_weights = []
    for cell in catalog.cells:
        h = int(hashlib.sha256(f"{cell.activity}/{cell.unit}".encode()).hexdigest(), 16) % 100
        if h < 4:
            continue
        cells.append(cell)
        cell_weights.append(0.15 if h < 20 else 1.0 if h < 80 else 2.0)
    subjects_of = {a: (act.subitems or [act.title]) for a, act in catalog.activities.items()}
    all_subjects = [s for subs in subjects_of.values() for s in subs]
    texts = _texts(rng, all_subjects, 4096, 50, 300, 110)
    findings = [_finding(rng) for _ in range(512)]
    leads = {a: set(catalog.expand(catalog.lead(a))) for a in catalog.activities}
    target_metrics = {
        (c.activity, c.unit): [t.metric for t in catalog.activities[c.activity].targets if t.applies_to == "each" or c.unit in leads[c.activity]]
        for c in cells
    }

    # how many entries per day: cumulative weights, so the total is exactly n
    total_w = sum(weights)
    counts = []
    acc = 0.0
    done = 0
    for w in weights:
        acc += w
        upto = round(n * acc / total_w)
        counts.append(upto - done)
        done = upto

    dumps = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(…, ensure_ascii=False) uses
    seen_ids: set[str] = set()
    recent: dict[str, list[tuple[str, int, dt.date]]] = {}  # unit -> voidable (id, activity, date)
    (target / "ledgers").mkdir(parents=True)
    (target / "data").symlink_to(REPO / "data", target_is_directory=True)
    buffers: dict[str, list[str]] = {}
    year = None
    written = 0

    def flush() -> None:
        nonlocal written
        if year is None:
            return
        folder = target / "ledgers" / str(year)
        folder.mkdir(exist_ok=True)
        for unit, lines in buffers.items():
            with open(folder / f"{unit}.jsonl", "a", encoding="utf-8", newline="\n") as fh:
                fh.write("".join(lines))
            written += len(lines)
        buffers.clear()

    choices = rng.choices
    rand = rng.random

    def pick(seq: list | tuple) -> object:
        return seq[int(rand() * len(seq))]

    def between(low: int, high: int) -> int:
        return low + int(rand() * (high - low + 1))

    for day, count in zip(days, counts, strict=True):
        if day.year != year:
            flush()
            year = day.year
        iso = day.isoformat()
        picked = choices(cells, cell_weights, k=count)
        minutes = sorted(between(8 * 60, 21 * 60) for _ in range(count))
        for cell, minute in zip(picked, minutes, strict=True):
            a, u = cell.activity, cell.unit
            at = f"{iso}T{minute // 60:02d}:{minute % 60:02d}:{between(0, 59):02d}+08:00"
            r = rand()
            pool = recent.get(u)
            if r < VOID_SHARE and pool:
                ref, ra, _ = pool.pop(int(rand() * len(pool)))
                obj = {"v": 1, "id": _new_id(rng, seen_ids), "kind": "void", "date": iso, "unit": u, "activity": ra,
                       "by": pick(RECORDERS), "at": at, "ref": ref,
                       "text": pick(VOID_REASONS)}
            elif r < VOID_SHARE + INSPECTION_SHARE:
                verdict = choices(("green", "blue", "yellow", "red"), (30, 35, 22, 13))[0]
                followup = "none" if verdict in ("green", "blue") else choices(("none", "整改", "约谈", "通报"), (20, 60, 15, 5))[0]
                obj = {"v": 1, "id": _new_id(rng, seen_ids), "kind": "inspection", "date": iso, "unit": u, "activity": a,
                       "by": pick(INSPECTORS), "at": at,
                       "method": pick(("督导", "抽查", "暗访")), "color": verdict,
                       "text": pick(findings), "followup": [] if followup == "none" else [followup], "due": None}
            else:
                sessions = between(1, 6)
                metrics = {"场次": sessions, "参与人数": sessions * between(15, 120)}
                for metric in target_metrics[(a, u)]:
                    if rand() < 0.3:
                        metrics[metric] = between(1, 3)
                text = pick(texts)
                problems = pick(PROBLEMS) if rand() < 0.45 else ""
                c = rand()
                color = None if c < 0.7 else "green" if c < 0.9 else "yellow" if c < 0.97 else "red"
                evidence = [f"https://www.bazhou.gov.cn/wmb/{iso.replace('-', '')}/{between(1000, 9999)}.html"] if rand() < 0.2 else []
                obj = {"v": 1, "id": _new_id(rng, seen_ids), "kind": "progress", "date": iso, "unit": u, "activity": a,
                       "by": pick(RECORDERS), "at": at, "color": color,
                       "text": f"{text}，开展活动 {sessions} 场，参与 {metrics['参与人数']} 人次。",
                       "problems": problems, "next": pick(NEXT_STEPS),
                       "metrics": metrics, "evidence": evidence}
            if obj["kind"] != "void":
                pool = recent.setdefault(u, [])
                pool.append((obj["id"], a, day))
                if len(pool) > 64:
                    del pool[0]
            buffers.setdefault(u, []).append(dumps(obj) + "\n")
    flush()
    return written


def verify_encoding(workspace: Path, sample: int = 200) -> None:
    """The first lines of some files round-trip through `ledger.encode_line` byte for byte."""
    from shuangzheng_cli.ledger.format import Entry
    from shuangzheng_cli.ledger.storage import encode_line

    files = sorted((workspace / "ledgers").glob("*/*.jsonl"))
    checked = 0
    for path in files[:: max(1, len(files) // 20)]:
        with open(path, "rb") as fh:
            for i, line in enumerate(fh):
                if i >= sample // 20:
                    break
                again = encode_line(Entry.from_record(json.loads(line)))
                if again != line:
                    raise SystemExit(f"{path}:{i + 1}: encoding differs from ledger.encode_line:\n{line!r}\n{again!r}")
                checked += 1
    if not checked:
        raise SystemExit(f"{workspace}: no lines written")


def ensure(n: int, years: list[int] | None = None, quiet: bool = False, force: bool = False) -> Path:
    """The workspace for `n` entries, generated unless already there with the same parameters."""
    name = workspace_name(n, years)
    target = DATA_OUT / name
    params = _fingerprint(n, years)
    stamp = target / PARAMS_FILE
    if stamp.is_file() and not force:
        try:
            if json.loads(stamp.read_text()) == params:
                return target
        except ValueError:
            pass
    tmp = DATA_OUT / f".{name}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    if not quiet:
        print(f"generating {name} ({n:,} entries) …", end=" ", flush=True)
    t0 = time.perf_counter()
    count = generate(n, years, tmp)
    verify_encoding(tmp)
    (tmp / PARAMS_FILE).write_text(json.dumps(params))
    if target.exists():
        shutil.rmtree(target)
    tmp.rename(target)
    if not quiet:
        size = sum(p.stat().st_size for p in (target / "ledgers").glob("*/*.jsonl"))
        print(f"{count:,} lines, {size / 2**20:.0f} MB in {time.perf_counter() - t0:.1f} s")
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated entry counts (10k, 100k, 1M)")
    parser.add_argument("--years", default="", help="only these years, comma-separated (e.g. 2022)")
    parser.add_argument("--force", action="store_true", help="regenerate even if already there")
    args = parser.parse_args(argv)
    years = [int(y) for y in args.years.split(",") if y.strip()] or None
    for size in args.sizes.split(","):
        path = ensure(parse_size(size), years, force=args.force)
        print(f"{path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
