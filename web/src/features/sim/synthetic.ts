import type { WaveformData } from './waveformData';

/**
 * Synthetic inductor current of a 50 kHz converter over 0.2 s: a 50 Hz envelope with a
 * triangular switching ripple, one value per sample (min and max are the same array).
 */
export function syntheticWaveform(points: number): WaveformData {
  const t: number[] = new Array<number>(points);
  const current: number[] = new Array<number>(points);
  const voltage: number[] = new Array<number>(points);
  const duration = 0.2;
  const fSwitch = 50e3;
  for (let i = 0; i < points; i += 1) {
    const time = (i / points) * duration;
    const phase = (time * fSwitch) % 1;
    const triangle = phase < 0.5 ? 4 * phase - 1 : 3 - 4 * phase;
    t[i] = time;
    current[i] = 40 * Math.sin(2 * Math.PI * 50 * time) + 6 * triangle;
    voltage[i] = 400 + 2 * Math.sin(2 * Math.PI * 100 * time) + 0.5 * triangle;
  }
  return {
    t,
    signals: [
      { name: 'i_L', unit: 'A', min: current, max: current },
      { name: 'v_out', unit: 'V', min: voltage, max: voltage },
    ],
  };
}
