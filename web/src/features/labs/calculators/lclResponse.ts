/** One point of the filter's frequency response: |i_g/v_i| in A/V at frequency `f`. */
export interface AdmittancePoint {
  f: number;
  undamped: number;
  damped: number;
}

/**
 * Computes |i_g/v_i|, the grid current per inverter voltage of one phase of an LCL filter
 * with a stiff grid, at `points` log-spaced frequencies from `fMin` to `fMax`. `undamped`
 * is 1/|ω·(L1 + L2 − ω²·L1·L2·C_f)|. `damped` puts R_d in series with C_f:
 * i_g/v_i = Z_c/(Z_1·Z_2 + (Z_1 + Z_2)·Z_c) with Z_1 = jωL1, Z_2 = jωL2 and
 * Z_c = R_d + 1/(jωC_f). Winding resistances are neglected.
 */
export function lclAdmittance(l1: number, l2: number, cf: number, rd: number, fMin: number, fMax: number, points = 400): AdmittancePoint[] {
  const result: AdmittancePoint[] = [];
  const ratio = Math.log(fMax / fMin);
  for (let i = 0; i < points; i += 1) {
    const f = fMin * Math.exp((ratio * i) / (points - 1));
    const w = 2 * Math.PI * f;
    const undamped = 1 / Math.abs(w * (l1 + l2 - w * w * l1 * l2 * cf));
    // Z_c = rd − j/(w·cf); numerator Z_c, denominator −w²·L1·L2 + j·w·(L1 + L2)·Z_c.
    const cRe = rd;
    const cIm = -1 / (w * cf);
    const sumL = w * (l1 + l2);
    const denRe = -w * w * l1 * l2 - sumL * cIm;
    const denIm = sumL * cRe;
    const damped = Math.hypot(cRe, cIm) / Math.hypot(denRe, denIm);
    result.push({ f, undamped, damped });
  }
  return result;
}
