#!/usr/bin/env python3
"""Time pelab and gym-electric-motor on the same averaged PMSM + FOC case.

The case is scripts/bench/pmsm_gem_case.toml: an interior PMSM (R_s = 10 mΩ,
L_d = 0.12 mH, L_q = 0.30 mH, ψ = 0.05 V·s, 4 pole pairs) held at 3000 rpm on a
400 V averaged inverter, 150 N·m requested, control at 10 kHz, 1 s simulated.

pelab runs it with `pelab sim run` as one process. gym-electric-motor (GEM) runs
the `Cont-CC-PMSM-v0` environment (continuous B6 bridge, ideal supply,
ConstantSpeedLoad) with the same machine, stepped 10 000 times at tau = 1e-4 s by
a Python FOC loop that mirrors pelab's: PIs with kp = ω_c·L, ki = ω_c·R_s (forward
Euler), cross-coupling and back-EMF feed-forward, the voltage vector limited to
v_dc/√3 with d-axis priority, the angle advanced by 1.5 samples, min-max SVPWM
duties, and a one-sample computation delay. The current references are the MTPA
currents of 150 N·m (closed form plus bisection, as pelab_control's mtpa_currents).

Timing is wall time, including process start-up for pelab and environment
construction for GEM. The script also prints both programs' mean i_d, i_q and
torque over the last 0.1 s, as a check that they simulated the same operating
point.

Install GEM into a virtual environment and run from the repository root:

    python3 -m venv /tmp/gemvenv && /tmp/gemvenv/bin/pip install gym-electric-motor
    cargo build --release -p pelab
    /tmp/gemvenv/bin/python scripts/bench/pelab_vs_gem.py --pelab target/release/pelab
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DESIGN = REPO / "scripts/bench/pmsm_gem_case.toml"

R_S, L_D, L_Q, PSI, P = 0.01, 0.12e-3, 0.30e-3, 0.05, 4
V_DC, TAU, T_STOP = 400.0, 1e-4, 1.0
OMEGA_M = 3000.0 * math.pi / 30.0
TORQUE = 150.0
OMEGA_C = 2.0 * math.pi * 300.0


def mtpa_currents(torque: float) -> tuple[float, float]:
    """MTPA (i_d, i_q) [A] of `torque` [N·m] by bisection on i_q."""
    dl = L_Q - L_D

    def i_d_of(i_q: float) -> float:
        return -2.0 * dl * i_q**2 / (PSI + math.sqrt(PSI**2 + 4.0 * dl**2 * i_q**2))

    lo, hi = 0.0, torque / (1.5 * P * PSI)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if 1.5 * P * mid * (PSI - dl * i_d_of(mid)) < torque:
            lo = mid
        else:
            hi = mid
    return i_d_of(lo), lo


def run_pelab(pelab: str) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        summary = Path(tmp) / "summary.json"
        start = time.perf_counter()
        subprocess.run([pelab, "sim", "run", str(DESIGN), "--summary", str(summary)],
                       check=True, capture_output=True)
        wall = time.perf_counter() - start
        metrics = {m["name"]: m["value"] for m in json.loads(summary.read_text())["metrics"]}
    return wall, metrics


def run_gem() -> tuple[float, dict]:
    import gym_electric_motor as gem
    from gym_electric_motor.physical_systems.mechanical_loads import ConstantSpeedLoad

    start = time.perf_counter()
    env = gem.make(
        "Cont-CC-PMSM-v0",
        motor=dict(
            motor_parameter=dict(p=P, l_d=L_D, l_q=L_Q, j_rotor=0.1, r_s=R_S, psi_p=PSI),
            limit_values=dict(i=800.0, u=V_DC, omega=1000.0, torque=500.0),
            nominal_values=dict(i=500.0, u=V_DC, omega=1000.0, torque=300.0),
        ),
        supply=dict(u_nominal=V_DC),
        load=ConstantSpeedLoad(omega_fixed=OMEGA_M),
        tau=TAU,
        visualization=(),
    )
    names = env.get_wrapper_attr("physical_system").state_names
    limits = env.get_wrapper_attr("physical_system").limits
    idx = {n: k for k, n in enumerate(names)}
    (state, _), _ = env.reset()

    i_d_ref, i_q_ref = mtpa_currents(TORQUE)
    kp_d, kp_q, ki = OMEGA_C * L_D, OMEGA_C * L_Q, OMEGA_C * R_S
    x_d = x_q = 0.0
    omega_e = P * OMEGA_M
    v_max = V_DC / math.sqrt(3.0)
    pending = np.zeros(3)
    steps = int(round(T_STOP / TAU))
    tail = []
    for k in range(steps):
        s = state * limits
        i_d, i_q, eps = s[idx["i_sd"]], s[idx["i_sq"]], s[idx["epsilon"]]
        e_d, e_q = i_d_ref - i_d, i_q_ref - i_q
        ff_d = -omega_e * L_Q * i_q
        ff_q = omega_e * (L_D * i_d + PSI)
        v_d_raw = ff_d + kp_d * e_d + x_d
        v_d = min(max(v_d_raw, -v_max), v_max)
        v_q_max = math.sqrt(max(v_max**2 - v_d**2, 0.0))
        v_q_raw = ff_q + kp_q * e_q + x_q
        v_q = min(max(v_q_raw, -v_q_max), v_q_max)
        # Conditional integration, as pelab_control's AntiWindup::Clamping.
        if not ((v_d_raw > v_max and e_d > 0) or (v_d_raw < -v_max and e_d < 0)):
            x_d += TAU * ki * e_d
        if not ((v_q_raw > v_q_max and e_q > 0) or (v_q_raw < -v_q_max and e_q < 0)):
            x_q += TAU * ki * e_q
        theta = eps + 1.5 * omega_e * TAU
        v_a = v_d * math.cos(theta) - v_q * math.sin(theta)
        v_b_ = v_d * math.sin(theta) + v_q * math.cos(theta)
        phases = np.array([v_a, -0.5 * v_a + math.sqrt(3) / 2 * v_b_, -0.5 * v_a - math.sqrt(3) / 2 * v_b_])
        v0 = -0.5 * (phases.max() + phases.min())
        duties = np.clip(0.5 + (phases + v0) / V_DC, 0.0, 1.0)
        action, pending = pending, 2.0 * duties - 1.0
        (state, _), _, terminated, truncated, _ = env.step(action)
        if terminated:
            raise RuntimeError(f"GEM terminated at step {k} (a limit was exceeded)")
        if k * TAU >= 0.9:
            s = state * limits
            tail.append((s[idx["i_sd"]], s[idx["i_sq"]], s[idx["torque"]]))
    wall = time.perf_counter() - start
    mean = np.mean(np.array(tail), axis=0)
    return wall, {"i_d": mean[0], "i_q": mean[1], "torque": mean[2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pelab", default=str(REPO / "target/release/pelab"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    pelab_runs = [run_pelab(args.pelab) for _ in range(args.repeat)]
    gem_runs = [run_gem() for _ in range(args.repeat)]
    pelab_wall = min(r[0] for r in pelab_runs)
    gem_wall = min(r[0] for r in gem_runs)
    pm, gm = pelab_runs[0][1], gem_runs[0][1]
    print(f"pelab: {pelab_wall:.3f} s wall (best of {args.repeat}), "
          f"i_d {pm['i_d']:.2f} A, i_q {pm['i_q']:.2f} A, torque {pm['torque']:.2f} N·m")
    print(f"GEM:   {gem_wall:.3f} s wall (best of {args.repeat}), "
          f"i_d {gm['i_d']:.2f} A, i_q {gm['i_q']:.2f} A, torque {gm['torque']:.2f} N·m")
    print(f"GEM / pelab wall time: {gem_wall / pelab_wall:.1f}")


if __name__ == "__main__":
    main()
