#!/usr/bin/env python3
"""Simulate the pelab converter test cases in ngspice and write reference waveforms.

Each case is an open-loop pelab design file in crates/sim/tests/reference/ngspice/cases.
For each one the script writes its own ngspice netlist from the design parameters. It
never reads pelab's generated netlist, so a template bug cannot hide in both. It runs
`ngspice -b`, resamples the compared signals onto the design's output grid over the
steady-state window and writes, next to the cases folder:

- <case>.csv: `time` and the compared signals, named as pelab names them;
- <case>.netlist.cir: the exact netlist ngspice ran;
- provenance.json: ngspice version, options, date, script, per-case run time and,
  unless --skip-self-check, how much ngspice itself moves when its step limit is
  quartered and its relative tolerance divided by three.

Run from anywhere: python3 scripts/ngspice/make_references.py
One case into another folder (what the live Rust test does):
    python3 scripts/ngspice/make_references.py --case buck_sync_ccm --out /tmp/x
Needs ngspice (tested with ngspice-39 from Debian) and numpy.
"""

import argparse
import datetime
import json
import math
import pathlib
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
REFERENCE_DIR = REPO / "crates" / "sim" / "tests" / "reference" / "ngspice"
CASES_DIR = REFERENCE_DIR / "cases"

# Rise and fall time of the gate pulses [s]. The ramps are centred on the ideal edge
# instants, so the 0.5 V switch threshold is crossed exactly at the edge, as in the
# open-loop netlists that pelab's kernel templates export.
GATE_EDGE = 1e-9

# Gate threshold of the SW model [V]. The gate sources swing from 0 to 1 V.
GATE_THRESHOLD = 0.5

# SIDIODE reverse breakdown voltage [V]: far above every voltage in the cases, so the
# breakdown branch is never reached.
DIODE_VREV = 1e9

# ngspice transient settings; the ngspice-39 defaults are reltol 1e-3, abstol 1e-12 A,
# vntol 1e-6 V, chgtol 1e-14 C and trtol 7. reltol decides the accuracy here: at 1e-6
# the mean output voltage of buck_sync_ccm was 3e-5 of its value away from pelab's
# and moved by as much with reltol or the method, at 1e-8 it agrees with pelab to
# 1e-7, and a smaller step limit changed neither. With it, the relative term
# dominates abstol for every current above 10 mA, so abstol only settles the leakage
# of blocking devices. trtol 1 makes the truncation-error estimate seven times
# stricter. The step limit is tmax = period / tmax_per_period.
#
# Gear (BDF) order 2 is used instead of the trapezoidal rule. Every switch or diode
# that turns off puts 1e6 Ω against an inductor, a mode with a picosecond time
# constant. Gear damps such stiff modes, while the trapezoidal rule's amplification
# factor tends to -1 for them, so they would ring.
SETTINGS = {
    "method": "gear",
    "maxord": 2,
    "reltol": 1e-8,
    "abstol": 1e-10,
    "vntol": 1e-9,
    "chgtol": 1e-16,
    "trtol": 1,
    "itl4": 100,
    "tmax_per_period": 1000,
}

# The self-check run: a quarter of the step limit and a third of reltol. A reltol of
# 1e-9 stops ngspice-39 with "Timestep too small" at the diode turn-off of the DCM
# cases, so the check cannot go further.
SELF_CHECK_SETTINGS = dict(
    SETTINGS,
    reltol=SETTINGS["reltol"] / 3,
    tmax_per_period=SETTINGS["tmax_per_period"] * 4,
)

# Minimum distance between a switching instant and an output sample [s]. Signals such as
# an input current or an output voltage with ESR jump at the switching instants, so a
# sample there would depend on which side of the edge each simulator lands.
MIN_EDGE_CLEARANCE = 2e-9


class CaseError(Exception):
    """A case file that this script cannot translate faithfully."""


def fmt(value):
    """Format a number for a netlist, with full double precision."""
    return repr(float(value))


def require(section, name, case):
    """Return a parameter that the case must give explicitly.

    The script never fills in pelab's defaults: a changed default would then make the
    two netlists differ without notice.
    """
    if name not in section:
        raise CaseError(f"{case}: missing parameter {name}; write out every parameter that the netlist uses")
    return section[name]


# ---------------------------------------------------------------------------------------
# PWM timing


def pwm_interval(carrier, phase, duty):
    """Return the on-interval (rise, fall) of a switch in periods, each in [0, 1).

    The carrier conventions are pelab's: trailing edge turns on at the carrier period
    start, leading edge turns off there, centre-aligned centres the on-time at half the
    period. `phase` delays the carrier by that fraction of the period.
    """
    offsets = {"trailing": 0.0, "leading": 1.0 - duty, "center": 0.5 * (1.0 - duty)}
    if carrier not in offsets:
        raise CaseError(f"unknown carrier {carrier!r}")
    rise = (phase + offsets[carrier]) % 1.0
    fall = (rise + duty) % 1.0
    return rise, fall


def complementary_intervals(carrier, phase, duty, dead):
    """Return the (high, low) on-intervals of a complementary pair in periods.

    `dead` is the deadtime in periods. Each turn-on is delayed by it: the high side is on
    in [rise + dead, fall) and the low side in [fall + dead, rise + 1).
    """
    rise, fall = pwm_interval(carrier, phase, duty)
    return ((rise + dead) % 1.0, fall), ((fall + dead) % 1.0, rise)


def gate_source(name, node, interval, period):
    """Return a PULSE gate source line for the on-interval (rise, fall) in periods.

    The source is 1 V while the switch is on. Its 1 ns ramps are centred on the ideal
    edges. The source starts at the switch state at t = 0 (on when the interval wraps
    past the period start), so the first period is driven like every later one.
    """
    rise, fall = (x * period for x in interval)
    half = 0.5 * GATE_EDGE
    on_time = (fall - rise) % period
    on_at_start = rise == 0.0 or fall < rise
    if on_at_start:
        # Describe the off-interval: fall, then rise again after the off-time.
        delay, width, levels = fall - half, (period - on_time) - GATE_EDGE, "1 0"
    else:
        delay, width, levels = rise - half, on_time - GATE_EDGE, "0 1"
    if delay < 0.0 or width <= 0.0:
        raise CaseError(f"{name}: a switching edge is closer than {GATE_EDGE} s to the period start or to another edge")
    return (
        f"{name} {node} 0 PULSE({levels} {fmt(delay)} {fmt(GATE_EDGE)} {fmt(GATE_EDGE)} "
        f"{fmt(width)} {fmt(period)})"
    )


# ---------------------------------------------------------------------------------------
# Netlist building blocks


class Netlist:
    """ngspice netlist text, the switching edges it contains and the compared signals."""

    def __init__(self, title, p, case):
        self.case = case
        self.lines = [title]
        self.period = 1.0 / float(require(p, "f_sw", case))
        self.edges = []
        r_on = require(p, "r_on", case)
        r_off = require(p, "r_off", case)
        self.lines.append(f".model SMOD SW(Ron={fmt(r_on)} Roff={fmt(r_off)} Vt={fmt(GATE_THRESHOLD)} Vh=0)")
        # SIDIODE: Ron and Vfwd when conducting, Roff when blocking. Its quadratic
        # smoothing regions (epsilon, revepsilon) are set to zero width, so the
        # characteristic has the same kink as pelab's diode.
        self.lines.append(
            f".model DMOD SIDIODE(Ron={fmt(require(p, 'r_d', case))} Roff={fmt(r_off)} "
            f"Vfwd={fmt(require(p, 'v_f', case))} Vrev={fmt(DIODE_VREV)} epsilon=0 revepsilon=0)"
        )

    def add(self, line):
        self.lines.append(line)

    def inductor(self, name, a, b, inductance, dcr, initial_current):
        """Inductor from a to b, its DC resistance R<name> on the b side."""
        if dcr > 0.0:
            mid = f"{name.lower()}_dcr"
            self.add(f"{name} {a} {mid} {fmt(inductance)} ic={fmt(initial_current)}")
            self.add(f"R{name} {mid} {b} {fmt(dcr)}")
        else:
            self.add(f"{name} {a} {b} {fmt(inductance)} ic={fmt(initial_current)}")

    def capacitor(self, name, node, capacitance, esr, initial_voltage):
        """Capacitor from node to ground, its ESR R<name> on the ground side."""
        if esr > 0.0:
            mid = f"{name.lower()}_esr"
            self.add(f"{name} {node} {mid} {fmt(capacitance)} ic={fmt(initial_voltage)}")
            self.add(f"R{name} {mid} 0 {fmt(esr)}")
        else:
            self.add(f"{name} {node} 0 {fmt(capacitance)} ic={fmt(initial_voltage)}")

    def switch(self, name, a, b, body_diode):
        """Switch from a to b with gate node g_<name> and an optional antiparallel diode."""
        self.add(f"{name} {a} {b} g_{name.lower()} 0 SMOD")
        if body_diode:
            # XSPICE code models are instantiated with A elements, not D elements.
            self.add(f"AD{name} {b} {a} DMOD")

    def diode(self, name, anode, cathode):
        self.add(f"A{name} {anode} {cathode} DMOD")

    def drive(self, switch, interval):
        """Gate source of `switch` for the on-interval (rise, fall) in periods."""
        self.add(gate_source(f"VG{switch}", f"g_{switch.lower()}", interval, self.period))
        self.edges.extend(interval)

    def drive_pair(self, main, complement, carrier, phase, duty, t_dead):
        """Gate sources of a single switch, or of a complementary pair with deadtime."""
        if not 0.0 < duty < 1.0:
            raise CaseError(f"{self.case}: duty {duty} must lie strictly between 0 and 1")
        if complement is None:
            self.drive(main, pwm_interval(carrier, phase, duty))
            return
        if min(duty, 1.0 - duty) * self.period <= t_dead:
            raise CaseError(f"{self.case}: duty {duty} leaves no on-time after the deadtime {t_dead} s")
        high, low = complementary_intervals(carrier, phase, duty, t_dead / self.period)
        self.drive(main, high)
        self.drive(complement, low)


def check_open_loop(design, case):
    control = design.get("control", {})
    if control.get("mode") != "open_loop":
        raise CaseError(f"{case}: [control] mode must be \"open_loop\"")
    if control.get("soft_start", 0.0) != 0.0:
        raise CaseError(f"{case}: soft_start must be 0; the reference netlist has a fixed duty")
    return float(require(control, "duty", case))


def check_no_load_steps(p, case):
    if p.get("i_load"):
        raise CaseError(f"{case}: i_load steps are not supported by this script")


def build_buck_boost(design, case):
    """Single-phase buck or boost, diode or synchronous rectifier."""
    p = design["parameters"]
    duty = check_open_loop(design, case)
    check_no_load_steps(p, case)
    synchronous = require(p, "rectifier", case) == "synchronous"
    net = Netlist(f"* ngspice reference for {case} ({design['kernel']})", p, case)
    net.add(f"VIN in 0 DC {fmt(require(p, 'v_in', case))}")
    inductor = (float(require(p, "l", case)), float(require(p, "r_l", case)), float(require(p, "i_l0", case)))
    if design["kernel"] == "buck":
        net.switch("S1", "in", "sw", True)
        if synchronous:
            net.switch("S2", "sw", "0", True)
        else:
            net.diode("D1", "0", "sw")
        net.inductor("L1", "sw", "out", *inductor)
    else:
        net.inductor("L1", "in", "sw", *inductor)
        net.switch("S1", "sw", "0", True)
        if synchronous:
            net.switch("S2", "out", "sw", True)
        else:
            net.diode("D1", "sw", "out")
    net.capacitor("C1", "out", require(p, "c", case), require(p, "r_c", case), require(p, "v_out0", case))
    net.add(f"RLOAD out 0 {fmt(require(p, 'r_load', case))}")
    t_dead = float(require(p, "t_dead", case)) if synchronous else 0.0
    net.drive_pair("S1", "S2" if synchronous else None, require(p, "carrier", case), 0.0, duty, t_dead)
    signals = [("v(out)", "v(out)"), ("i(L1)", "l1#branch"), ("i(VIN)", "vin#branch")]
    return net, signals


def build_bidirectional(design, case):
    """Synchronous half-bridge between a high-voltage link and a battery."""
    p = design["parameters"]
    duty = check_open_loop(design, case)
    v_hv = float(require(p, "v_hv", case))
    v_bat = float(require(p, "v_bat", case))
    net = Netlist(f"* ngspice reference for {case} (bidirectional)", p, case)
    net.add(f"VHV hv_src 0 DC {fmt(v_hv)}")
    net.add(f"RHV hv_src hv {fmt(require(p, 'r_hv', case))}")
    # Both capacitors start at their source voltages, as the kernel fixes them.
    net.capacitor("CHV", "hv", require(p, "c_hv", case), require(p, "r_c_hv", case), v_hv)
    if "r_load_hv" in p:
        net.add(f"RLOAD_HV hv 0 {fmt(p['r_load_hv'])}")
    net.switch("S1", "hv", "sw", True)
    net.switch("S2", "sw", "0", True)
    net.inductor("L1", "sw", "lv", require(p, "l", case), require(p, "r_l", case), require(p, "i_l0", case))
    net.capacitor("CLV", "lv", require(p, "c_lv", case), require(p, "r_c_lv", case), v_bat)
    net.add(f"RBAT lv bat {fmt(require(p, 'r_bat', case))}")
    net.add(f"VBAT bat 0 DC {fmt(v_bat)}")
    net.drive_pair("S1", "S2", require(p, "carrier", case), 0.0, duty, float(require(p, "t_dead", case)))
    signals = [
        ("v(hv)", "v(hv)"),
        ("v(lv)", "v(lv)"),
        ("i(L1)", "l1#branch"),
        ("i(VHV)", "vhv#branch"),
        ("i(VBAT)", "vbat#branch"),
    ]
    return net, signals


def build_interleaved_boost(design, case):
    """N-phase interleaved boost whose carrier k is delayed by k/N periods."""
    p = design["parameters"]
    duty = check_open_loop(design, case)
    check_no_load_steps(p, case)
    control = design["control"]
    if control.get("shed_thresholds"):
        raise CaseError(f"{case}: phase shedding is not supported by this script")

    phases = int(require(p, "phases", case))
    tolerance = list(require(p, "l_tolerance", case)) or [0.0] * phases
    if len(tolerance) != phases:
        raise CaseError(f"{case}: l_tolerance needs one entry per phase")
    synchronous = require(p, "rectifier", case) == "synchronous"
    t_dead = float(require(p, "t_dead", case)) if synchronous else 0.0
    carrier = require(p, "carrier", case)

    net = Netlist(f"* ngspice reference for {case} ({phases}-phase interleaved boost)", p, case)
    net.add(f"VIN in 0 DC {fmt(require(p, 'v_in', case))}")
    for k in range(1, phases + 1):
        inductance = float(require(p, "l", case)) * (1.0 + tolerance[k - 1])
        net.inductor(f"L{k}", "in", f"sw{k}", inductance, float(require(p, "r_l", case)), float(require(p, "i_l0", case)))
        net.switch(f"S{k}", f"sw{k}", "0", True)
        if synchronous:
            net.switch(f"S{k}H", "out", f"sw{k}", True)
        else:
            net.diode(f"D{k}", f"sw{k}", "out")
    net.capacitor("C1", "out", require(p, "c", case), require(p, "r_c", case), require(p, "v_out0", case))
    net.add(f"RLOAD out 0 {fmt(require(p, 'r_load', case))}")

    for k in range(1, phases + 1):
        high = f"S{k}H" if synchronous else None
        net.drive_pair(f"S{k}", high, carrier, (k - 1) / phases, duty, t_dead)

    signals = [("v(out)", "v(out)")]
    signals += [(f"i(L{k})", f"l{k}#branch") for k in range(1, phases + 1)]
    signals.append(("i(VIN)", "vin#branch"))
    return net, signals


BUILDERS = {
    "buck": build_buck_boost,
    "boost": build_buck_boost,
    "bidirectional": build_bidirectional,
    "interleaved_boost": build_interleaved_boost,
}


# ---------------------------------------------------------------------------------------
# Window, grid and the ngspice run


def output_grid(design, period, case):
    """Return the window's sample times: pelab's output grid from steady_state_from to t_stop."""
    s = design["simulation"]
    t_stop = float(require(s, "t_stop", case))
    step = float(s.get("output_step", period / 200.0))
    start = float(require(s, "steady_state_from", case))
    first = round(start / step)
    if abs(first * step - start) > 1e-9 * step:
        raise CaseError(f"{case}: steady_state_from must be a multiple of output_step")
    last = math.floor(t_stop / step * (1.0 + 4.0 * sys.float_info.epsilon))
    return np.arange(first, last + 1) * step, step, t_stop


def check_edge_clearance(edges, period, grid, case):
    """Reject a case whose switching instants fall on (or next to) a sample time."""
    k_first = math.floor(grid[0] / period) - 1
    k_last = math.ceil(grid[-1] / period) + 1
    step = grid[1] - grid[0]
    for k in range(k_first, k_last + 1):
        for edge in edges:
            t = (k + edge) * period
            if not grid[0] <= t <= grid[-1]:
                continue
            offset = (t - grid[0]) / step
            distance = abs(offset - round(offset)) * step
            if distance < MIN_EDGE_CLEARANCE:
                raise CaseError(
                    f"{case}: the switching instant at {t:.9e} s is {distance:.2e} s from a sample; "
                    "change duty, deadtime or carrier so that edges fall between samples"
                )


def ngspice_version():
    result = subprocess.run(["ngspice", "-v"], capture_output=True, text=True, check=True)
    for line in result.stdout.splitlines():
        match = re.search(r"ngspice-\S+.*", line)
        if match:
            return match.group(0).strip()
    raise RuntimeError(f"cannot find a version in the output of ngspice -v: {result.stdout!r}")


def netlist_text(net, signals, settings, grid, step, t_stop, data_file):
    """Complete netlist with options and a .control block that writes `data_file`."""
    tmax = net.period / settings["tmax_per_period"]
    # Keep one step limit of data before the window so that interpolation covers it.
    t_start = max(0.0, grid[0] - 10.0 * tmax)
    options = " ".join(
        f"{key}={settings[key]}"
        for key in ("method", "maxord", "reltol", "abstol", "vntol", "chgtol", "trtol", "itl4")
    )
    vectors = " ".join(vector for _, vector in signals)
    lines = list(net.lines)
    lines += [
        f".options {options}",
        ".control",
        "set wr_singlescale",
        "set wr_vecnames",
        "set numdgt=15",
        # uic: start from the element initial conditions, as pelab does.
        f"tran {fmt(step)} {fmt(t_stop)} {fmt(t_start)} {fmt(tmax)} uic",
        f"wrdata {data_file} {vectors}",
        "quit",
        ".endc",
        ".end",
    ]
    return "\n".join(lines) + "\n"


def run_ngspice(text, workdir, data_file):
    """Run ngspice in batch mode on `text` and return (times, columns, seconds)."""
    path = workdir / "circuit.cir"
    path.write_text(text)
    started = time.perf_counter()
    result = subprocess.run(
        ["ngspice", "-b", str(path)], capture_output=True, text=True, cwd=workdir, timeout=600
    )
    elapsed = time.perf_counter() - started
    log = result.stdout + result.stderr
    failed = result.returncode != 0 or any(
        marker in log for marker in ("Error", "error:", "Timestep too small", "simulation(s) aborted")
    )
    output = workdir / data_file
    if failed or not output.exists():
        raise RuntimeError(f"ngspice failed (exit status {result.returncode}):\n{log[-3000:]}")
    data = np.loadtxt(output, skiprows=1, ndmin=2)
    times = data[:, 0]
    # ngspice can write a breakpoint twice; keep the last value at each time.
    keep = np.append(np.diff(times) > 0.0, True)
    return times[keep], data[keep, 1:], elapsed


def resample(times, columns, grid):
    if times[0] > grid[0] or times[-1] < grid[-1] * (1.0 - 1e-12):
        raise RuntimeError(f"ngspice data covers {times[0]}..{times[-1]} s, not the window {grid[0]}..{grid[-1]} s")
    return np.column_stack([np.interp(grid, times, columns[:, j]) for j in range(columns.shape[1])])


def simulate_case(case_path, settings):
    """Build and run one case; return the netlist text, grid, signals and samples."""
    case = case_path.stem
    design = tomllib.loads(case_path.read_text())
    kernel = design.get("kernel")
    if kernel not in BUILDERS:
        raise CaseError(f"{case}: unsupported kernel {kernel!r}")
    net, signals = BUILDERS[kernel](design, case)
    grid, step, t_stop = output_grid(design, net.period, case)
    check_edge_clearance(net.edges, net.period, grid, case)
    data_file = f"{case}.data"
    text = netlist_text(net, signals, settings, grid, step, t_stop, data_file)
    with tempfile.TemporaryDirectory(prefix="pelab-ngspice-") as tmp:
        times, columns, elapsed = run_ngspice(text, pathlib.Path(tmp), data_file)
    samples = resample(times, columns, grid)
    return {
        "case": case,
        "text": text,
        "grid": grid,
        "step": step,
        "period": net.period,
        "signals": [name for name, _ in signals],
        "samples": samples,
        "seconds": elapsed,
        "ngspice_points": int(len(times)),
    }


def write_csv(path, result):
    header = ",".join(["time"] + result["signals"])
    rows = [header]
    for t, values in zip(result["grid"], result["samples"]):
        rows.append(",".join([f"{t:.12e}"] + [f"{v:.9e}" for v in values]))
    path.write_text("\n".join(rows) + "\n")


def window_mean(grid, values):
    """Time-weighted (trapezoidal) mean over the window, as the Rust tests compute it."""
    return float(np.trapezoid(values, grid) / (grid[-1] - grid[0]))


def self_check(case_path, reference):
    """Rerun with SELF_CHECK_SETTINGS and report how far each signal moved.

    For each signal: the largest change of a sample, in the signal's unit and relative
    to the peak-to-peak range over the window, and the window mean of both runs.
    """
    finer = simulate_case(case_path, SELF_CHECK_SETTINGS)
    grid = reference["grid"]
    report = {"seconds": round(finer["seconds"], 3)}
    for j, name in enumerate(reference["signals"]):
        a = reference["samples"][:, j]
        b = finer["samples"][:, j]
        change = float(np.max(np.abs(a - b)))
        span = float(np.ptp(b))
        report[name] = {
            "max_change": change,
            "max_change_over_pk_pk": change / span if span > 0.0 else None,
            "mean": window_mean(grid, a),
            "mean_self_check": window_mean(grid, b),
        }
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", help="case name (file stem in the cases folder); repeatable; default: all")
    parser.add_argument("--out", type=pathlib.Path, default=REFERENCE_DIR, help="output folder (default: the committed reference folder)")
    parser.add_argument("--skip-self-check", action="store_true", help="skip the rerun with a finer step limit and tighter tolerances")
    args = parser.parse_args()

    if shutil.which("ngspice") is None:
        sys.exit("ngspice not found on PATH; install it (Debian: apt-get install ngspice)")
    all_cases = sorted(CASES_DIR.glob("*.toml"))
    names = {path.stem: path for path in all_cases}
    if args.case:
        unknown = [name for name in args.case if name not in names]
        if unknown:
            sys.exit(f"unknown case(s) {', '.join(unknown)}; expected one of: {', '.join(names)}")
        selected = [names[name] for name in args.case]
    else:
        selected = all_cases

    args.out.mkdir(parents=True, exist_ok=True)
    version = ngspice_version()
    date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    provenance_path = args.out / "provenance.json"
    # A run of some cases keeps the records of the others from the previous run.
    previous = json.loads(provenance_path.read_text())["cases"] if provenance_path.exists() else {}
    provenance = {
        "ngspice": version,
        "script": "scripts/ngspice/make_references.py",
        "command": " ".join(["python3", "scripts/ngspice/make_references.py"] + sys.argv[1:]),
        "date": date,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "settings": SETTINGS,
        "self_check_settings": None if args.skip_self_check else SELF_CHECK_SETTINGS,
        "gate_edge_s": GATE_EDGE,
        "diode_vrev_v": DIODE_VREV,
        "cases": {name: record for name, record in previous.items() if name in names},
    }
    for case_path in selected:
        try:
            result = simulate_case(case_path, SETTINGS)
        except CaseError as error:
            sys.exit(f"invalid case: {error}")
        name = result["case"]
        write_csv(args.out / f"{name}.csv", result)
        (args.out / f"{name}.netlist.cir").write_text(result["text"])
        record = {
            "case_file": f"cases/{case_path.name}",
            "ngspice": version,
            "date": date,
            "signals": result["signals"],
            "window_s": [float(result["grid"][0]), float(result["grid"][-1])],
            "samples": int(len(result["grid"])),
            "output_step_s": result["step"],
            "ngspice_points": result["ngspice_points"],
            "ngspice_seconds": round(result["seconds"], 3),
        }
        if not args.skip_self_check:
            record["self_check"] = self_check(case_path, result)
        provenance["cases"][name] = record
        print(f"{name}: {record['samples']} samples, ngspice {record['ngspice_seconds']} s", flush=True)
    provenance["cases"] = dict(sorted(provenance["cases"].items()))
    provenance_path.write_text(json.dumps(provenance, indent=2) + "\n")


if __name__ == "__main__":
    main()
