#!/usr/bin/env python3
"""Compute the reference LCL filter responses of the grid_tie kernel with ngspice.

For each case the script writes a three-phase netlist of the filter: three AC sources
of 1 V at 0°, -120° and +120° referenced to node 0 (the DC-link midpoint), per phase
R1, L1, the damping resistor Rd in series with Cf to a floating capacitor star point,
and L2, R2, Lg, Rg to a floating grid star point, which is the grid voltage shorted.
Both star points reach node 0 only through 1 TΩ, so the circuit is three-wire as in
the kernel. The script does not use the kernel's αβ reduction, so a mistake there
shows up as a mismatch.

ngspice runs an .ac sweep (50 points per decade, 10 Hz to 100 kHz) and the script
writes crates/sim/tests/reference/grid_tie/<case>.csv with the columns
frequency_hz, i2_re, i2_im (phase-a grid-side current per volt of phase-a inverter
voltage), the netlist beside it as <case>.cir, and provenance.json.

Run from anywhere: python3 scripts/ngspice/grid_tie_lcl.py
Needs ngspice (tested with ngspice-39 from Debian bookworm).
"""

import datetime
import json
import pathlib
import platform
import subprocess
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
OUT = REPO / "crates" / "sim" / "tests" / "reference" / "grid_tie"

# Values per phase [H, Ω, F]. "damped" is examples/grid-tie-10kw-lcl.toml; "undamped"
# removes Rd and keeps 10 mΩ in each inductor.
CASES = {
    "damped": dict(l1=1.5e-3, r1=0.05, cf=10e-6, rd=2.0, l2=0.5e-3, r2=0.02, lg=0.1e-3, rg=0.05),
    "undamped": dict(l1=1.5e-3, r1=0.01, cf=10e-6, rd=0.0, l2=0.5e-3, r2=0.01, lg=0.1e-3, rg=0.0),
}

def netlist(name, p):
    lines = [f"grid_tie LCL {name}"]
    for phase, angle in (("a", 0), ("b", -120), ("c", 120)):
        # A zero Rd or Rg is left out (its nodes merged) rather than written as a tiny
        # resistor, whose huge conductance would cost ngspice digits.
        cap_node = f"c{phase}" if p["rd"] > 0 else f"x{phase}"
        grid_node = f"n4{phase}" if p["rg"] > 0 else "star_g"
        lines += [
            f"V{phase} in{phase} 0 AC 1 {angle}",
            f"R1{phase} in{phase} n1{phase} {p['r1']!r}",
            f"L1{phase} n1{phase} x{phase} {p['l1']!r}",
            f"Cf{phase} {cap_node} star_c {p['cf']!r}",
            f"L2{phase} x{phase} n2{phase} {p['l2']!r}",
            f"R2{phase} n2{phase} n3{phase} {p['r2']!r}",
            f"Lg{phase} n3{phase} {grid_node} {p['lg']!r}",
        ]
        if p["rd"] > 0:
            lines.append(f"Rd{phase} x{phase} c{phase} {p['rd']!r}")
        if p["rg"] > 0:
            lines.append(f"Rg{phase} n4{phase} star_g {p['rg']!r}")
    lines += [
        "Rstar_c star_c 0 1e12",
        "Rstar_g star_g 0 1e12",
        ".ac dec 50 10 100k",
        ".control",
        "set wr_singlescale",
        "set wr_vecnames",
        "option numdgt=15",
        "run",
        "wrdata out.txt l2a#branch",
        ".endc",
        ".end",
    ]
    return "\n".join(lines) + "\n"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    version = subprocess.run(["ngspice", "--version"], capture_output=True, text=True).stdout
    version = next((l.strip("* \n") for l in version.splitlines() if "ngspice-" in l), "unknown")
    for name, p in CASES.items():
        text = netlist(name, p)
        (OUT / f"{name}.cir").write_text(text)
        with tempfile.TemporaryDirectory() as tmp:
            (pathlib.Path(tmp) / "case.cir").write_text(text)
            # ngspice-39 exits with status 1 after a batch run with a .control block
            # even when the analysis succeeds, so the output file is the check.
            run = subprocess.run(["ngspice", "-b", "case.cir"], cwd=tmp, capture_output=True, text=True)
            out = pathlib.Path(tmp) / "out.txt"
            if not out.exists():
                raise SystemExit(f"ngspice failed on case {name}:\n{run.stdout}\n{run.stderr}")
            rows = out.read_text().splitlines()[1:]
        with open(OUT / f"{name}.csv", "w") as f:
            f.write("frequency_hz,i2_re,i2_im\n")
            for row in rows:
                freq, re, im = row.split()
                f.write(f"{freq},{re},{im}\n")
    provenance = {
        "script": "scripts/ngspice/grid_tie_lcl.py",
        "ngspice": version,
        "analysis": ".ac dec 50 10 100k, option numdgt=15",
        "cases": CASES,
        "date": datetime.date.today().isoformat(),
        "host": platform.platform(),
    }
    (OUT / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")


if __name__ == "__main__":
    main()
