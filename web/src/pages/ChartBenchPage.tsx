import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { PageHeader } from '@/components/PageHeader';
import { Card, CardContent } from '@/components/ui/card';
import { WaveformChart } from '@/features/sim/WaveformChart';
import type { WaveformData } from '@/features/sim/waveformData';

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

/**
 * A chart of synthetic data for measuring redraw times while panning and zooming
 * (`?points=N`, default 1 000 000 per signal). The end-to-end suite reads the redraw
 * times that the chart's draw hook records in `window.__pelabChartDraws`.
 */
export default function ChartBenchPage() {
  const [search] = useSearchParams();
  const points = Math.min(5_000_000, Math.max(1000, Number(search.get('points')) || 1_000_000));
  const data = useMemo(() => syntheticWaveform(points), [points]);
  const [visible] = useState(() => new Set(['i_L', 'v_out']));

  return (
    <div>
      <PageHeader
        title="Chart benchmark"
        description={`${points.toLocaleString()} points per signal of synthetic converter data, for measuring pan and zoom frame times.`}
      />
      <Card>
        <CardContent className="pt-4">
          <WaveformChart data={data} version={0} visible={visible} height={420} label="Synthetic waveform" />
        </CardContent>
      </Card>
    </div>
  );
}
