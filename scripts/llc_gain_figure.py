#!/usr/bin/env python3
"""Draw the LLC gain curve of a `pelab sim run --summary` JSON as an SVG figure.

The simulated points come from the `gain_vs_frequency` table. The first-harmonic
approximation is drawn as a smooth line from the design's parameters, with the same
formula as crates/sim/src/models/llc/fha.rs. Standard library only, so it runs where
matplotlib is missing.

    pelab sim run examples/llc-400v-48v.toml --summary llc.json
    python3 scripts/llc_gain_figure.py llc.json docs/figures/llc-gain.svg
"""

import json
import math
import sys

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 30, 50


def fha_gain(p, f):
    f_r = 1.0 / (2.0 * math.pi * math.sqrt(p["l_r"] * p["c_r"]))
    k = p["l_m"] / p["l_r"]
    r_ac = 8.0 * p["n"] ** 2 * p["r_load"] / math.pi**2
    q = math.sqrt(p["l_r"] / p["c_r"]) / r_ac
    fn = f / f_r
    return 1.0 / math.hypot(1.0 + 1.0 / k - 1.0 / (k * fn * fn), q * (fn - 1.0 / fn))


def main():
    summary_path, svg_path = sys.argv[1], sys.argv[2]
    summary = json.load(open(summary_path, encoding="utf-8"))
    params = summary["design"]["parameters"]["values"]
    table = next(t for t in summary["tables"] if t["name"] == "gain_vs_frequency")
    columns = [c["name"] for c in table["columns"]]
    f_index, m_index = columns.index("f_sw"), columns.index("gain_sim")
    points = [(row[f_index], row[m_index]) for row in table["rows"]]

    f_lo, f_hi = points[0][0], points[-1][0]
    curve = [(f, fha_gain(params, f)) for f in (f_lo + (f_hi - f_lo) * i / 200 for i in range(201))]
    gains = [m for _, m in points] + [m for _, m in curve]
    m_lo, m_hi = 0.1 * math.floor(10 * min(gains)), 0.1 * math.ceil(10 * max(gains))

    def x(f):
        return LEFT + (f - f_lo) / (f_hi - f_lo) * (WIDTH - LEFT - RIGHT)

    def y(m):
        return HEIGHT - BOTTOM - (m - m_lo) / (m_hi - m_lo) * (HEIGHT - TOP - BOTTOM)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="18" text-anchor="middle">{summary["design"]["title"]}: gain at the design load</text>',
    ]
    steps = 8
    for i in range(steps + 1):
        f = f_lo + (f_hi - f_lo) * i / steps
        out.append(f'<line x1="{x(f):.1f}" y1="{TOP}" x2="{x(f):.1f}" y2="{HEIGHT - BOTTOM}" stroke="#ddd"/>')
        out.append(f'<text x="{x(f):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{f / 1e3:.0f}</text>')
    m = m_lo
    while m <= m_hi + 1e-9:
        out.append(f'<line x1="{LEFT}" y1="{y(m):.1f}" x2="{WIDTH - RIGHT}" y2="{y(m):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(m) + 4:.1f}" text-anchor="end">{m:.1f}</text>')
        m += 0.1
    out.append(f'<text x="{WIDTH / 2}" y="{HEIGHT - 12}" text-anchor="middle">switching frequency [kHz]</text>')
    out.append(
        f'<text x="16" y="{HEIGHT / 2}" text-anchor="middle" transform="rotate(-90 16 {HEIGHT / 2})">'
        "gain M = n·V_out/(V_in/2)</text>"
    )
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(f):.1f},{y(g):.1f}" for i, (f, g) in enumerate(curve))
    out.append(f'<path d="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    for f, g in points:
        out.append(f'<circle cx="{x(f):.1f}" cy="{y(g):.1f}" r="4" fill="#d62728"/>')
    out.append(f'<line x1="{WIDTH - 200}" y1="45" x2="{WIDTH - 175}" y2="45" stroke="#1f77b4" stroke-width="2"/>')
    out.append(f'<text x="{WIDTH - 168}" y="49">first-harmonic approximation</text>')
    out.append(f'<circle cx="{WIDTH - 187}" cy="65" r="4" fill="#d62728"/>')
    out.append(f'<text x="{WIDTH - 168}" y="69">pelab, switched simulation</text>')
    out.append("</svg>")
    with open(svg_path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
