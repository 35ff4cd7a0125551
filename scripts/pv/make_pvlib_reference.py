#!/usr/bin/env python3
"""Writes crates/components/tests/data/pvlib_reference.csv: CEC single-diode results
of pvlib for a few real modules and conditions, the reference that pelab's PV model
is tested against.

For each module of data/pv/cec_modules_2019-03-05.csv named below and each
(irradiance, cell temperature) pair, pvlib.pvsystem.calcparams_cec translates the
reference parameters, pvlib.pvsystem.singlediode (Lambert W method) gives Isc, Voc,
Imp, Vmp and Pmp, and pvlib.pvsystem.i_from_v gives the current at 0.2, 0.5 and 0.8
of Voc. Run: python3 scripts/pv/make_pvlib_reference.py (needs pvlib and pandas).
"""
import csv
import pathlib

import pvlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULES = [
    "Canadian Solar Inc. CS6K-275M",
    "SunPower SPR-X21-345",
    "First Solar_ Inc. FS-367",
    "LG Electronics Inc. LG320N1K-A5",
    "Jinko Solar  Co._ Ltd JKM370M-72L",
]
CONDITIONS = [(1000.0, 25.0), (800.0, 45.0), (200.0, 10.0), (1100.0, 65.0), (50.0, 25.0)]
FRACTIONS = [0.2, 0.5, 0.8]


def main():
    with open(ROOT / "data/pv/cec_modules_2019-03-05.csv", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    table = {row[0]: dict(zip(header, row)) for row in rows[3:]}
    out = ROOT / "crates/components/tests/data/pvlib_reference.csv"
    with open(out, "w", newline="") as f:
        f.write(f"# pvlib {pvlib.__version__}, calcparams_cec + singlediode (lambertw) + i_from_v\n")
        writer = csv.writer(f)
        writer.writerow(["name", "irradiance", "temp_cell", "i_sc", "v_oc", "i_mp", "v_mp", "p_mp",
                         "i_at_02", "i_at_05", "i_at_08"])
        for name in MODULES:
            m = table[name]
            for irradiance, temp in CONDITIONS:
                il, io, rs, rsh, nnsvth = pvlib.pvsystem.calcparams_cec(
                    irradiance, temp, float(m["alpha_sc"]), float(m["a_ref"]),
                    float(m["I_L_ref"]), float(m["I_o_ref"]), float(m["R_sh_ref"]),
                    float(m["R_s"]), float(m["Adjust"]))
                res = pvlib.pvsystem.singlediode(il, io, rs, rsh, nnsvth, method="lambertw")
                currents = [float(pvlib.pvsystem.i_from_v(fr * res["v_oc"], il, io, rs, rsh, nnsvth))
                            for fr in FRACTIONS]
                writer.writerow([name, irradiance, temp] + [repr(float(res[k])) for k in
                                 ("i_sc", "v_oc", "i_mp", "v_mp", "p_mp")] + [repr(c) for c in currents])
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
