"""Rebuild BENCHMARKS.md from the results files, so every section stays a verbatim copy.

Run: .venv/bin/python benchmarks/assemble.py

The text before the first results section (introduction and summary table) is kept as it is: the
summary is written by hand, from the figures each file holds against its goal. Each section below it is
``benchmarks/results/NAME.md`` with its headings demoted one level, a source line under its title and
its relative links pointed into ``benchmarks/results/``,
in the order the sections already have (new results files are appended). The summary table is also
copied into README.md, over the table there.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = re.compile(r"^\*Source: `benchmarks/results/([\w.-]+)\.md`")
LINK = re.compile(r"\]\(([^):/#]+)\)")  # a relative link in a results file: a file beside it


def _script(name: str) -> str:
    """The benchmark that wrote ``NAME.md``: ``bench_NAME.py``, or for a variant such as
    ``translate_joint_vocab`` (a second run of one benchmark) the longest prefix that has a script."""
    parts = name.split("_")
    for k in range(len(parts), 0, -1):
        script = ROOT / "benchmarks" / f"bench_{'_'.join(parts[:k])}.py"
        if script.is_file():
            return f"benchmarks/{script.name}"
    return f"benchmarks/bench_{name}.py"


def section(name: str) -> str:
    text = (ROOT / "benchmarks" / "results" / f"{name}.md").read_text(encoding="utf-8")
    text = LINK.sub(lambda m: f"](benchmarks/results/{m.group(1)})", text)
    lines = ["#" + line if line.startswith("#") else line for line in text.rstrip("\n").splitlines()]
    script = _script(name)
    source = f"*Source: `benchmarks/results/{name}.md`, written by `{script}`.*"
    return "\n".join([lines[0], "", source, *lines[1:]]) + "\n"


def summary_table(lines: list[str]) -> list[str]:
    """The first markdown table that starts with ``| area |``."""
    i = next(k for k, line in enumerate(lines) if line.startswith("| area |"))
    j = next((k for k in range(i, len(lines)) if not lines[k].startswith("|")), len(lines))
    return lines[i:j]


def copy_summary(table: list[str]) -> None:
    """README.md's benchmark summary is the same table: replace it there."""
    readme = ROOT / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines()
    old = summary_table(lines)
    i = lines.index(old[0])
    lines[i : i + len(old)] = table
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(readme)


def main() -> None:
    path = ROOT / "BENCHMARKS.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    order = [m.group(1) for line in lines if (m := SOURCE.match(line))]
    first = next(i for i, line in enumerate(lines) if SOURCE.match(line)) - 2  # the title above it
    head = "\n".join(lines[:first]).rstrip("\n") + "\n"
    names = order + sorted(p.stem for p in (ROOT / "benchmarks" / "results").glob("*.md") if p.stem not in order)
    text = head + "".join("\n" + section(n) for n in names)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    copy_summary(summary_table(lines))
    sys.stdout.write(f"BENCHMARKS.md: {len(names)} sections ({', '.join(names)})\n")


if __name__ == "__main__":
    main()
