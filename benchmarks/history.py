"""`check --since` on a repository with many commits (issue 15), against `check` alone.

    python benchmarks/history.py                    # 10k entries in 2,000 commits
    python benchmarks/history.py --commits 5000 --size 100k

The history is built with `git fast-import` from a generated workspace (`generate.py`):
each commit appends the next lines of one unit's file, round-robin, as liaisons would.
A second repository has the same history but for the first commit to the busiest file after
the middle, which edits its line 1 (every later commit to that file keeps the edit), so the culprit search
(`git log` of that file) runs too. Every figure is a whole process, median of 3 runs,
the baseline (`check`, same workspace) interleaved with the command in the same loop.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

CLI = [sys.executable, "-m", "shuangzheng_cli"]
ENV = {**os.environ, "SHUANGZHENG_TODAY": "2026-12-31", "NO_COLOR": "1", "GIT_CONFIG_NOSYSTEM": "1"}


def build(source: Path, target: Path, commits: int, breach: bool) -> str:
    """A repository at `target` whose history appends `source`'s ledger lines in `commits` commits;
    returns the first commit's id (the workspace without ledger lines)."""
    files = {p.relative_to(source).as_posix(): p.read_bytes().splitlines(keepends=True) for p in sorted(source.glob("ledgers/*/*.jsonl"))}
    names = list(files)
    per = max(1, -(-sum(len(v) for v in files.values()) // commits))
    busiest = max(names, key=lambda n: len(files[n]))
    shutil.copytree(source / "data", target / "data", symlinks=False)
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    (target / ".gitattributes").write_text("ledgers/**/*.jsonl merge=union\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(target), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(target), "-c", "user.name=办公室", "-c", "user.email=o@x", "commit", "-q", "-m", "工作区"], check=True)
    first = subprocess.run(["git", "-C", str(target), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    done = dict.fromkeys(names, 0)
    stream: list[bytes] = []
    mark_time = 1_600_000_000
    for i in range(commits):
        waiting = [n for n in names if done[n] < len(files[n])]
        if not waiting:
            break
        name = waiting[i % len(waiting)]
        done[name] = min(len(files[name]), done[name] + per)
        lines = files[name][: done[name]]
        if breach and name == busiest and i > commits // 2:  # edited after the middle, and kept so
            lines = [lines[0].replace(b'"text": "', '"text": "(改)'.encode()), *lines[1:]]
        content = b"".join(lines)
        message = f"追加 {name}".encode()
        stream += [
            b"commit refs/heads/main\n",
            f"committer 联络员 <l@x> {mark_time + i} +0800\n".encode(),
            f"data {len(message)}\n".encode() + message + b"\n",
            (f"from {first}\n".encode() if i == 0 else b""),
            f"M 100644 inline {name}\n".encode(),
            f"data {len(content)}\n".encode() + content + b"\n",
        ]
    subprocess.run(["git", "-C", str(target), "fast-import", "--quiet"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", str(target), "reset", "-q", "--hard", "main"], check=True)
    return first


def timed(argv: list[str], cwd: Path) -> tuple[float, str]:
    """Seconds, and the output lines that name a commit (the history's breaches)."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    return seconds, "\n".join(line for line in done.stdout.splitlines() if "（提交 " in line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10k")
    parser.add_argument("--commits", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shuangzheng-history-") as folder:
        source = Path(folder) / "source"
        generate.generate(generate.parse_size(args.size), None, source)  # the lines only: check need not pass
        for breach in (False, True):
            repo = Path(folder) / ("breach" if breach else "clean")
            t0 = time.perf_counter()
            first = build(source, repo, args.commits, breach)
            count = subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
            print(f"{repo.name}: {count} commits, built in {time.perf_counter() - t0:.1f} s")
            middle = subprocess.run(
                ["git", "-C", str(repo), "rev-list", "--reverse", "HEAD"], capture_output=True, text=True, check=True
            ).stdout.split()[int(count) // 2]
            for label, since in (("<first>", first), ("<middle>", middle)):
                base, timings = [], []
                for _ in range(3):
                    base.append(timed([*CLI, "check"], repo)[0])
                    seconds, found = timed([*CLI, "check", "--since", since], repo)
                    timings.append(seconds)
                b, s = statistics.median(base), statistics.median(timings)
                print(f"  check {b:.2f} s | check --since {label} {s:.2f} s | {s / b:.2f}x, history part {s - b:+.2f} s")
                print(f"    breaches: {found or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
