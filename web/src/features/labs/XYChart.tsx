import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceArea,
  ReferenceDot,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatSi } from '@/lib/format';
import { logTicks } from './axes';

export interface XYPoint {
  x: number;
  y: number;
}

export interface XYSeries {
  name: string;
  color: string;
  points: XYPoint[];
  /** `right` draws against the second y axis. */
  axis?: 'left' | 'right';
  dashed?: boolean;
}

/** A vertical line at `x`, e.g. a resonance or the base speed. */
export interface XMarker {
  x: number;
  label: string;
  color?: string;
  /** Label position, set apart for two close markers so their labels do not overlap. */
  labelPosition?: 'insideTopRight' | 'insideTopLeft' | 'insideBottomRight' | 'insideBottomLeft';
}

/** A labelled point, e.g. a maximum power point or a gain peak. */
export interface PointMarker {
  x: number;
  y: number;
  label?: string;
  color: string;
  axis?: 'left' | 'right';
}

/** A shaded x range, e.g. the allowed resonance window. */
export interface XBand {
  from: number;
  to: number;
  label: string;
  color: string;
}

export interface AxisSpec {
  label: string;
  unit: string;
  log?: boolean;
  /** Starts a linear axis at 0 (currents, powers and torques that are never negative). */
  fromZero?: boolean;
  /** Fixed range of the axis, e.g. 0 to 1 for a duty cycle. */
  domain?: [number, number];
}

interface XYChartProps {
  /** Accessible name of the chart. */
  title: string;
  x: AxisSpec;
  y: AxisSpec;
  y2?: AxisSpec;
  series: XYSeries[];
  xMarkers?: XMarker[];
  points?: PointMarker[];
  bands?: XBand[];
  /** Fixed range of the left y axis; by default it spans the data. */
  yDomain?: [number, number];
  height?: number;
  testId?: string;
  /** Shown in place of the chart while no series has points. */
  emptyText?: string;
}

const axisStyle = { fontSize: 11, fill: 'var(--chart-axis)' };
const labelStyle = { fontSize: 12, fill: 'var(--chart-axis)' };
const tooltipStyle = {
  contentStyle: { background: 'var(--card)', border: '1px solid var(--border)', borderRadius: 6, fontSize: 12, color: 'var(--foreground)' },
  labelStyle: { color: 'var(--foreground)', fontWeight: 600 },
};

function extentOf(series: XYSeries[], pick: (point: XYPoint) => number, positiveOnly: boolean): [number, number] | null {
  let min = Infinity;
  let max = -Infinity;
  for (const line of series) {
    for (const point of line.points) {
      const value = pick(point);
      if (!Number.isFinite(value) || (positiveOnly && value <= 0)) continue;
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  return min <= max ? [min, max] : null;
}

function axisLabel(axis: AxisSpec): string {
  return axis.unit ? `${axis.label} [${axis.unit}]` : axis.label;
}

/**
 * Returns the tick text of an axis: the value with an SI prefix but without the unit,
 * which the axis label carries (3.2k, 800µ). Units that take no prefix (°C, %, ratios)
 * get plain numbers.
 */
function tickTextFor(unit: string): (value: number) => string {
  if (unit === '' || unit === '°C' || unit === '%' || unit === 'rpm') {
    return (value) => String(Number(value.toPrecision(4)));
  }
  return (value) => formatSi(value, 'x', 3).replace(/ ?x$/, '').replace(' ', '');
}

/** Formats a hovered value with its unit; speeds stay in rpm, as motor datasheets give them. */
function valueText(value: number, unit: string): string {
  return unit === 'rpm' ? `${Number(value.toPrecision(5))} rpm` : formatSi(value, unit, 4);
}

/** Widens a positive range to whole decades, so a log axis starts and ends on a labelled tick. */
function decadesAround([min, max]: [number, number]): [number, number] {
  return [10 ** Math.floor(Math.log10(min) + 1e-9), 10 ** Math.ceil(Math.log10(max) - 1e-9)];
}

function linearDomain(axis: AxisSpec): [number, number] | [number | 'auto', 'auto'] {
  return axis.domain ?? [axis.fromZero ? 0 : 'auto', 'auto'];
}

/**
 * Draws lines of x-y points (each series with its own x values) with optional log axes,
 * a second y axis, vertical markers, labelled points and shaded x ranges. Recharts is
 * loaded only with the pages that use this chart.
 */
export function XYChart({ title, x, y, y2, series, xMarkers = [], points = [], bands = [], yDomain, height = 300, testId, emptyText = 'No results yet: calculate to draw the curves.' }: XYChartProps) {
  const total = series.reduce((sum, line) => sum + line.points.length, 0);
  const xExtent = extentOf(series, (point) => point.x, x.log === true);
  const xDomain = x.log && xExtent ? xExtent : linearDomain(x);
  const xTicks = x.log && xExtent ? logTicks(xExtent[0], xExtent[1]) : undefined;
  const leftSeries = series.filter((line) => line.axis !== 'right');
  const yData = y.log ? extentOf(leftSeries, (point) => point.y, true) : null;
  const yExtent = yDomain ?? (yData ? decadesAround(yData) : null);
  const yTicks = y.log && yExtent ? logTicks(yExtent[0], yExtent[1]) : undefined;

  if (total === 0) {
    return (
      <div
        data-testid={testId}
        data-points={0}
        style={{ height }}
        className="flex w-full items-center justify-center rounded-md border border-dashed text-sm text-muted-foreground"
      >
        {emptyText}
      </div>
    );
  }

  return (
    <div
      role="img"
      aria-label={`${title}: ${series.length} curves, ${total} points`}
      data-testid={testId}
      data-points={total}
      style={{ height }}
      className="w-full"
    >
      {/* The initial size draws the chart before the first resize measurement arrives. */}
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 640, height }}>
        <LineChart margin={{ top: 16, right: y2 ? 8 : 24, bottom: 20, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--chart-grid)" />
          <XAxis
            type="number"
            dataKey="x"
            scale={x.log ? 'log' : 'linear'}
            domain={xDomain}
            ticks={xTicks}
            allowDataOverflow={x.log === true || x.fromZero === true || x.domain !== undefined}
            tick={axisStyle}
            tickFormatter={tickTextFor(x.unit)}
            label={{ value: axisLabel(x), position: 'insideBottom', offset: -12, style: labelStyle }}
          />
          <YAxis
            yAxisId="left"
            type="number"
            dataKey="y"
            scale={y.log ? 'log' : 'linear'}
            domain={yExtent ?? linearDomain(y)}
            ticks={yTicks}
            allowDataOverflow={yExtent !== null || y.fromZero === true || y.domain !== undefined}
            tick={axisStyle}
            width={56}
            tickFormatter={tickTextFor(y.unit)}
            label={{ value: axisLabel(y), angle: -90, position: 'insideLeft', offset: 0, style: { ...labelStyle, textAnchor: 'middle' } }}
          />
          {y2 && (
            <YAxis
              yAxisId="right"
              orientation="right"
              type="number"
              dataKey="y"
              domain={linearDomain(y2)}
              allowDataOverflow={y2.fromZero === true || y2.domain !== undefined}
              tick={axisStyle}
              width={56}
              tickFormatter={tickTextFor(y2.unit)}
              label={{ value: axisLabel(y2), angle: 90, position: 'insideRight', offset: 0, style: { ...labelStyle, textAnchor: 'middle' } }}
            />
          )}
          <Tooltip
            {...tooltipStyle}
            labelFormatter={(value) => (typeof value === 'number' ? `${x.label} ${valueText(value, x.unit)}` : String(value))}
            formatter={(value, name, item) => {
              const unit = series.find((line) => line.name === name)?.axis === 'right' ? (y2?.unit ?? '') : y.unit;
              return [typeof value === 'number' ? valueText(value, unit) : String(value), item?.name ?? String(name)];
            }}
            itemSorter={(item) => series.findIndex((line) => line.name === item.name)}
          />
          <Legend verticalAlign="top" height={28} wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
          {bands.map((band) => (
            <ReferenceArea
              key={band.label}
              yAxisId="left"
              x1={band.from}
              x2={band.to}
              fill={band.color}
              fillOpacity={0.12}
              stroke="none"
              ifOverflow="hidden"
              label={{ value: band.label, position: 'insideBottomLeft', style: { fontSize: 11, fill: 'var(--chart-axis)' } }}
            />
          ))}
          {series.map((line) => (
            <Line
              key={line.name}
              yAxisId={line.axis === 'right' ? 'right' : 'left'}
              data={line.points}
              dataKey="y"
              name={line.name}
              type="linear"
              stroke={line.color}
              strokeWidth={1.75}
              strokeDasharray={line.dashed ? '6 3' : undefined}
              dot={false}
              isAnimationActive={false}
            />
          ))}
          {xMarkers.map((marker) => (
            <ReferenceLine
              key={marker.label}
              yAxisId="left"
              x={marker.x}
              stroke={marker.color ?? 'var(--chart-axis)'}
              strokeDasharray="4 3"
              ifOverflow="hidden"
              label={{ value: marker.label, position: marker.labelPosition ?? 'insideTopRight', style: { fontSize: 11, fill: marker.color ?? 'var(--chart-axis)' } }}
            />
          ))}
          {points.map((point) => (
            <ReferenceDot
              key={`${point.label ?? ''}-${point.x}-${point.y}`}
              yAxisId={point.axis === 'right' ? 'right' : 'left'}
              x={point.x}
              y={point.y}
              r={4}
              fill={point.color}
              stroke="var(--card)"
              strokeWidth={1.5}
              ifOverflow="hidden"
              label={point.label ? { value: point.label, position: 'top', style: { fontSize: 11, fill: 'var(--foreground)' } } : undefined}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
