"""How long ``signfuse demo`` takes, stage by stage: CPU seconds (what the work costs) and wall seconds
(what a user waited, which on a shared machine depends on everyone else's load).

Run:  .venv/bin/python benchmarks/bench_demo.py [--quick] [--out DIR]
      .venv/bin/python benchmarks/bench_demo.py --from-report DIR [--time-log LOG]
          # summarize a finished `/usr/bin/time -v signfuse demo --out DIR > LOG 2>&1`

The demo runs its stages with torch and BLAS limited to one thread (``run_demo(threads=1)``) in 2 worker
processes (the default on 2 cores), so a stage's CPU seconds are about its wall seconds when it has a core
to itself. The measured wall time of the whole command (``--time-log``: the ``/usr/bin/time -v`` block,
interpreter start and imports included) is the number the goal is about; the load average at the start and
the end says whether the cores were idle. Writes benchmarks/results/demo.md (demo_quick.md with --quick).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, time_block, utc_stamp, write_result  # noqa: E402


def _clock(s: float) -> str:
    return f"{int(s // 60)} min {s % 60:04.1f} s"


def summarize(report: dict, *, command: str, timed: dict | None = None) -> str:
    st = report["stages"]
    load0, load1 = report["machine"].get("load_1min_at_start"), report["machine"].get("load_1min_at_end")
    cpus = report["machine"].get("cpus") or 1
    idle = load0 is not None and load0 < 0.5
    lines = [
        f"# `signfuse demo`{' --quick' if report.get('quick') else ''}: time per stage",
        "",
        "Command:",
        "",
        "```",
        f"  {command}",
        "```",
        "",
        f"Machine: {machine(python=True)}; torch/BLAS threads: {report.get('threads')}; stage workers: "
        f"{report.get('workers', 1)}{' (stages one after the other)' if report.get('workers', 1) == 1 else ''}; "
        f"1-min load average {load0} at the start and {load1} at the end"
        + (
            " (the cores were idle when it started; the demo's own 2 workers make the load at the end)."
            if idle
            else f" on {cpus} CPUs: the machine was shared, so wall times are longer than on an idle one "
            "and CPU time is the number to compare."
        ),
        f"Date: {utc_stamp()}",
        "",
    ]
    if timed and "wall_s" in timed:
        lines += [
            f"**Whole command: {_clock(timed['wall_s'])} wall** ({timed['wall_s']:.1f} s, interpreter start and "
            f"imports included), {timed.get('cpu_s', float('nan')):.0f} CPU seconds; the runner's own clock: "
            f"{report.get('seconds', 0):.1f} s.",
            "",
        ]
    lines += [
        "| stage | waits for | CPU s | wall s | CPU share |",
        "|---|---|---:|---:|---:|",
    ]
    try:
        from signfuse.demo import STAGES

        after = {n: ", ".join(getattr(m, "AFTER", ())) for n, m in STAGES}
    except ImportError:  # pragma: no cover
        after = {}
    total_cpu = sum(s.get("cpu_seconds", 0.0) for s in st.values())
    for name, s in st.items():
        if "cpu_seconds" in s:
            waits = after.get(name) or ("" if name == "corpus" else "corpus")
            lines.append(
                f"| {name} | {waits} | {s['cpu_seconds']:.1f} | {s['seconds']:.1f} | "
                f"{100 * s['cpu_seconds'] / max(total_cpu, 1e-9):.0f}% |"
            )
    lines.append(
        f"| **all** | | **{total_cpu:.1f}** ({_clock(total_cpu)}) | **{report.get('seconds', 0):.1f}** "
        f"({_clock(report.get('seconds', 0))}) | |"
    )
    lines += [
        "",
        "With 2 workers the stages after the corpus run side by side; a stage starts when the stages it waits "
        "for are done, the one with the longest chain of work behind it first. The lower bound for 2 cores is "
        f"the corpus plus half the rest: {_bound(st):.0f} s.",
    ]
    failed = [n for n, s in st.items() if s.get("status") != "ok"]
    if failed:
        lines += ["", f"Stages that did not finish: {', '.join(failed)}."]
    return "\n".join(lines) + "\n"


def _bound(st: dict) -> float:
    corpus = st.get("corpus", {}).get("cpu_seconds", 0.0)
    rest = sum(s.get("cpu_seconds", 0.0) for n, s in st.items() if n != "corpus")
    return corpus + rest / 2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=None, help="demo output folder (default: a temporary one)")
    ap.add_argument("--from-report", type=Path, default=None, help="summarize an existing run instead")
    ap.add_argument("--time-log", type=Path, default=None, help="log holding the run's /usr/bin/time -v block")
    args = ap.parse_args()
    timed = time_block(args.time_log) if args.time_log else None
    if args.from_report:
        report = json.loads((args.from_report / "report.json").read_text())
        command = (
            f"/usr/bin/time -v signfuse demo{' --quick' if report.get('quick') else ''} --out {args.from_report}   "
            f"# summarized by: benchmarks/bench_demo.py --from-report {args.from_report}"
            + (f" --time-log {args.time_log}" if args.time_log else "")
        )
    else:
        from signfuse.demo import run_demo

        out = args.out or Path(tempfile.mkdtemp(prefix="signfuse-demo-"))
        report = run_demo(out, quick=args.quick)
        command = f".venv/bin/python benchmarks/bench_demo.py{' --quick' if args.quick else ''}"
    name = "demo_quick.md" if report.get("quick") else "demo.md"
    path = write_result(ROOT / "benchmarks" / "results" / name, summarize(report, command=command, timed=timed))
    print(path.read_text(), end="")


if __name__ == "__main__":
    main()
