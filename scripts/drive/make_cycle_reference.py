#!/usr/bin/env python3
"""Writes crates/sim/tests/data/drive_cycle_reference.csv: distance and wheel energies
of the four built-in drive cycles for one fixed vehicle, the reference that pelab's
drive_cycle kernel is tested against.

The computation is independent of the Rust code: it reads data/drive-cycles/*.csv with
the csv module, interpolates the speed linearly on a 1 ms grid within each 1 s sample
interval, takes the acceleration of the interval as constant, and integrates each
interval with the trapezoidal rule:

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
    """Integrates each sample interval on its own grid, so that no trapezoid straddles
    the jump of the acceleration at a sample time."""
    points = int(round(1.0 / FINE_STEP)) + 1
    fraction = np.linspace(0.0, 1.0, points)
    dt = np.diff(t)
    accel = np.diff(v) / dt
    seg_t = t[:-1, None] + dt[:, None] * fraction[None, :]
    seg_v = v[:-1, None] + np.diff(v)[:, None] * fraction[None, :]
    seg_grade = grade[:-1, None] + np.diff(grade)[:, None] * fraction[None, :] + GRADE
    seg_a = np.broadcast_to(accel[:, None], seg_v.shape)
    theta = np.arctan(seg_grade)
    force = (
        MASS * seg_a * K_ROT
        + 0.5 * AIR_DENSITY * C_D * FRONTAL_AREA * seg_v**2
        + MASS * G * C_RR * np.cos(theta)
        + MASS * G * np.sin(theta)
    )
    force = np.where((seg_v == 0.0) & (seg_a == 0.0), 0.0, force)
    power = force * seg_v
    traction = np.trapezoid(np.maximum(power, 0.0), seg_t, axis=1).sum()
    braking = np.trapezoid(np.maximum(-power, 0.0), seg_t, axis=1).sum()
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
