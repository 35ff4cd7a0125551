/** Returns the 1-2-5 ticks of a logarithmic axis from `min` to `max` (both above 0). */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > min)) return [];
  const ticks: number[] = [];
  const decades = Math.log10(max / min);
  // Fewer steps per decade on a wide axis keep the labels apart.
  let steps = [1, 2, 3, 5, 7];
  if (decades > 4) steps = [1];
  else if (decades > 2) steps = [1, 3];
  else if (decades > 1.5) steps = [1, 2, 5];
  for (let exponent = Math.floor(Math.log10(min)); exponent <= Math.ceil(Math.log10(max)); exponent += 1) {
    for (const step of steps) {
      const tick = Number((step * 10 ** exponent).toPrecision(6));
      if (tick >= min * (1 - 1e-9) && tick <= max * (1 + 1e-9)) ticks.push(tick);
    }
  }
  return ticks;
}
