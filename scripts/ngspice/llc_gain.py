#!/usr/bin/env python3
"""Simulate the LLC gain-curve validation circuit in ngspice at several frequencies.

The circuit is the one pelab's `llc` kernel simulates, written here as a SPICE netlist
from the constants below (never from pelab's code): a 400 V half-bridge with ideal
switches (SW model, 1 mOhm on) and body diodes, the switch-node capacitance 2*Coss to
ground, L_r, C_r, L_m, an ideal n:1 transformer made of an E and an F source, a
full-bridge rectifier of SIDIODE piecewise-linear diodes (threshold v_f, slope
resistance r_d), C_o with its ESR and a resistive load. Each frequency runs open loop
from C_r at V_in/2 and C_o at the first-harmonic estimate until the output has
settled, and the mean output voltage over the last 20 periods is written to
crates/sim/tests/data/llc_gain_ngspice.csv with the ngspice version and settings in
its header.

The output capacitor is 47 uF rather than the example's 470 uF: the gain does not
depend on it while the ripple stays small (0.2 % here), and the output time constant
R*C_o = 0.11 ms lets each point settle within 1.5 ms of simulated time.

Run: python3 scripts/ngspice/llc_gain.py   (needs ngspice; tested with Debian ngspice-39)
"""

import datetime
import math
import pathlib
import re
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
OUT = REPO / "crates" / "sim" / "tests" / "data" / "llc_gain_ngspice.csv"

# The circuit; the Rust test builds the same values.
V_IN = 400.0
L_R = 20e-6
C_R = 126.65e-9
L_M = 100e-6
N = 4.1
C_SW = 400e-12  # 2 * Coss
T_DEAD = 200e-9
V_F = 0.45  # per diode; two conduct in a full bridge
R_D = 5e-3  # per diode
C_O = 47e-6
R_C = 10e-3
R_LOAD = 2.304

FREQUENCIES = [60e3, 70e3, 80e3, 90e3, 100e3, 120e3, 150e3, 200e3]

# Switch and body-diode on resistance [Ohm] and off resistance of every device [Ohm].
R_ON = 1e-3
R_OFF = 1e9

# Gate edge [s]; the 0.5 V threshold is crossed mid-edge.
GATE_EDGE = 1e-9

# Settling time and averaging window.
T_SETTLE = 1.5e-3
AVERAGE_PERIODS = 20

# ngspice transient settings, as in make_references.py: Gear order 2 damps the
# picosecond modes of off-state resistances against inductors; reltol sets accuracy.
SETTINGS = {
    "method": "gear",
    "maxord": 2,
    "reltol": 1e-6,
    "abstol": 1e-10,
    "vntol": 1e-9,
    "chgtol": 1e-16,
    "trtol": 1,
    "itl4": 100,
}
STEPS_PER_PERIOD = 1000


def fmt(value):
    return repr(float(value))


def fha_gain(f):
    """First-harmonic gain, for the initial output voltage only."""
    f_r = 1.0 / (2.0 * math.pi * math.sqrt(L_R * C_R))
    k = L_M / L_R
    r_ac = 8.0 * N * N * R_LOAD / math.pi**2
    q = math.sqrt(L_R / C_R) / r_ac
    fn = f / f_r
    re_part = 1.0 + 1.0 / k - 1.0 / (k * fn * fn)
    im_part = q * (fn - 1.0 / fn)
    return 1.0 / math.hypot(re_part, im_part)


def netlist(f):
    period = 1.0 / f
    on = period / 2.0 - T_DEAD
    v_guess = max(fha_gain(f) * V_IN / (2.0 * N) - 2.0 * V_F, 0.0)
    t_from = T_SETTLE - AVERAGE_PERIODS * period
    tmax = period / STEPS_PER_PERIOD
    options = " ".join(f"{k}={v}" for k, v in SETTINGS.items())
    return "\n".join(
        [
            f"LLC half-bridge gain at {f:.0f} Hz",
            f".model SMOD SW(Ron={fmt(R_ON)} Roff={fmt(R_OFF)} Vt=0.5 Vh=0)",
            f".model DBODY SIDIODE(Ron={fmt(R_ON)} Roff={fmt(R_OFF)} Vfwd=0 Vrev=1e9 epsilon=0 revepsilon=0)",
            f".model DRECT SIDIODE(Ron={fmt(R_D)} Roff={fmt(R_OFF)} Vfwd={fmt(V_F)} Vrev=1e9 epsilon=0 revepsilon=0)",
            f"VIN in 0 {fmt(V_IN)}",
            f"VGH gh 0 PULSE(0 1 0 {fmt(GATE_EDGE)} {fmt(GATE_EDGE)} {fmt(on - GATE_EDGE)} {fmt(period)})",
            f"VGL gl 0 PULSE(0 1 {fmt(period / 2)} {fmt(GATE_EDGE)} {fmt(GATE_EDGE)} {fmt(on - GATE_EDGE)} {fmt(period)})",
            "SH in sw gh 0 SMOD",
            "SL sw 0 gl 0 SMOD",
            "ADBH sw in DBODY",
            "ADBL 0 sw DBODY",
            f"CSW sw 0 {fmt(C_SW)} ic={fmt(V_IN)}",  # at the high rail, so the first turn-on is soft
            f"LR sw a {fmt(L_R)} ic=0",
            f"CR a p {fmt(C_R)} ic={fmt(V_IN / 2)}",
            f"LM p 0 {fmt(L_M)} ic=0",
            # Ideal n:1 transformer: v_s = v_p/n, and the primary draws i_s/n.
            f"ES s1 mid p 0 {fmt(1.0 / N)}",
            "VSENSE mid s2 0",
            f"FP p 0 VSENSE {fmt(-1.0 / N)}",
            f"RBLEED s2 0 {fmt(R_OFF)}",
            "AD1 s1 out DRECT",
            "AD2 s2 out DRECT",
            "AD3 0 s1 DRECT",
            "AD4 0 s2 DRECT",
            f"CO out esr {fmt(C_O)} ic={fmt(v_guess)}",
            f"RC esr 0 {fmt(R_C)}",
            f"RL out 0 {fmt(R_LOAD)}",
            f".options {options}",
            f".tran {fmt(tmax)} {fmt(T_SETTLE)} 0 {fmt(tmax)} uic",
            f".meas tran vavg AVG v(out) from={fmt(t_from)} to={fmt(T_SETTLE)}",
            ".end",
            "",
        ]
    )


def run(f, folder):
    path = folder / f"llc_{f:.0f}.cir"
    path.write_text(netlist(f))
    start = time.time()
    result = subprocess.run(["ngspice", "-b", str(path)], capture_output=True, text=True, check=False)
    elapsed = time.time() - start
    match = re.search(r"^vavg\s*=\s*([-+0-9.eE]+)", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not match:
        sys.exit(f"ngspice failed at {f} Hz:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return float(match.group(1)), elapsed


def main():
    version = subprocess.run(["ngspice", "-v"], capture_output=True, text=True, check=False).stdout
    version_line = next((line.strip() for line in version.splitlines() if "ngspice" in line.lower()), "unknown")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for f in FREQUENCIES:
            v_out, elapsed = run(f, pathlib.Path(tmp))
            gain = N * v_out / (V_IN / 2.0)
            print(f"{f:>9.0f} Hz  v_out {v_out:.6f} V  gain {gain:.6f}  ({elapsed:.1f} s)")
            rows.append((f, v_out, gain))
    header = [
        "# LLC half-bridge open-loop steady-state output voltage from ngspice.",
        f"# Made by scripts/ngspice/llc_gain.py on {datetime.date.today().isoformat()} with {version_line}.",
        f"# Circuit: V_in={V_IN} V, L_r={L_R} H, C_r={C_R} F, L_m={L_M} H, n={N}, C_sw={C_SW} F,",
        f"#   t_dead={T_DEAD} s, full-bridge rectifier v_f={V_F} V r_d={R_D} Ohm per diode,",
        f"#   C_o={C_O} F, r_c={R_C} Ohm, R={R_LOAD} Ohm; switches and body diodes R_on={R_ON} Ohm, R_off={R_OFF} Ohm.",
        f"# Settings: {SETTINGS}, step limit period/{STEPS_PER_PERIOD}, {T_SETTLE} s from C_r=V_in/2 and",
        f"#   C_o at the FHA estimate; v_out is the mean over the last {AVERAGE_PERIODS} periods.",
        "f_sw_hz,v_out_v,gain",
    ]
    lines = header + [f"{f:.1f},{v:.9f},{g:.9f}" for f, v, g in rows]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
