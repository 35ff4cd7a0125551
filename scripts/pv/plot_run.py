#!/usr/bin/env python3
"""Plots signals of a pelab waveform CSV (`pelab sim run ... --out run.csv`) as an
SVG with one panel per group of signals, using only the standard library.

Usage: plot_run.py RUN.CSV OUT.SVG --from T0 --to T1 --panel g_poa --panel v_pv,v_ref
       --panel p_pv,p_mp [--title TEXT]
"""
import argparse
import csv
import html

WIDTH, PANEL_HEIGHT, LEFT, RIGHT, TOP, GAP = 760, 150, 70, 20, 30, 40
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
MAX_POINTS = 600


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("svg")
    parser.add_argument("--from", dest="t0", type=float, default=float("-inf"))
    parser.add_argument("--to", dest="t1", type=float, default=float("inf"))
    parser.add_argument("--panel", action="append", required=True)
    parser.add_argument("--title", default="")
    args = parser.parse_args()

    with open(args.csv, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [[float(x) for x in r] for r in reader]
    names = [h.split("[")[0] for h in header]
    rows = [r for r in rows if args.t0 <= r[0] <= args.t1]
    stride = max(1, len(rows) // MAX_POINTS)
    rows = rows[::stride]
    t = [r[0] for r in rows]
    t_min, t_max = t[0], t[-1]

    height = TOP + len(args.panel) * (PANEL_HEIGHT + GAP) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
           f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="13">{html.escape(args.title)}</text>']
    for p, panel in enumerate(args.panel):
        signals = panel.split(",")
        top = TOP + p * (PANEL_HEIGHT + GAP)
        columns = [[r[names.index(s)] for r in rows] for s in signals]
        low = min(min(c) for c in columns)
        high = max(max(c) for c in columns)
        if high == low:
            high = low + 1.0
        pad = 0.05 * (high - low)
        low, high = low - pad, high + pad

        def x(v):
            return LEFT + (v - t_min) / (t_max - t_min) * (WIDTH - LEFT - RIGHT)

        def y(v):
            return top + (high - v) / (high - low) * PANEL_HEIGHT

        out.append(f'<rect x="{LEFT}" y="{top}" width="{WIDTH - LEFT - RIGHT}" '
                   f'height="{PANEL_HEIGHT}" fill="none" stroke="#888"/>')
        for frac in (0.0, 0.5, 1.0):
            value = low + frac * (high - low)
            out.append(f'<text x="{LEFT - 5}" y="{y(value) + 4:.1f}" text-anchor="end">{value:.4g}</text>')
        for k, (name, column) in enumerate(zip(signals, columns)):
            unit = header[names.index(name)].split("[")[1].rstrip("]")
            points = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(t, column))
            colour = COLOURS[k % len(COLOURS)]
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.2" points="{points}"/>')
            out.append(f'<text x="{LEFT + 8 + 110 * k}" y="{top + 14}" fill="{colour}">{name} [{unit}]</text>')
    bottom = TOP + len(args.panel) * (PANEL_HEIGHT + GAP) - GAP
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        value = t_min + frac * (t_max - t_min)
        px = LEFT + frac * (WIDTH - LEFT - RIGHT)
        out.append(f'<text x="{px:.1f}" y="{bottom + 15}" text-anchor="middle">{value:.6g}</text>')
    out.append(f'<text x="{WIDTH / 2}" y="{bottom + 30}" text-anchor="middle">time [s]</text>')
    out.append("</svg>")
    with open(args.svg, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
