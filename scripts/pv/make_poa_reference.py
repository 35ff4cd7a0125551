#!/usr/bin/env python3
"""Writes crates/sim/tests/data/pvlib_poa_reference.csv: pvlib's sun position,
plane-of-array irradiance and SAPM cell temperature for the embedded TMY3 year,
the reference that pelab's pv_mppt kernel is tested against.

Rows cover every hour of every 7th day of data/weather/tmy3_723170TYA.csv. Each
hourly value is an average over the hour ending at its timestamp, so pvlib evaluates
the sun at the hour's midpoint (timestamp − 30 min, local standard time UTC−5):
pvlib.solarposition.get_solarposition(method='nrel_numpy') gives the geometric
zenith and the azimuth, pvlib.irradiance.get_extra_radiation (Spencer) the
extraterrestrial irradiance, pvlib.irradiance.get_total_irradiance the POA
irradiance (isotropic and Hay-Davies, albedo 0.2), and pvlib.temperature.sapm_cell
(open_rack_glass_polymer) the cell temperature from the Hay-Davies POA.

Run: python3 scripts/pv/make_poa_reference.py (needs pvlib and pandas).
"""
import csv
import pathlib

import pandas as pd
import pvlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLANES = [(30.0, 180.0), (20.0, 225.0)]
DAY_STEP = 7
ALBEDO = 0.2


def main():
    path = ROOT / "data/weather/tmy3_723170TYA.csv"
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    station = rows[0]
    tz_hours, lat, lon, elevation = (float(x) for x in station[3:7])
    header = rows[1]
    col = {name: header.index(name) for name in
           ["Date (MM/DD/YYYY)", "Time (HH:MM)", "GHI (W/m^2)", "DNI (W/m^2)", "DHI (W/m^2)",
            "Dry-bulb (C)", "Wspd (m/s)"]}
    records = rows[2:]
    selected = [r for k, r in enumerate(records) if (k // 24) % DAY_STEP == 0]
    tz = f"Etc/GMT{-int(tz_hours):+d}"
    times = []
    for r in selected:
        month, day, year = (int(x) for x in r[col["Date (MM/DD/YYYY)"]].split("/"))
        hour = int(r[col["Time (HH:MM)"]].split(":")[0])
        times.append(pd.Timestamp(year=year, month=month, day=day, tz=tz)
                     + pd.Timedelta(hours=hour) - pd.Timedelta(minutes=30))
    index = pd.DatetimeIndex(times)
    sun = pvlib.solarposition.get_solarposition(index, lat, lon, altitude=elevation,
                                                method="nrel_numpy")
    dni_extra = pvlib.irradiance.get_extra_radiation(index, method="spencer")
    ghi = pd.Series([float(r[col["GHI (W/m^2)"]]) for r in selected], index=index)
    dni = pd.Series([float(r[col["DNI (W/m^2)"]]) for r in selected], index=index)
    dhi = pd.Series([float(r[col["DHI (W/m^2)"]]) for r in selected], index=index)
    temp_air = pd.Series([float(r[col["Dry-bulb (C)"]]) for r in selected], index=index)
    wind = pd.Series([float(r[col["Wspd (m/s)"]]) for r in selected], index=index)

    columns = {}
    for tilt, azimuth in PLANES:
        for model in ("isotropic", "haydavies"):
            poa = pvlib.irradiance.get_total_irradiance(
                tilt, azimuth, sun["zenith"], sun["azimuth"], dni, ghi, dhi,
                dni_extra=dni_extra, albedo=ALBEDO, model=model)
            columns[f"poa_{model}_{int(tilt)}_{int(azimuth)}"] = poa["poa_global"]
    params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_polymer"]
    temp_cell = pvlib.temperature.sapm_cell(columns["poa_haydavies_30_180"], temp_air, wind, **params)

    out = ROOT / "crates/sim/tests/data/pvlib_poa_reference.csv"
    with open(out, "w", newline="") as f:
        f.write(f"# pvlib {pvlib.__version__}: solar position nrel_numpy (geometric zenith), "
                f"Spencer extraterrestrial irradiance, get_total_irradiance (albedo {ALBEDO}), "
                f"sapm_cell open_rack_glass_polymer; {path.name} every {DAY_STEP}th day, hour midpoints\n")
        writer = csv.writer(f)
        names = list(columns)
        writer.writerow(["day_of_year", "hour", "zenith", "azimuth", "dni_extra"] + names + ["temp_cell"])
        for k, r in enumerate(selected):
            day_of_year = (k // 24) * DAY_STEP + 1
            hour = int(r[col["Time (HH:MM)"]].split(":")[0])
            values = [sun["zenith"].iloc[k], sun["azimuth"].iloc[k], dni_extra.iloc[k]]
            values += [columns[n].iloc[k] for n in names] + [temp_cell.iloc[k]]
            writer.writerow([day_of_year, hour] + [f"{float(v):.6f}" for v in values])
    print(f"wrote {out} ({len(selected)} rows)")


if __name__ == "__main__":
    main()
