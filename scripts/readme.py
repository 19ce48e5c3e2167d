"""Keep README.md and docs/*.md true: run every command they show and put the real output under it.

    python scripts/readme.py            # rewrite the outputs in README.md and docs/*.md
    python scripts/readme.py --check    # exit 1 if any command fails or its output changed

A command block is a fenced block whose first line is `$ shuangzheng …`; the lines after
it, up to the closing fence, are its output. A command expected to fail says so in a
comment: `$ shuangzheng add …  # 退出码 2`. The blocks of one file run in order, in a
fresh scratch copy of the example workspace for that file (so `add` and `import` never
touch the repo, and one file's writes never show in another's outputs), with today
pinned to 2022-11-30, no color and 100 columns. Ids and record times, which are new on
every run, are compared as placeholders. A ```python block runs too (after the commands
of its file, in a scratch copy of its own); it must finish without an error.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def documents() -> list[Path]:
    """README.md, then docs/*.md by name: every file whose commands are re-run."""
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
BLOCK = re.compile(r"```(?:console|text)?\n(\$ shuangzheng [^\n]*)\n(.*?)```", re.S)
ENV = {"NO_COLOR": "1", "COLUMNS": "100", "SHUANGZHENG_TODAY": "2022-11-30", "SHUANGZHENG_BY": "王欣欣"}
_VOLATILE = [
    (re.compile(r"\b[0-9a-hjkmnp-tv-z]{10}\b"), "<id>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00"), "<at>"),
    (re.compile(r"[ \t]+$", re.M), ""),
]


def scratch() -> Path:
    """A temporary folder with `data/` and `examples/` as in the repository."""
    top = Path(tempfile.mkdtemp(prefix="shuangzheng-readme-"))
    shutil.copytree(REPO / "data", top / "data")
    shutil.copytree(REPO / "examples", top / "examples", symlinks=True)
    return top


def run(command: str, cwd: Path) -> tuple[int, str]:
    """Run one `shuangzheng …` line in-process; return (exit code, stdout + stderr)."""
    sys.path.insert(0, str(REPO / "src"))
    from shuangzheng_cli.cli import main

    args = shlex.split(command)[1:]
    out, err = io.StringIO(), io.StringIO()
    old_env = {k: os.environ.get(k) for k in ENV}
    os.environ.update(ENV)
    old_cwd = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    finally:
        os.chdir(old_cwd)
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return code, out.getvalue() + err.getvalue()


def normalize(text: str) -> str:
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return text.strip("\n")


def blocks(text: str) -> list[re.Match[str]]:
    return list(BLOCK.finditer(text))


def refresh(path: Path) -> tuple[str, list[str]]:
    """Re-run the command blocks of one file; return (its text with real outputs, failures)."""
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(REPO).as_posix()
    cwd = scratch()
    failures = []
    pieces = []
    last = 0
    try:
        for m in blocks(text):
            command, _, note = m[1][2:].partition("  # ")
            code, output = run(command, cwd / "examples")
            if code != 0 and "退出码" not in note:
                failures.append(f"{name}: {command}: exit {code}\n{output}")
            expected = m[2]
            same = normalize(expected) == normalize(output)
            if not same:
                failures.append(f"{name}: {command}: output differs")
            pieces.append(text[last : m.start(2)])
            # an output that differs only in ids and times is left as it is (no churn in the diff)
            pieces.append(expected if same else output if output.endswith("\n") else output + "\n")
            last = m.end(2)
        pieces.append(text[last:])
    finally:
        shutil.rmtree(cwd, ignore_errors=True)
    for m in PYTHON_BLOCK.finditer(text):
        problem = run_python(m[1])
        if problem:
            failures.append(f"{name}: python block at offset {m.start()}: {problem}")
    return "".join(pieces), failures


def run_python(code: str) -> str:
    """Run one ```python block in a scratch copy of examples/; return its error output, or ''."""
    cwd = scratch()
    try:
        env = {**os.environ, **ENV, "PYTHONPATH": str(REPO / "src")}
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=cwd / "examples", env=env, capture_output=True, text=True, check=False
        )
    finally:
        shutil.rmtree(cwd, ignore_errors=True)
    return "" if done.returncode == 0 else done.stderr or f"exit {done.returncode}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    args = parser.parse_args()
    failures = []
    for path in documents():
        text, found = refresh(path)
        failures += found
        if not args.check:
            path.write_text(text, encoding="utf-8")
    if args.check:
        for f in failures:
            print(f, file=sys.stderr)
        return 1 if failures else 0
    bad = [f for f in failures if ": exit " in f]
    for f in bad:
        print(f, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
