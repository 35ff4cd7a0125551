import { ArrowLeft } from 'lucide-react';
import { Link, useParams } from 'react-router';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageHeader } from '@/components/PageHeader';
import { PageLoading } from '@/components/PageLoading';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { usePart, type CurveSet } from '@/features/labs/labsApi';
import { splitAxis, tjColor } from '@/features/labs/partCurves';
import { ResultList } from '@/features/labs/ResultList';
import { XYChart } from '@/features/labs/XYChart';
import { formatSi } from '@/lib/format';

/** Titles of the curve families `GET /parts/{name}` returns. */
const FAMILY_TITLES: Record<string, string> = {
  channel: 'On-state (channel)',
  diode_forward: 'Diode forward',
  e_on: 'Turn-on energy E_on',
  e_off: 'Turn-off energy E_off',
  e_rr: 'Reverse-recovery energy E_rr',
  coss: 'Output capacitance C_oss',
};

function CurveCard({ set }: { set: CurveSet }) {
  const temperatures = set.curves.map((curve) => curve.tj_c);
  const x = splitAxis(set.x);
  const y = splitAxis(set.y);
  const conditions = [
    set.v_ref_v != null ? `V = ${formatSi(set.v_ref_v, 'V', 4)}` : null,
    set.r_g_ref_ohm != null ? `R_G = ${formatSi(set.r_g_ref_ohm, 'Ω', 3)}` : null,
  ].filter(Boolean);
  // The capacitance spans decades, so it is drawn on a log axis like the datasheets do.
  const yLog = set.name === 'coss';
  return (
    <Card className="min-w-0">
      <CardHeader>
        <CardTitle>{FAMILY_TITLES[set.name] ?? set.name}</CardTitle>
        <CardDescription>
          {set.y} against {set.x}, one curve per junction temperature
          {conditions.length > 0 ? `; measured at ${conditions.join(', ')}` : ''}.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <XYChart
          title={`${set.name} curves`}
          testId={`part-curve-${set.name}`}
          x={{ label: x.label, unit: x.unit }}
          y={{ label: y.label, unit: y.unit, log: yLog }}
          series={set.curves.map((curve) => ({
            name: `Tj = ${curve.tj_c} °C`,
            color: tjColor(curve.tj_c, temperatures),
            points: curve.points
              .filter((point) => point.length >= 2 && (!yLog || (point[1] ?? 0) > 0))
              .map((point) => ({ x: point[0] ?? 0, y: point[1] ?? 0 })),
          }))}
          height={260}
        />
      </CardContent>
    </Card>
  );
}

/** Curve inspector of one built-in part: ratings, datasheet curves per Tj and import findings. */
export default function PartPage() {
  const { name = '' } = useParams();
  const part = usePart(name);
  const summary = part.data?.summary;
  return (
    <div className="space-y-6">
      <PageHeader
        title={<span className="font-mono">{name}</span>}
        description="Datasheet curves of a built-in part, as the loss models read them."
        actions={
          <Button variant="outline" size="sm" asChild>
            <Link to="/admin/components">
              <ArrowLeft aria-hidden="true" /> Components
            </Link>
          </Button>
        }
      />
      {part.isPending && <PageLoading />}
      {part.isError && <ErrorBanner error={part.error} onRetry={() => void part.refetch()} />}
      {summary && part.data && (
        <>
          <Card>
            <CardHeader>
              <CardTitle className="flex items-center gap-2">
                Ratings <Badge variant="secondary">{summary.kind}</Badge>
              </CardTitle>
            </CardHeader>
            <CardContent>
              <ResultList
                className="lg:grid-cols-3"
                rows={[
                  { label: 'Manufacturer', value: summary.manufacturer ?? '–' },
                  { label: 'Housing', value: summary.housing ?? '–' },
                  { label: 'Blocking voltage', symbol: 'V_max', value: formatSi(summary.v_abs_max_v, 'V', 4), key: true },
                  { label: 'Continuous current', symbol: 'I_cont', value: formatSi(summary.i_cont_a, 'A', 4) },
                  { label: 'Maximum junction temperature', symbol: 'Tj_max', value: summary.t_j_max_c != null ? `${summary.t_j_max_c} °C` : '–' },
                  { label: 'Curve families', value: String(part.data.curves.length) },
                ]}
              />
            </CardContent>
          </Card>
          {part.data.curves.length === 0 ? (
            <p className="text-sm text-muted-foreground">The data of this part carry no curves.</p>
          ) : (
            <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
              {part.data.curves.map((set) => (
                <CurveCard key={set.name} set={set} />
              ))}
            </div>
          )}
          <Card>
            <CardHeader>
              <CardTitle>Import findings</CardTitle>
              <CardDescription>Gaps and repairs found when the datasheet data were imported.</CardDescription>
            </CardHeader>
            <CardContent>
              {part.data.findings.length === 0 ? (
                <p className="text-sm text-muted-foreground">None.</p>
              ) : (
                <ul className="list-disc space-y-1 pl-5 text-sm" aria-label="Import findings">
                  {part.data.findings.map((finding) => (
                    <li key={finding} className="font-mono text-xs">
                      {finding}
                    </li>
                  ))}
                </ul>
              )}
            </CardContent>
          </Card>
        </>
      )}
    </div>
  );
}
