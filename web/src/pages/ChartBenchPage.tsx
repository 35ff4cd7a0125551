import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { PageHeader } from '@/components/PageHeader';
import { Card, CardContent } from '@/components/ui/card';
import { WaveformChart } from '@/features/sim/WaveformChart';
import { syntheticWaveform } from '@/features/sim/synthetic';

/**
 * Draws a chart of synthetic data for measuring redraw times while panning and zooming
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
