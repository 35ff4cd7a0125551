import { useMemo } from 'react';
import { PageHeader } from '@/components/PageHeader';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { CalcForm } from '@/features/labs/CalcForm';
import { specsOf } from '@/features/labs/calcForm';
import { checkFoc, FOC_DEFAULTS, FOC_GROUPS, FOC_INPUTS } from '@/features/labs/inputs';
import { useFocTuningCalc, type FocTuningRequest, type FocTuningResponse } from '@/features/labs/labsApi';
import { ResultList } from '@/features/labs/ResultList';
import { XYChart } from '@/features/labs/XYChart';
import { formatSi } from '@/lib/format';


/** Speeds read as whole rpm, as on a motor datasheet: 4485 rpm, not 4.485 krpm. */
function formatRpm(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${Math.round(value)} rpm`;
}

function Gains({ result, sent }: { result: FocTuningResponse; sent: FocTuningRequest | undefined }) {
  const { gains } = result;
  const rows = [
    { loop: 'd current', kp: formatSi(gains.kp_d, 'V/A', 4), ki: formatSi(gains.ki_d, 'V/(A·s)', 4), bandwidth: sent?.current_bandwidth },
    { loop: 'q current', kp: formatSi(gains.kp_q, 'V/A', 4), ki: formatSi(gains.ki_q, 'V/(A·s)', 4), bandwidth: sent?.current_bandwidth },
    { loop: 'speed', kp: formatSi(gains.kp_speed, 'N·m·s/rad', 4), ki: formatSi(gains.ki_speed, 'N·m/rad', 4), bandwidth: sent?.speed_bandwidth },
  ];
  return (
    <Table>
      <THead>
        <Tr>
          <Th>Loop</Th>
          <Th className="text-right">Bandwidth</Th>
          <Th className="text-right">kp</Th>
          <Th className="text-right">ki</Th>
        </Tr>
      </THead>
      <TBody>
        {rows.map((row) => (
          <Tr key={row.loop}>
            <Td>{row.loop}</Td>
            <Td className="text-right font-mono text-xs tabular-nums">{formatSi(row.bandwidth, 'Hz', 4)}</Td>
            <Td className="text-right font-mono text-xs tabular-nums">{row.kp}</Td>
            <Td className="text-right font-mono text-xs tabular-nums">{row.ki}</Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}

function MotorCharts({ result, sent }: { result: FocTuningResponse; sent: FocTuningRequest | undefined }) {
  const tau = result.current_time_constant;
  const step = sent?.i_q_step ?? 0;
  const base = result.base_speed;
  const baseTorque = result.envelope.reduce((best, point) => (Math.abs(point.speed - base) < Math.abs(best.speed - base) ? point : best), result.envelope[0] ?? { speed: base, torque: 0, power: 0 });
  return (
    <div className="grid grid-cols-1 gap-4 2xl:grid-cols-2">
      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>Current step, i_q to {formatSi(step, 'A', 3)} at standstill</CardTitle>
          <CardDescription>The real current controllers at f_sample with one sample of delay; the markers show the designed τ = 1/ω_c and the measured 63.2 % time.</CardDescription>
        </CardHeader>
        <CardContent>
          <XYChart
            title="Id and Iq step response"
            testId="foc-current-chart"
            x={{ label: 'Time t', unit: 's' }}
            y={{ label: 'Current', unit: 'A' }}
            series={[
              { name: 'i_q', color: '#2563eb', points: result.current_step.map((sample) => ({ x: sample.t, y: sample.i_q })) },
              { name: 'i_d', color: '#dc2626', points: result.current_step.map((sample) => ({ x: sample.t, y: sample.i_d })) },
            ]}
            xMarkers={[
              { x: tau, label: 'τ = 1/ω_c', color: '#059669', labelPosition: 'insideBottomRight' as const },
              ...(result.current_rise_time != null ? [{ x: result.current_rise_time, label: '63.2 %', color: '#d97706', labelPosition: 'insideTopLeft' as const }] : []),
            ]}
            points={result.current_rise_time != null ? [{ x: result.current_rise_time, y: 0.632 * step, color: '#d97706' }] : []}
            height={260}
          />
        </CardContent>
      </Card>
      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>Speed step to {formatRpm(sent?.speed_step)}</CardTitle>
          <CardDescription>Speed PI, MTPA and field weakening, and the current loop in cascade, without load torque.</CardDescription>
        </CardHeader>
        <CardContent>
          <XYChart
            title="Speed step response"
            testId="foc-speed-chart"
            x={{ label: 'Time t', unit: 's' }}
            y={{ label: 'Speed n', unit: 'rpm' }}
            y2={{ label: 'Torque T_e', unit: 'N·m' }}
            series={[
              { name: 'Speed [rpm]', color: '#2563eb', points: result.speed_step.map((sample) => ({ x: sample.t, y: sample.speed })) },
              { name: 'Torque [N·m]', color: '#d97706', points: result.speed_step.map((sample) => ({ x: sample.t, y: sample.torque })), axis: 'right', dashed: true },
            ]}
            height={260}
          />
        </CardContent>
      </Card>
      <Card className="min-w-0 2xl:col-span-2">
        <CardHeader>
          <CardTitle>Torque-speed and power-speed envelope</CardTitle>
          <CardDescription>Largest torque within i_max and v_max = V_dc/√3 (R_s neglected), from standstill to twice the base speed.</CardDescription>
        </CardHeader>
        <CardContent>
          <XYChart
            title="Torque and power against speed"
            testId="foc-envelope-chart"
            x={{ label: 'Speed n', unit: 'rpm' }}
            y={{ label: 'Torque T_max', unit: 'N·m', fromZero: true }}
            y2={{ label: 'Power P', unit: 'W', fromZero: true }}
            series={[
              { name: 'Torque [N·m]', color: '#2563eb', points: result.envelope.map((point) => ({ x: point.speed, y: point.torque })) },
              { name: 'Power [W]', color: '#059669', points: result.envelope.map((point) => ({ x: point.speed, y: point.power })), axis: 'right', dashed: true },
            ]}
            xMarkers={[{ x: base, label: `base speed ${formatRpm(base)}`, color: '#dc2626' }]}
            points={[{ x: baseTorque.speed, y: baseTorque.torque, color: '#dc2626' }]}
            height={300}
          />
        </CardContent>
      </Card>
    </div>
  );
}

/** Motor Control Lab: FOC gains from the machine and loop bandwidths, with step responses and the envelope. */
export default function MotorLabPage() {
  const calc = useFocTuningCalc();
  const fields = useMemo(() => specsOf('foc', FOC_INPUTS), []);
  const result = calc.data;
  const sent = calc.variables as FocTuningRequest | undefined;
  return (
    <div>
      <PageHeader
        title="Motor Control Lab"
        description="Field-oriented control of a PMSM: PI gains from the machine constants and loop bandwidths, checked on the step responses."
      />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-[500px_minmax(0,1fr)]">
        <Card className="self-start">
          <CardHeader>
            <CardTitle>Machine, loops and limits</CardTitle>
            <CardDescription>Starts from examples/ev-traction-400v.toml. Numbers take SI prefixes: 120u is 120e-6.</CardDescription>
          </CardHeader>
          <CardContent>
            <CalcForm
              label="FOC tuning"
              fields={fields}
              initial={FOC_DEFAULTS}
              groups={FOC_GROUPS}
              check={checkFoc}
              gridClassName="sm:grid-cols-2 xl:grid-cols-2"
              submitLabel="Tune and simulate"
              pending={calc.isPending}
              onSubmit={(body) => calc.mutateAsync(body)}
              submitOnMount
            />
          </CardContent>
        </Card>
        <div className="min-w-0 space-y-4">
          <Card>
            <CardHeader>
              <CardTitle>Gains and limits</CardTitle>
            </CardHeader>
            <CardContent className="space-y-4">
              {result ? (
                <>
                  <ResultList
                    rows={[
                      { label: 'Base speed', symbol: 'n_b', value: formatRpm(result.base_speed), key: true, testId: 'foc-base-speed' },
                      { label: 'MTPA torque at i_max', symbol: 'T_max', value: formatSi(result.torque_max, 'N·m', 4), key: true },
                      { label: 'Voltage limit', symbol: 'V_dc/√3', value: formatSi(result.v_max, 'V', 4) },
                      { label: 'Current-loop time constant', symbol: 'τ = 1/ω_c', value: formatSi(result.current_time_constant, 's', 4) },
                      { label: 'Measured 63.2 % time', symbol: 't_63', value: formatSi(result.current_rise_time, 's', 4) },
                      { label: 'Peak power on the envelope', symbol: 'P_max', value: formatSi(Math.max(...result.envelope.map((point) => point.power)), 'W', 4) },
                    ]}
                  />
                  <Gains result={result} sent={sent} />
                </>
              ) : (
                <p className="text-sm text-muted-foreground">Tune to see the gains.</p>
              )}
            </CardContent>
          </Card>
          {result && <MotorCharts result={result} sent={sent} />}
        </div>
      </div>
    </div>
  );
}
