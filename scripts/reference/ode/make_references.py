#!/usr/bin/env python3
"""Compute the stiff-problem references for the pelab-ode tests.

For each problem (Van der Pol with mu = 1000, Robertson's chemical kinetics, HIRES) the
script integrates with two independent scipy methods at tight tolerances: Radau (an
implicit Runge-Kutta method written in Python) and, as a cross-check, LSODA (the ODEPACK
Fortran code, switching between Adams and BDF) or, for Robertson, scipy's BDF. It checks that the two agree and writes
crates/ode/tests/reference/<problem>.json with the Radau values, the observed
disagreement per output time and component, and the provenance (versions, methods,
tolerances, date).

The integration restarts at every output time, so each reference value is the end point
of an integration and never a dense-output interpolation.

Run from the repository root: python3 scripts/reference/ode/make_references.py
Needs numpy and scipy; it took about 25 s on one core here.
"""

import datetime
import json
import pathlib
import platform
import sys

import numpy as np
import scipy
from scipy.integrate import solve_ivp

OUTPUT_DIR = pathlib.Path(__file__).resolve().parents[3] / "crates" / "ode" / "tests" / "reference"


def van_der_pol(mu):
    def rhs(t, y):
        return [y[1], mu * ((1.0 - y[0] ** 2) * y[1] - y[0])]

    def jac(t, y):
        return [[0.0, 1.0], [mu * (-2.0 * y[0] * y[1] - 1.0), mu * (1.0 - y[0] ** 2)]]

    return rhs, jac


def robertson():
    def rhs(t, y):
        return [
            -0.04 * y[0] + 1.0e4 * y[1] * y[2],
            0.04 * y[0] - 1.0e4 * y[1] * y[2] - 3.0e7 * y[1] ** 2,
            3.0e7 * y[1] ** 2,
        ]

    def jac(t, y):
        return [
            [-0.04, 1.0e4 * y[2], 1.0e4 * y[1]],
            [0.04, -1.0e4 * y[2] - 6.0e7 * y[1], -1.0e4 * y[1]],
            [0.0, 6.0e7 * y[1], 0.0],
        ]

    return rhs, jac


def hires():
    def rhs(t, y):
        return [
            -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007,
            1.71 * y[0] - 8.75 * y[1],
            -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4],
            8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3],
            -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6],
            -280.0 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6],
            280.0 * y[5] * y[7] - 1.81 * y[6],
            -280.0 * y[5] * y[7] + 1.81 * y[6],
        ]

    def jac(t, y):
        j = np.zeros((8, 8))
        j[0, 0:3] = [-1.71, 0.43, 8.32]
        j[1, 0:2] = [1.71, -8.75]
        j[2, 2:5] = [-10.03, 0.43, 0.035]
        j[3, 1:4] = [8.32, 1.71, -1.12]
        j[4, 4:7] = [-1.745, 0.43, 0.43]
        j[5, 3:8] = [0.69, 1.71, -0.43 - 280.0 * y[7], 0.69, -280.0 * y[5]]
        j[6, 5:8] = [280.0 * y[7], -1.81, 280.0 * y[5]]
        j[7, 5:8] = [-280.0 * y[7], 1.81, -280.0 * y[5]]
        return j

    return rhs, jac


PROBLEMS = [
    {
        "name": "van_der_pol_mu1000",
        "description": "Van der Pol oscillator y1' = y2, y2' = mu ((1 - y1^2) y2 - y1), mu = 1000",
        "system": van_der_pol(1000.0),
        "t0": 0.0,
        "x0": [2.0, 0.0],
        # In this form (y2' carries the factor mu on both terms) the relaxation period is
        # about (3 - 2 ln 2) = 1.61 time units, with fast jumps near t = 0.82, 1.66 and
        # 2.50. The endpoint t = 3 covers almost two periods, and every output time lies
        # in a slow phase, where the state is not sensitive to the exact jump time.
        # check_slow_phase() enforces that.
        "times": [0.4, 1.2, 2.0, 3.0],
        "slow_phase_bound": 5.0,
        "rtol": 1e-12,
        "atol": [1e-12, 1e-12],
    },
    {
        "name": "robertson",
        "description": "Robertson's chemical kinetics with rate constants 0.04, 1e4, 3e7",
        "system": robertson(),
        "t0": 0.0,
        "x0": [1.0, 0.0, 0.0],
        "times": [0.4, 40.0, 4.0e3, 4.0e5, 4.0e7, 4.0e9, 4.0e10, 1.0e11],
        "rtol": 1e-12,
        # y1 falls to about 2e-8 and y2 to about 8e-14 by t = 1e11, so the absolute
        # tolerances sit far below those.
        "atol": [1e-20, 1e-24, 1e-20],
        # LSODA stops with "Unexpected istate" beyond t = 4e9 at these tolerances
        # (scipy 1.17), so the cross-check uses scipy's BDF, also independent of Radau.
        "cross_check": "BDF",
    },
    {
        "name": "hires",
        "description": "HIRES: growth and differentiation of plant tissue, 8 components",
        "system": hires(),
        "t0": 0.0,
        "x0": [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0057],
        "times": [5.0, 50.0, 321.8122],
        "rtol": 1e-12,
        "atol": [1e-16] * 8,
    },
]


def integrate(problem, method):
    rhs, jac = problem["system"]
    t = problem["t0"]
    y = np.array(problem["x0"], dtype=float)
    values = []
    for t_next in problem["times"]:
        kwargs = {"rtol": problem["rtol"], "atol": problem["atol"]}
        if method in ("Radau", "BDF", "LSODA"):
            kwargs["jac"] = jac
        solution = solve_ivp(rhs, (t, t_next), y, method=method, **kwargs)
        if solution.status != 0:
            raise RuntimeError(f"{problem['name']}: {method} failed at t = {t}: {solution.message}")
        y = solution.y[:, -1]
        t = t_next
        values.append(y.tolist())
    return values


def check_slow_phase(problem, states):
    """Fail when a Van der Pol output time falls inside a fast jump (|y2| large)."""
    bound = problem.get("slow_phase_bound")
    if bound is None:
        return
    for t, y in zip(problem["times"], states):
        if abs(y[1]) > bound:
            raise RuntimeError(f"{problem['name']}: t = {t} is inside a fast jump (y2 = {y[1]})")


def relative_difference(a, b, atol):
    a = np.asarray(a)
    b = np.asarray(b)
    return np.abs(a - b) / (np.asarray(atol) + np.abs(b))


def main():
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for problem in PROBLEMS:
        primary = integrate(problem, "Radau")
        cross_check = problem.get("cross_check", "LSODA")
        secondary = integrate(problem, cross_check)
        check_slow_phase(problem, primary)
        disagreement = [
            relative_difference(p, s, problem["atol"]).tolist() for p, s in zip(primary, secondary)
        ]
        worst = max(max(row) for row in disagreement)
        print(f"{problem['name']}: max relative disagreement Radau vs {cross_check} = {worst:.3e}")
        if worst > 1e-7:
            raise RuntimeError(f"{problem['name']}: Radau and {cross_check} disagree by {worst:.3e}")
        record = {
            "problem": problem["name"],
            "description": problem["description"],
            "t0": problem["t0"],
            "x0": problem["x0"],
            "times": problem["times"],
            "states": primary,
            "cross_check_states": secondary,
            "cross_check_relative_difference": disagreement,
            "provenance": {
                "script": "scripts/reference/ode/make_references.py",
                "method": "scipy.integrate.solve_ivp(method='Radau') with the analytic Jacobian, restarted at each output time",
                "cross_check_method": f"scipy.integrate.solve_ivp(method='{cross_check}') with the analytic Jacobian, restarted at each output time",
                "relative_difference_definition": "|radau - cross_check| / (atol + |cross_check|), per time and component",
                "rtol": problem["rtol"],
                "atol": problem["atol"],
                "python": platform.python_version(),
                "numpy": np.__version__,
                "scipy": scipy.__version__,
                "date": datetime.date.today().isoformat(),
            },
        }
        path = OUTPUT_DIR / f"{problem['name']}.json"
        path.write_text(json.dumps(record, indent=2) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
