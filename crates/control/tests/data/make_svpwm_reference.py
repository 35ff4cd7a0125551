#!/usr/bin/env python3
"""Write svpwm_reference.csv, the reference table for the space-vector modulator tests.

Provenance: the values come from the polar form of space-vector modulation,
computed here with the Python standard library only and independently of the Rust
code (which uses cross products of the reference with the active vectors):

- The active vector V_k (k = 1..6) has length 2/3·v_dc and lies at (k − 1)·60°.
  Its switching states (a, b, c) are 100, 110, 010, 011, 001, 101.
- A reference at angle θ in [0, 360°) lies in sector k = floor(θ/60°) + 1, at the
  angle γ = θ − (k − 1)·60° inside the sector.
- Volt-second balance T1·V_k + T2·V_(k+1) = v·Ts gives
  T1 = √3·|v|/v_dc·Ts·sin(60° − γ), T2 = √3·|v|/v_dc·Ts·sin γ, T0 = Ts − T1 − T2.
- Outside the hexagon (T1 + T2 > Ts) the vector is scaled back along its direction
  to the hexagon edge: T1 and T2 are multiplied by Ts/(T1 + T2), and T0 = 0.
- The zero time is split equally between 000 and 111 around the active vectors, so
  the duty of a phase is (T0/2 + T1·s_k + T2·s_(k+1))/Ts, with s its switching state.
- The status is "linear" for |v| <= v_dc/√3, "overmodulation" between the circle
  and the hexagon, and "clamped" outside the hexagon.

The angles avoid the sector boundaries, where the sector number is ambiguous.
Run: python3 make_svpwm_reference.py > svpwm_reference.csv
"""

import math

V_DC = 400.0
TS = 100e-6
STATES = [(1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 1, 1), (0, 0, 1), (1, 0, 1)]
# Magnitudes as fractions of the linear limit v_dc/√3. Beyond 1.0 a reference is in
# overmodulation near the hexagon corners and clamped near the edge centres.
MODULATION_INDICES = [0.05, 0.3, 0.55, 0.8, 0.97, 1.05, 1.12]
# Seven angles per magnitude, 51.3° apart and shifted by 13° from one magnitude to
# the next, so that every sector is visited at several positions.
ANGLES_PER_INDEX = 7


def modulate(v_alpha, v_beta):
    magnitude = math.hypot(v_alpha, v_beta)
    theta = math.atan2(v_beta, v_alpha) % (2.0 * math.pi)
    sector = min(int(theta // (math.pi / 3.0)) + 1, 6)
    gamma = theta - (sector - 1) * math.pi / 3.0
    t1 = math.sqrt(3.0) * magnitude / V_DC * TS * math.sin(math.pi / 3.0 - gamma)
    t2 = math.sqrt(3.0) * magnitude / V_DC * TS * math.sin(gamma)
    if t1 + t2 > TS:
        status = "clamped"
        scale = TS / (t1 + t2)
        t1, t2 = t1 * scale, t2 * scale
    elif magnitude > V_DC / math.sqrt(3.0):
        status = "overmodulation"
    else:
        status = "linear"
    t0 = TS - t1 - t2
    first = STATES[sector - 1]
    second = STATES[sector % 6]
    duties = [(t0 / 2.0 + t1 * first[x] + t2 * second[x]) / TS for x in range(3)]
    return sector, t1, t2, t0, duties, status


def main():
    print("v_alpha,v_beta,v_dc,ts,sector,t1,t2,t0,d_a,d_b,d_c,status")
    references = [(0.0, 0.0)]
    for i, index in enumerate(MODULATION_INDICES):
        for j in range(ANGLES_PER_INDEX):
            references.append((index, (7.0 + 51.3 * j + 13.0 * i) % 360.0))
    for index, angle in references:
        distance = min(angle % 60.0, 60.0 - angle % 60.0)
        assert index == 0.0 or distance > 0.5, f"{angle} deg is on a sector boundary"
        magnitude = index * V_DC / math.sqrt(3.0)
        v_alpha = magnitude * math.cos(math.radians(angle))
        v_beta = magnitude * math.sin(math.radians(angle))
        sector, t1, t2, t0, duties, status = modulate(v_alpha, v_beta)
        row = [v_alpha, v_beta, V_DC, TS, sector, t1, t2, t0, *duties, status]
        print(",".join(repr(value) if isinstance(value, float) else str(value)
                       for value in row))


if __name__ == "__main__":
    main()
