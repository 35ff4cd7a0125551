#!/usr/bin/env python3
"""Time pelab and ngspice on the same netlist and compare their accuracy.

The circuit is crates/sim/benches/circuits/interleaved_boost_2ph.cir: a 2-phase
interleaved synchronous boost at 100 kHz, simulated for 2 ms with a 10 ns output step.
The script appends `.options interp` (ngspice then writes its solution on the 10 ns
grid, as pelab does) and a `.control` block that writes every node voltage and branch
current with `wrdata`. pelab ignores both, so both programs read the very same file.

Reference solution: the circuit is piecewise linear with DC and PULSE sources, and
pelab steps it with the exact matrix exponential between switching instants, which it
locates exactly. The script checks this by rerunning pelab with half the output step
(the engine step halves too) and comparing the common samples, and by a hand
calculation of i(L1) after the first switching edge. ngspice then runs with tighter
tolerances and smaller maximum steps. Its error against pelab falls as its step
shrinks, which corroborates the reference independently.

Timing: each program runs as a separate process, several times. The script reports
wall time and CPU time (user + system of the child), both including process start-up
and the writing of the output file (pelab writes CSV, ngspice its `wrdata` text
table). On a shared machine the CPU time is the steadier of the two.

Standard library and numpy only. Run from the repository root:

    cargo build --release -p pelab
    python3 scripts/bench/pelab_vs_ngspice.py --pelab target/release/pelab
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
NETLIST = REPO / "crates/sim/benches/circuits/interleaved_boost_2ph.cir"
CLOSED_LOOP_DESIGN = REPO / "examples/ev-boost-400v-800v.toml"

# Output grid of the comparison [s], the `.tran` step of the base netlist.
OUTPUT_STEP = 10e-9

# Compared signals: (label, pelab CSV column, ngspice wrdata column).
SIGNALS = [
    ("i(L1)", "i(L1)[A]", "l1#branch"),
    ("i(L2)", "i(L2)[A]", "l2#branch"),
    ("v(out)", "v(out)[V]", "out"),
]

# ngspice accuracy levels: (label, extra `.options`, maximum step [s]).
# ngspice-39 run without a maximum step (`.tran 10n 2m uic`) writes the same file as
# with 10 ns, so the first level is ngspice at its defaults.
NGSPICE_LEVELS = [
    ("default (reltol 1e-3, tmax 10 ns)", "", 10e-9),
    ("reltol 1e-6, abstol 1e-12, vntol 1e-9, trtol 1", "reltol=1e-6 abstol=1e-12 vntol=1e-9 trtol=1", 10e-9),
    ("tmax 2 ns", "", 2e-9),
    ("tmax 1 ns", "", 1e-9),
    ("tmax 0.5 ns", "", 0.5e-9),
    ("tmax 0.25 ns", "", 0.25e-9),
    ("tmax 0.1 ns", "", 0.1e-9),
]

# Hand check of the first switching edge, valid for the committed netlist only. S1 closes
# at 3 ns. Before that, S1H connects L1 to the output, which starts at the capacitor's
# 200 V less the ESR drop of the 10 A load current. After it, the whole 200 V input is
# across L1. The resistive drops that this neglects change i(L1) at 10 ns by under 1e-6.
FIRST_SAMPLE_TIME = 10e-9
FIRST_EDGE_TIME = 3e-9
V_IN, V_C0, R_LOAD, R_ESR, L1 = 200.0, 200.0, 20.0, 5e-3, 100e-6


def first_sample_current() -> float:
    """Return the closed-form i(L1) [A] at 10 ns."""
    v_out = V_C0 * R_LOAD / (R_LOAD + R_ESR)
    before = (V_IN - v_out) * FIRST_EDGE_TIME / L1
    after = V_IN * (FIRST_SAMPLE_TIME - FIRST_EDGE_TIME) / L1
    return before + after


def value_at(data: tuple[np.ndarray, dict[str, np.ndarray]], column: str, t: float) -> float:
    """Return the sample of `column` at time `t` (which must be a sample time)."""
    times, columns = data
    index = int(np.argmin(np.abs(times - t)))
    if abs(times[index] - t) > 1e-3 * OUTPUT_STEP:
        raise ValueError(f"no sample at t = {t} s")
    return float(columns[column][index])


# A trivial RC netlist that both programs read, to measure process start-up.
STARTUP_NETLIST = """start-up probe: RC charging
V1 in 0 DC 1
R1 in out 1k
C1 out 0 1u ic=0
.tran 1u 10u 0 1u uic
"""


@dataclass
class Timing:
    """Wall and CPU times of repeated runs of one command [s]."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return {
            "wall_median": statistics.median(self.wall),
            "wall_min": min(self.wall),
            "wall_max": max(self.wall),
            "cpu_median": statistics.median(self.cpu),
            "cpu_min": min(self.cpu),
            "cpu_max": max(self.cpu),
            "runs": len(self.wall),
        }


def spice_time(seconds: float) -> str:
    """Format a time in seconds as a SPICE number with an `n` suffix."""
    return f"{seconds * 1e9:g}n"


def timed_run(command: list[str], cwd: Path, timing: Timing) -> subprocess.CompletedProcess:
    """Run `command`, add its wall and CPU time to `timing`, and raise on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed with exit code {result.returncode}:\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    timing.wall.append(wall)
    timing.cpu.append(
        (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    )
    return result


def comparison_netlist(base: str, output_file: str, options: str, max_step: float) -> str:
    """Return `base` with `.options interp`, the `.tran` maximum step and a `.control`
    block that writes every vector to `output_file`.

    The circuit lines are not changed. pelab reads the result too: it ignores `.options`
    and `.control`, and takes min(tstep, tmax) of `.tran` as its output step.
    """
    lines = base.rstrip().splitlines()
    if lines[-1].strip().lower() != ".end":
        raise ValueError(f"{NETLIST} must end with .end")
    tran_pattern = re.compile(r"^\.tran\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+uic\s*$", re.I)
    out = []
    for line in lines[:-1]:
        match = tran_pattern.match(line)
        if match:
            step, stop, start = match.group(1), match.group(2), match.group(3)
            line = f".tran {step} {stop} {start} {spice_time(max_step)} uic"
        out.append(line)
    if not any(line.lower().startswith(".tran") for line in out):
        raise ValueError(f"{NETLIST} needs a '.tran tstep tstop tstart tmax uic' line")
    out.append(f".options interp {options}".rstrip())
    out += [
        ".control",
        "set wr_singlescale",
        "set wr_vecnames",
        "run",
        f"wrdata {output_file} all",
        # Without quit, `ngspice -b` exits with status 1 after the control block.
        "quit",
        ".endc",
        ".end",
        "",
    ]
    return "\n".join(out)


def read_pelab_csv(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Read a pelab CSV file into its time column and a column per header name."""
    with path.open() as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, 0], {name: data[:, i] for i, name in enumerate(header)}


def read_wrdata(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Read an ngspice `wrdata` table written with wr_singlescale and wr_vecnames."""
    with path.open() as f:
        header = f.readline().split()
    data = np.loadtxt(path, skiprows=1)
    # The first column is the scale. `all` also includes the time vector as a column.
    return data[:, 0], {name: data[:, i] for i, name in enumerate(header) if i > 0}


def grid_index(times: np.ndarray) -> np.ndarray:
    """Return the index of each time on a grid of OUTPUT_STEP / 4.

    That grid contains the samples of the 10 ns and 5 ns runs. Raise ValueError if a
    time is off the grid.
    """
    unit = OUTPUT_STEP / 4
    index = np.rint(times / unit).astype(np.int64)
    off_grid = np.abs(times - index * unit) > 1e-3 * unit
    if off_grid.any():
        raise ValueError(f"time {times[off_grid][0]} s is not a multiple of {unit} s")
    return index


def errors(
    reference: tuple[np.ndarray, dict[str, np.ndarray]],
    candidate: tuple[np.ndarray, dict[str, np.ndarray]],
    candidate_is_pelab: bool,
) -> dict[str, dict[str, float]]:
    """Return the max and RMS error of each compared signal on the common samples.

    The relative errors divide by the reference signal's largest magnitude (its full
    scale), so one number compares currents and voltages.
    """
    ref_time, ref_columns = reference
    time_values, columns = candidate
    ref_index = grid_index(ref_time)
    index = grid_index(time_values)
    common, ref_at, cand_at = np.intersect1d(ref_index, index, return_indices=True)
    expected = min(ref_index.size, index.size)
    if common.size < 0.99 * expected:
        raise ValueError(f"only {common.size} of {expected} samples are common")
    result = {}
    for label, pelab_name, ngspice_name in SIGNALS:
        ref = ref_columns[pelab_name][ref_at]
        value = columns[pelab_name if candidate_is_pelab else ngspice_name][cand_at]
        difference = np.abs(value - ref)
        scale = float(np.max(np.abs(ref)))
        worst = int(np.argmax(difference))
        result[label] = {
            "max_abs": float(difference[worst]),
            "rms_abs": float(np.sqrt(np.mean(difference**2))),
            "max_rel": float(difference[worst] / scale),
            "rms_rel": float(np.sqrt(np.mean(difference**2)) / scale),
            "at_time": float(common[worst] * OUTPUT_STEP / 4),
            "full_scale": scale,
            "samples": int(common.size),
        }
    return result


def worst_relative(error: dict[str, dict[str, float]], key: str) -> float:
    return max(signal[key] for signal in error.values())


def parse_pelab_stats(stdout: str) -> dict[str, float]:
    """Return the steps, samples and engine wall time from the `run:` line that
    `pelab sim run` prints, or an empty dict when the line is missing."""
    match = re.search(
        r"run: (\d+) (?:exact|ODE) steps.*?, (\d+) samples.*?([\d.]+) s wall time", stdout
    )
    if not match:
        return {}
    return {
        "steps": int(match.group(1)),
        "samples": int(match.group(2)),
        "engine_wall": float(match.group(3)),
    }


def version(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    text = (result.stdout + result.stderr).strip().splitlines()
    for line in text:
        if "ngspice-" in line or line.lower().startswith("pelab"):
            return line.strip("* ").strip()
    return text[0] if text else "unknown"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt_time(seconds: float) -> str:
    return f"{seconds:.3f}"


def print_timing_row(label: str, timing: dict[str, float], extra: str = "") -> None:
    print(
        f"| {label} | {fmt_time(timing['wall_median'])} "
        f"({fmt_time(timing['wall_min'])} to {fmt_time(timing['wall_max'])}) "
        f"| {fmt_time(timing['cpu_median'])} |{extra}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pelab",
        type=Path,
        default=Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release/pelab",
        help="pelab binary (default: $CARGO_TARGET_DIR/release/pelab or target/release/pelab)",
    )
    parser.add_argument("--ngspice", default="ngspice", help="ngspice binary (default: ngspice)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each timed command (default: 5)")
    parser.add_argument(
        "--slow-repeats",
        type=int,
        default=3,
        help="runs of each ngspice level with a maximum step below 1 ns (default: 3)",
    )
    parser.add_argument(
        "--levels",
        type=int,
        default=len(NGSPICE_LEVELS),
        help=f"number of ngspice accuracy levels to run, 1 to {len(NGSPICE_LEVELS)} (default: all)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the netlists and outputs here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args()

    pelab = args.pelab.resolve()
    ngspice = shutil.which(args.ngspice)
    if not pelab.is_file():
        parser.error(f"pelab binary not found at {pelab}; build it with 'cargo build --release -p pelab' or pass --pelab")
    if ngspice is None:
        parser.error(f"ngspice binary '{args.ngspice}' not found; install ngspice or pass --ngspice")
    if not 1 <= args.levels <= len(NGSPICE_LEVELS):
        parser.error(f"--levels must be 1 to {len(NGSPICE_LEVELS)}, got {args.levels}")
    if args.repeats < 1 or args.slow_repeats < 1:
        parser.error("--repeats and --slow-repeats must be at least 1")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pelab-vs-ngspice-"))
    workdir.mkdir(parents=True, exist_ok=True)
    base = NETLIST.read_text()
    results: dict = {
        "machine": {"cpu": cpu_model(), "logical_cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "pelab": version([str(pelab), "--version"]),
        "ngspice": version([ngspice, "-v"]),
        "netlist": str(NETLIST.relative_to(REPO)),
    }
    print(f"machine: {results['machine']['cpu']}, {os.cpu_count()} logical CPUs, "
          f"load average {results['machine']['load_average'][0]:.2f} at start")
    print(f"pelab: {pelab} ({results['pelab']}); ngspice: {ngspice} ({results['ngspice']})")
    print(f"netlist: {results['netlist']}; work folder: {workdir}\n")

    # Process start-up of both programs on a trivial netlist.
    startup = workdir / "startup.cir"
    startup.write_text(
        STARTUP_NETLIST
        + ".control\nrun\nwrdata startup_ngspice.txt v(out)\nquit\n.endc\n.end\n"
    )
    startup_pelab, startup_ngspice = Timing(), Timing()
    for _ in range(args.repeats):
        timed_run([str(pelab), "sim", "run", "-q", "--grid-only", startup.name, "--out", "startup_pelab.csv"], workdir, startup_pelab)
        timed_run([ngspice, "-b", startup.name], workdir, startup_ngspice)
    results["startup"] = {"pelab": startup_pelab.summary(), "ngspice": startup_ngspice.summary()}

    # pelab at the base output step (the timed run) and at half of it (the check).
    main_file = workdir / "boost_10ns.cir"
    main_file.write_text(comparison_netlist(base, "ngspice_level0.txt", "", OUTPUT_STEP))
    half_file = workdir / "boost_5ns.cir"
    half_text = comparison_netlist(base, "unused.txt", "", OUTPUT_STEP / 2)
    half_text = re.sub(r"^\.tran \S+", f".tran {spice_time(OUTPUT_STEP / 2)}", half_text, flags=re.M)
    half_file.write_text(half_text)

    pelab_timing = Timing()
    engine_walls = []
    stats = {}
    for _ in range(args.repeats):
        run = timed_run([str(pelab), "sim", "run", "--grid-only", main_file.name, "--out", "pelab_10ns.csv"], workdir, pelab_timing)
        stats = parse_pelab_stats(run.stdout)
        if stats:
            engine_walls.append(stats["engine_wall"])
    timed_run([str(pelab), "sim", "run", "-q", "--grid-only", half_file.name, "--out", "pelab_5ns.csv"], workdir, Timing())
    reference = read_pelab_csv(workdir / "pelab_10ns.csv")
    halved = read_pelab_csv(workdir / "pelab_5ns.csv")
    self_check = errors(halved, reference, candidate_is_pelab=True)
    results["pelab_run"] = {
        **pelab_timing.summary(),
        **stats,
        "engine_wall_median": statistics.median(engine_walls) if engine_walls else None,
        "output_bytes": (workdir / "pelab_10ns.csv").stat().st_size,
        "signals": len(reference[1]) - 1,
        "error_vs_half_step": self_check,
        "first_sample_i_l1": value_at(reference, "i(L1)[A]", FIRST_SAMPLE_TIME),
    }
    results["first_sample_closed_form_i_l1"] = first_sample_current()

    # ngspice at each accuracy level, on the same circuit lines.
    levels = []
    for number, (label, options, max_step) in enumerate(NGSPICE_LEVELS[: args.levels]):
        output = f"ngspice_level{number}.txt"
        text = comparison_netlist(base, output, options, max_step)
        if number == 0:
            # ngspice at its defaults reads the file pelab was timed on, byte for byte.
            netlist = main_file
            if netlist.read_text() != text:
                raise ValueError("the first ngspice level must be the netlist pelab ran")
        else:
            netlist = workdir / f"boost_ngspice_level{number}.cir"
            netlist.write_text(text)
        repeats = args.slow_repeats if max_step < 1e-9 else args.repeats
        timing = Timing()
        for _ in range(repeats):
            timed_run([ngspice, "-b", netlist.name], workdir, timing)
        candidate = read_wrdata(workdir / output)
        level = {
            "label": label,
            "options": options,
            "max_step": max_step,
            **timing.summary(),
            "output_bytes": (workdir / output).stat().st_size,
            "error_vs_pelab": errors(reference, candidate, candidate_is_pelab=False),
            "first_sample_i_l1": value_at(candidate, "l1#branch", FIRST_SAMPLE_TIME),
        }
        levels.append(level)
        print(f"ran ngspice level {number}: {label}, median wall {level['wall_median']:.3f} s", file=sys.stderr)
    results["ngspice_levels"] = levels

    # The same runs without writing the waveform file: pelab keeps its samples in
    # memory and ngspice its vectors, so this compares the simulation alone.
    no_output = workdir / "boost_10ns_no_output.cir"
    no_output.write_text("".join(line for line in main_file.read_text().splitlines(keepends=True)
                                 if not line.startswith("wrdata ")))
    pelab_memory, ngspice_memory = Timing(), Timing()
    for _ in range(args.repeats):
        timed_run([str(pelab), "sim", "run", "-q", "--grid-only", no_output.name], workdir, pelab_memory)
        timed_run([ngspice, "-b", no_output.name], workdir, ngspice_memory)
    results["no_output_file"] = {"pelab": pelab_memory.summary(), "ngspice": ngspice_memory.summary()}

    # One closed-loop kernel run, pelab only (ngspice has no PWM controller).
    closed_loop = Timing()
    closed_stats = {}
    for _ in range(args.repeats):
        run = timed_run(
            [str(pelab), "sim", "run", str(CLOSED_LOOP_DESIGN), "--out", "closed_loop.csv"], workdir, closed_loop
        )
        closed_stats = parse_pelab_stats(run.stdout)
    results["closed_loop"] = {
        "design": str(CLOSED_LOOP_DESIGN.relative_to(REPO)),
        **closed_loop.summary(),
        **closed_stats,
    }

    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.workdir is None:
        shutil.rmtree(workdir)
    return 0


def report(results: dict) -> None:
    """Print the results as Markdown tables."""
    startup = results["startup"]
    pelab_run = results["pelab_run"]
    print("\n## Process start-up (trivial RC netlist, same file for both)\n")
    print("| program | wall median (min to max) [s] | CPU median [s] |")
    print("| --- | --- | --- |")
    print_timing_row("pelab", startup["pelab"])
    print_timing_row("ngspice", startup["ngspice"])

    print("\n## pelab reference check: 10 ns against 5 ns output step\n")
    print("| signal | full scale | max abs difference | RMS difference |")
    print("| --- | --- | --- | --- |")
    for label, error in pelab_run["error_vs_half_step"].items():
        print(f"| {label} | {error['full_scale']:.4g} | {error['max_abs']:.3g} | {error['rms_abs']:.3g} |")

    print("\n## 2-phase interleaved boost, 100 kHz, 2 ms, 10 ns output grid\n")
    print(
        f"pelab: {pelab_run.get('steps', '?')} steps, {pelab_run.get('samples', '?')} samples × "
        f"{pelab_run['signals']} signals, {pelab_run['output_bytes'] / 1e6:.1f} MB CSV; engine time "
        f"(pelab's own report, without start-up and CSV writing) median "
        f"{pelab_run['engine_wall_median']:.3f} s\n"
    )
    print(
        "| run | wall median (min to max) [s] | CPU median [s] | wall ratio to pelab | CPU ratio to pelab "
        "| max error i(L1), i(L2), v(out) [fraction of full scale] | RMS error [fraction of full scale] |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    self_max = worst_relative(pelab_run["error_vs_half_step"], "max_rel")
    self_rms = worst_relative(pelab_run["error_vs_half_step"], "rms_rel")
    print_timing_row(
        "pelab, 10 ns",
        pelab_run,
        f" 1 | 1 | {self_max:.2g} (vs 5 ns) | {self_rms:.2g} (vs 5 ns) |",
    )
    for level in results["ngspice_levels"]:
        error = level["error_vs_pelab"]
        max_rel = ", ".join(f"{e['max_rel']:.2g}" for e in error.values())
        rms_rel = ", ".join(f"{e['rms_rel']:.2g}" for e in error.values())
        wall_ratio = level["wall_median"] / pelab_run["wall_median"]
        cpu_ratio = level["cpu_median"] / pelab_run["cpu_median"]
        print_timing_row(
            f"ngspice, {level['label']}",
            level,
            f" {wall_ratio:.1f} | {cpu_ratio:.1f} | {max_rel} | {rms_rel} |",
        )

    closed_form = results["first_sample_closed_form_i_l1"]
    print("\n## First switching edge: i(L1) at 10 ns against the hand calculation\n")
    print(f"Closed form: {1e3 * closed_form:.6f} mA (S1 closes at 3 ns). The edge shift is the "
          "change of the switching time that explains the difference, -(i - closed form) * L1 / V_in; "
          "negative means that S1 closed early.\n")
    print("| run | i(L1) at 10 ns [mA] | edge shift [ps] |")
    print("| --- | --- | --- |")
    runs = [("pelab, 10 ns", pelab_run["first_sample_i_l1"])]
    runs += [(f"ngspice, {level['label']}", level["first_sample_i_l1"]) for level in results["ngspice_levels"]]
    for label, value in runs:
        shift = -(value - closed_form) * L1 / V_IN
        print(f"| {label} | {1e3 * value:.6f} | {1e12 * shift:+.3f} |")

    memory = results["no_output_file"]
    print("\n## Same circuit without writing the waveform file (default ngspice settings)\n")
    print("| program | wall median (min to max) [s] | CPU median [s] | wall ratio | CPU ratio |")
    print("| --- | --- | --- | --- | --- |")
    print_timing_row("pelab", memory["pelab"], " 1 | 1 |")
    print_timing_row(
        "ngspice",
        memory["ngspice"],
        f" {memory['ngspice']['wall_median'] / memory['pelab']['wall_median']:.1f} "
        f"| {memory['ngspice']['cpu_median'] / memory['pelab']['cpu_median']:.1f} |",
    )

    closed = results["closed_loop"]
    print(f"\n## Closed-loop kernel run, pelab only: {closed['design']}\n")
    print("| run | wall median (min to max) [s] | CPU median [s] | steps | engine time [s] |")
    print("| --- | --- | --- | --- | --- |")
    print_timing_row("pelab", closed, f" {closed.get('steps', '?')} | {closed.get('engine_wall', '?')} |")


if __name__ == "__main__":
    sys.exit(main())
