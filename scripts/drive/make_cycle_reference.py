#!/usr/bin/env python3
"""Writes crates/sim/tests/data/drive_cycle_reference.csv: distance and wheel energies
of the four built-in drive cycles for one fixed vehicle, the reference that pelab's
drive_cycle kernel is tested against.

The computation is independent of the Rust code: it reads data/drive-cycles/*.csv with
the csv module, interpolates the speed linearly on a 1 ms grid with numpy.interp, takes
the acceleration of each 1 s sample interval as constant, and integrates with the
trapezoidal rule:

    F = m a k_rot + 0.5 rho c_d A v^2 + m g c_rr cos(theta) + m g sin(theta)
    P = F v,  E_traction = integral of max(P, 0),  E_braking = integral of max(-P, 0)

with F = 0 while the vehicle stands (v = 0 and a = 0). The distance is the trapezoidal
integral of the 1 s samples, exact for linearly interpolated speed. The vehicle is the
one in crates/sim/tests/drive_cycle.rs (VEHICLE there). Run:
python3 scripts/drive/make_cycle_reference.py (needs numpy).
"""
import csv
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
CYCLES = ["udds", "hwfet", "us06", "wltc_3b"]

MASS = 1600.0  # kg
K_ROT = 1.04
C_D = 0.30
FRONTAL_AREA = 2.2  # m^2
C_RR = 0.01
AIR_DENSITY = 1.2  # kg/m^3
GRADE = 0.02  # rise over run, added to the cycle's grade column
G = 9.80665  # m/s^2

FINE_STEP = 1e-3  # s


def read_cycle(name):
    with open(ROOT / f"data/drive-cycles/{name}.csv", newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    t = np.array([float(r["cycSecs"]) for r in rows])
    v = np.array([float(r["cycMps"]) for r in rows])
    grade = np.array([float(r["cycGrade"]) for r in rows])
    return t, v, grade


def wheel_energies(t, v, grade):
    fine_t = np.arange(t[0], t[-1] + FINE_STEP / 2, FINE_STEP)
    fine_v = np.interp(fine_t, t, v)
    fine_grade = np.interp(fine_t, t, grade) + GRADE
    segment = np.clip(np.searchsorted(t, fine_t, side="right") - 1, 0, len(t) - 2)
    accel = (np.diff(v) / np.diff(t))[segment]
    theta = np.arctan(fine_grade)
    force = (
        MASS * accel * K_ROT
        + 0.5 * AIR_DENSITY * C_D * FRONTAL_AREA * fine_v**2
        + MASS * G * C_RR * np.cos(theta)
        + MASS * G * np.sin(theta)
    )
    standing = (fine_v == 0.0) & (accel == 0.0)
    force[standing] = 0.0
    power = force * fine_v
    traction = np.trapezoid(np.maximum(power, 0.0), fine_t)
    braking = np.trapezoid(np.maximum(-power, 0.0), fine_t)
    return traction / 3600.0, braking / 3600.0


def main():
    out = ROOT / "crates/sim/tests/data/drive_cycle_reference.csv"
    with open(out, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["cycle", "distance_m", "wheel_energy_traction_wh", "wheel_energy_braking_wh"])
        for name in CYCLES:
            t, v, grade = read_cycle(name)
            distance = np.trapezoid(v, t)
            traction, braking = wheel_energies(t, v, grade)
            writer.writerow([name, f"{distance:.9f}", f"{traction:.9f}", f"{braking:.9f}"])
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
