/** Colours from cold to hot junction temperatures. */
export function tjColor(tj: number, all: number[]): string {
  const cold = Math.min(...all);
  const hot = Math.max(...all);
  const ratio = hot > cold ? (tj - cold) / (hot - cold) : 0.5;
  const palette = ['#2563eb', '#0891b2', '#059669', '#d97706', '#dc2626'];
  return palette[Math.round(ratio * (palette.length - 1))] ?? '#2563eb';
}

/** Splits an axis name such as `V_DS [V]` into its label and unit. */
export function splitAxis(text: string): { label: string; unit: string } {
  const match = /^(.*?)\s*\[(.*)\]\s*$/.exec(text);
  return match ? { label: match[1] ?? text, unit: match[2] ?? '' } : { label: text, unit: '' };
}
