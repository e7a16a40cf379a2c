"""How long ``signfuse demo`` takes, stage by stage: CPU seconds (what the work costs) and wall seconds
(what a user waited, which on a shared machine depends on everyone else's load).

Run:  .venv/bin/python benchmarks/bench_demo.py [--quick] [--out DIR]
      .venv/bin/python benchmarks/bench_demo.py --from-report DIR   # summarize a finished `signfuse demo --out DIR`

The demo runs its stages with torch and BLAS limited to one thread (``run_demo(threads=1)``), so its CPU
seconds are close to the wall seconds it takes on an idle machine; the sum over stages is the estimate for
an idle 2-core machine (one core busy, the other free for the OS and I/O). Writes
benchmarks/results/demo.md (demo_quick.md with --quick).
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
from _common import machine, utc_stamp, write_result  # noqa: E402


def _clock(s: float) -> str:
    return f"{int(s // 60)} min {s % 60:04.1f} s"


def summarize(report: dict, *, command: str) -> str:
    st = report["stages"]
    lines = [f"# `signfuse demo`{' --quick' if report.get('quick') else ''}: time per stage", "",
             "Command:", "", "```", f"  {command}", "```", "",
             f"Machine: {machine(python=True)}; torch/BLAS threads: {report.get('threads')}; stage workers: "
             f"{report.get('workers', 1)}{' (stages one after the other)' if report.get('workers', 1) == 1 else ''}; shared machine, "
             f"1-min load average {report['machine'].get('load_1min_at_start')} at the start and "
             f"{report['machine'].get('load_1min_at_end')} at the end (other engineers' jobs), so the wall "
             "times are longer than on an idle machine and CPU time is the number to compare.",
             f"Date: {utc_stamp()}", "",
             "| stage | CPU s | wall s | CPU share |", "|---|---:|---:|---:|"]
    total_cpu = sum(s.get("cpu_seconds", 0.0) for s in st.values())
    for name, s in st.items():
        if "cpu_seconds" in s:
            lines.append(f"| {name} | {s['cpu_seconds']:.1f} | {s['seconds']:.1f} | "
                         f"{100 * s['cpu_seconds'] / max(total_cpu, 1e-9):.0f}% |")
    lines.append(f"| **all** | **{total_cpu:.1f}** ({_clock(total_cpu)}) | **{report.get('seconds', 0):.1f}** "
                 f"({_clock(report.get('seconds', 0))}) | |")
    cpu = {n: s.get("cpu_seconds", 0.0) for n, s in st.items()}
    if "corpus" in cpu and len(cpu) == 6:
        others = sum(v for n, v in cpu.items() if n not in ("corpus", "recognition"))
        two = cpu["corpus"] + max(cpu["recognition"], others)
        lines += ["", "Estimated wall time on 2 idle cores, from these CPU seconds (each stage is single-threaded, "
                      "so its CPU time is about its wall time when it has a core to itself):", "",
                  f"- `--workers 1`: the sum, {total_cpu:.0f} s ({_clock(total_cpu)});",
                  f"- `--workers 2` (the default): the corpus, then recognition beside the other four stages: "
                  f"{cpu['corpus']:.0f} + max({cpu['recognition']:.0f}, {others:.0f}) = {two:.0f} s ({_clock(two)}), "
                  "plus a few seconds to start the two worker processes.",
                  "", "This is an estimate, not a measurement: no idle machine was available."]
    rec = st.get("recognition", {}).get("summary")
    if rec:
        lines += ["", "Inside the recognition stage (wall seconds, from its summary):", "",
                  "| part | wall s |", "|---|---:|",
                  f"| cache the isolated corpus (all streams) | {rec['data']['cache_seconds']} |",
                  f"| train the isolated model | {rec['isolated']['train_seconds']} |",
                  f"| stream ablation | {rec.get('ablation_seconds')} |",
                  f"| adaptation | {rec.get('adaptation_seconds')} |",
                  f"| continuous (CTC): cache and train | {rec['continuous']['train_seconds']} |"]
    failed = [n for n, s in st.items() if s.get("status") != "ok"]
    if failed:
        lines += ["", f"Stages that did not finish: {', '.join(failed)}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=None, help="demo output folder (default: a temporary one)")
    ap.add_argument("--from-report", type=Path, default=None, help="summarize an existing run instead")
    args = ap.parse_args()
    if args.from_report:
        report = json.loads((args.from_report / "report.json").read_text())
        command = (f"signfuse demo{' --quick' if report.get('quick') else ''} --out {args.from_report}   "
                   f"# summarized by: benchmarks/bench_demo.py --from-report {args.from_report}")
    else:
        from signfuse.demo import run_demo

        out = args.out or Path(tempfile.mkdtemp(prefix="signfuse-demo-"))
        report = run_demo(out, quick=args.quick)
        command = f".venv/bin/python benchmarks/bench_demo.py{' --quick' if args.quick else ''}"
    name = "demo_quick.md" if report.get("quick") else "demo.md"
    path = write_result(ROOT / "benchmarks" / "results" / name, summarize(report, command=command))
    print(path.read_text(), end="")


if __name__ == "__main__":
    main()
