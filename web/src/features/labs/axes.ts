/** Returns the 1-2-5 ticks of a logarithmic axis from `min` to `max` (both above 0). */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > min)) return [];
  const ticks: number[] = [];
  const decades = Math.log10(max / min);
  const steps = decades > 4 ? [1] : decades > 2 ? [1, 3] : decades > 1.5 ? [1, 2, 5] : [1, 2, 3, 5, 7];
  for (let exponent = Math.floor(Math.log10(min)); exponent <= Math.ceil(Math.log10(max)); exponent += 1) {
    for (const step of steps) {
      const tick = Number((step * 10 ** exponent).toPrecision(6));
      if (tick >= min * (1 - 1e-9) && tick <= max * (1 + 1e-9)) ticks.push(tick);
    }
  }
  return ticks;
}
