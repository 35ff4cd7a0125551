import { Maximize2, ZoomIn, ZoomOut } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import { Button } from '@/components/ui/button';
import { formatSi, formatTicks } from '@/lib/format';
import { colorOf, type WaveformData } from './waveformData';

/** Set by the benchmark to an array; each redraw appends its duration in ms. */
type WindowWithDraws = Window & { __pelabChartDraws?: number[] };


interface ChartProps {
  data: WaveformData;
  /** Raised by the caller whenever `data` grew in place, to redraw without rebuilding. */
  version: number;
  /** Names of the signals to draw; the others stay hidden. */
  visible: ReadonlySet<string>;
  height?: number;
  /** Accessible name of the chart. */
  label: string;
  /**
   * Receives the visible time window 300 ms after the user zooms or pans, or null once the
   * whole run is shown again. The caller can load finer data for that window.
   */
  onRangeChange?: (range: [number, number] | null) => void;
}

interface Readout {
  time: number;
  values: { name: string; unit: string; min: number; max: number; color: string }[];
}

function cssVar(name: string, fallback: string): string {
  if (typeof window === 'undefined') return fallback;
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** Returns whether a signal carries one value per bucket (the same array as min and max). */
function isSingle(signal: { min: number[]; max: number[] }): boolean {
  return signal.min === signal.max;
}

function buildSeriesData(data: WaveformData): uPlot.AlignedData {
  const columns: (number | null)[][] | number[][] = [data.t];
  for (const signal of data.signals) {
    columns.push(signal.max);
    if (!isSingle(signal)) {
      columns.push(signal.min);
    }
  }
  return columns as uPlot.AlignedData;
}

/** Returns the x range after zooming by `factor` (below 1 zooms in) around the point `centre`. */
function zoomRange(min: number, max: number, centre: number, factor: number): [number, number] {
  return [centre - (centre - min) * factor, centre + (max - centre) * factor];
}

/**
 * Draws min/max envelopes with uPlot. Drag to zoom a time window, Shift+drag or the arrow
 * keys to pan, the wheel or +/- to zoom, and double-click or 0 to show everything.
 */
export function WaveformChart({ data, version, visible, height = 360, label, onRangeChange }: ChartProps) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const zoomedRef = useRef(false);
  const frameRef = useRef<number | null>(null);
  const [readout, setReadout] = useState<Readout | null>(null);
  const [points, setPoints] = useState(0);
  const [xRange, setXRange] = useState<[number, number] | null>(null);
  const visibleRef = useRef(visible);
  const rangeCallbackRef = useRef(onRangeChange);
  const rangeTimerRef = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    visibleRef.current = visible;
    rangeCallbackRef.current = onRangeChange;
  }, [visible, onRangeChange]);

  // The chart is rebuilt only when the set of signals changes, not when data grows.
  const signature = data.signals.map((signal) => `${signal.name}[${signal.unit}]${isSingle(signal) ? 1 : 2}`).join('|');
  const units = useMemo(() => [...new Set(data.signals.map((signal) => signal.unit || '1'))], [signature]); // eslint-disable-line react-hooks/exhaustive-deps
  // The two y axes belong to the units of the shown signals first, so a shown signal
  // whose unit comes third in the recording still gets an axis.
  const axisKey = [
    ...new Set([
      ...data.signals.filter((signal) => visible.has(signal.name)).map((signal) => signal.unit || '1'),
      ...units,
    ]),
  ]
    .slice(0, 2)
    .join('|');

  useEffect(() => {
    const wrap = wrapRef.current;
    if (!wrap) return;
    const axisColor = cssVar('--chart-axis', '#475569');
    const gridColor = cssVar('--chart-grid', 'rgba(100,116,139,0.25)');

    const series: uPlot.Series[] = [{ label: 't', value: (_u, value) => formatSi(value, 's') }];
    // The column layout of this chart's data: one column per single signal, two (max,
    // min) per envelope, in signal order, as buildSeriesData writes them.
    const layout = data.signals.map((signal) => ({ name: signal.name, unit: signal.unit, single: isSingle(signal) }));
    const bands: uPlot.Band[] = [];
    data.signals.forEach((signal, index) => {
      const color = colorOf(index);
      const scale = signal.unit || '1';
      const show = visible.has(signal.name);
      series.push({ label: `${signal.name} max`, scale, stroke: color, width: 1.25, show, points: { show: false } });
      if (!isSingle(signal)) {
        series.push({ label: `${signal.name} min`, scale, stroke: color, width: 1, show, points: { show: false } });
        bands.push({ series: [series.length - 2, series.length - 1], fill: `${color}33` });
      }
    });

    const axes: uPlot.Axis[] = [
      {
        stroke: axisColor,
        grid: { stroke: gridColor, width: 1 },
        ticks: { stroke: gridColor, width: 1 },
        values: (_u, splits) => formatTicks(splits, 's'),
        size: 36,
      },
    ];
    axisKey.split('|').filter(Boolean).forEach((unit, index) => {
      axes.push({
        scale: unit,
        side: index === 0 ? 3 : 1,
        stroke: axisColor,
        grid: { show: index === 0, stroke: gridColor, width: 1 },
        ticks: { stroke: gridColor, width: 1 },
        values: (_u, splits) => formatTicks(splits, unit === '1' ? '' : unit),
        // Wide enough for the longest tick label, so zoomed labels such as "400.10 V"
        // are not cut at the chart's edge (about 7.5 px per character at 12 px).
        size: (_u, values) => Math.max(56, Math.ceil(Math.max(0, ...(values ?? []).map((v) => String(v).length)) * 7.5) + 20),
      });
    });

    const scales: uPlot.Scales = { x: { time: false } };
    for (const unit of units) {
      scales[unit] = { auto: true };
    }

    let panStart: { x: number; min: number; max: number } | null = null;
    let drawStart = 0;

    const options: uPlot.Options = {
      width: Math.max(320, wrap.clientWidth),
      height,
      series,
      bands,
      axes,
      scales,
      legend: { show: false },
      cursor: {
        drag: { x: true, y: false, setScale: true },
        points: { show: false },
      },
      hooks: {
        drawClear: [() => (drawStart = performance.now())],
        draw: [
          () => {
            const record = (window as WindowWithDraws).__pelabChartDraws;
            if (record) record.push(performance.now() - drawStart);
          },
        ],
        setCursor: [
          (u) => {
            const index = u.cursor.idx;
            if (index === null || index === undefined) {
              setReadout(null);
              return;
            }
            // Reads the plotted columns, not `data`: this hook was made with the first
            // data, and later data (live chunks, a finer window) reach uPlot via setData.
            const time = (u.data[0] as number[])[index] ?? Number.NaN;
            const values: Readout['values'] = [];
            let column = 1;
            layout.forEach((signal, signalIndex) => {
              const max = (u.data[column] as (number | null)[] | undefined)?.[index] ?? Number.NaN;
              const min = signal.single ? max : ((u.data[column + 1] as (number | null)[] | undefined)?.[index] ?? Number.NaN);
              column += signal.single ? 1 : 2;
              if (visibleRef.current.has(signal.name)) {
                values.push({ name: signal.name, unit: signal.unit, min, max, color: colorOf(signalIndex) });
              }
            });
            setReadout({ time, values });
          },
        ],
        setSelect: [() => (zoomedRef.current = true)],
        setScale: [
          (u, key) => {
            const min = u.scales.x?.min;
            const max = u.scales.x?.max;
            if (key === 'x' && min !== undefined && max !== undefined) setXRange([min, max]);
            if (key === 'x' && rangeCallbackRef.current) {
              // Reads the zoom state when the timer fires, because a double-click resets
              // the scale before the listener below clears the zoomed flag.
              if (rangeTimerRef.current !== null) clearTimeout(rangeTimerRef.current);
              rangeTimerRef.current = setTimeout(() => {
                rangeTimerRef.current = null;
                const from = u.scales.x?.min;
                const to = u.scales.x?.max;
                const zoomed = zoomedRef.current && from !== undefined && to !== undefined;
                rangeCallbackRef.current?.(zoomed ? [from, to] : null);
              }, 300);
            }
          },
        ],
        ready: [
          (u) => {
            const over = u.over;
            over.addEventListener('wheel', (event) => {
              event.preventDefault();
              const xMin = u.scales.x?.min;
              const xMax = u.scales.x?.max;
              if (xMin === undefined || xMax === undefined) return;
              const rect = over.getBoundingClientRect();
              const centre = u.posToVal(event.clientX - rect.left, 'x');
              const [min, max] = zoomRange(xMin, xMax, centre, event.deltaY < 0 ? 0.8 : 1.25);
              zoomedRef.current = true;
              u.setScale('x', { min, max });
            });
            // Listens on the wrapper in the capture phase, so a Shift+drag pans and never
            // reaches uPlot's own listener on the plot area, which would start a zoom selection.
            wrap.addEventListener(
              'mousedown',
              (event) => {
                if (!event.shiftKey || !over.contains(event.target as Node)) return;
                event.stopPropagation();
                event.preventDefault();
                const xMin = u.scales.x?.min;
                const xMax = u.scales.x?.max;
                if (xMin === undefined || xMax === undefined) return;
                panStart = { x: event.clientX, min: xMin, max: xMax };
                const move = (moveEvent: MouseEvent) => {
                  if (!panStart) return;
                  const perPixel = (panStart.max - panStart.min) / u.bbox.width * devicePixelRatio;
                  const shift = (moveEvent.clientX - panStart.x) * perPixel;
                  zoomedRef.current = true;
                  u.setScale('x', { min: panStart.min - shift, max: panStart.max - shift });
                };
                const up = () => {
                  panStart = null;
                  window.removeEventListener('mousemove', move);
                  window.removeEventListener('mouseup', up);
                };
                window.addEventListener('mousemove', move);
                window.addEventListener('mouseup', up);
              },
              true,
            );
            over.addEventListener('dblclick', () => {
              zoomedRef.current = false;
            });
          },
        ],
      },
    };

    const plot = new uPlot(options, buildSeriesData(data), wrap);
    plotRef.current = plot;
    setPoints(data.t.length);

    const observer = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(320, wrap.clientWidth), height });
    });
    observer.observe(wrap);
    return () => {
      observer.disconnect();
      plot.destroy();
      plotRef.current = null;
    };
    // Rebuilt on a new signal set, height or axis units; data growth and visibility
    // are applied below.
  }, [signature, height, axisKey]); // eslint-disable-line react-hooks/exhaustive-deps

  // Redraws at most once per animation frame however fast chunks arrive: a pending
  // frame makes later updates return early, and the frame reads the latest data.
  useEffect(() => {
    if (frameRef.current !== null) return;
    frameRef.current = requestAnimationFrame(() => {
      frameRef.current = null;
      const plot = plotRef.current;
      if (!plot) return;
      plot.setData(buildSeriesData(data), !zoomedRef.current);
      setPoints(data.t.length);
    });
  }, [version, data]);

  useEffect(() => () => {
    if (frameRef.current !== null) cancelAnimationFrame(frameRef.current);
    if (rangeTimerRef.current !== null) clearTimeout(rangeTimerRef.current);
  }, []);

  useEffect(() => {
    const plot = plotRef.current;
    if (!plot) return;
    let column = 1;
    data.signals.forEach((signal) => {
      const show = visible.has(signal.name);
      plot.setSeries(column, { show });
      if (!isSingle(signal)) plot.setSeries(column + 1, { show });
      column += isSingle(signal) ? 1 : 2;
    });
  }, [visible, signature]); // eslint-disable-line react-hooks/exhaustive-deps

  const zoomBy = (factor: number) => {
    const plot = plotRef.current;
    const min = plot?.scales.x?.min;
    const max = plot?.scales.x?.max;
    if (!plot || min === undefined || max === undefined) return;
    zoomedRef.current = true;
    const [from, to] = zoomRange(min, max, (min + max) / 2, factor);
    plot.setScale('x', { min: from, max: to });
  };

  const panBy = (fraction: number) => {
    const plot = plotRef.current;
    const min = plot?.scales.x?.min;
    const max = plot?.scales.x?.max;
    if (!plot || min === undefined || max === undefined) return;
    zoomedRef.current = true;
    const shift = (max - min) * fraction;
    plot.setScale('x', { min: min + shift, max: max + shift });
  };

  const reset = () => {
    const plot = plotRef.current;
    const first = data.t[0];
    const last = data.t[data.t.length - 1];
    if (!plot || first === undefined || last === undefined) return;
    zoomedRef.current = false;
    plot.setScale('x', { min: first, max: last });
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const actions: Record<string, () => void> = {
      ArrowLeft: () => panBy(-0.1),
      ArrowRight: () => panBy(0.1),
      '+': () => zoomBy(0.8),
      '=': () => zoomBy(0.8),
      '-': () => zoomBy(1.25),
      '0': reset,
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  return (
    <div className="space-y-2">
      <div className="flex items-start justify-between gap-3">
        <div className="flex min-h-7 flex-1 flex-wrap items-center gap-x-4 gap-y-1 font-mono text-xs" aria-live="off" data-testid="chart-readout">
          {readout ? (
            <>
              <span className="text-muted-foreground">t = {formatSi(readout.time, 's', 5)}</span>
              {readout.values.map((value) => (
                <span key={value.name} className="flex items-center gap-1">
                  <span className="inline-block size-2 rounded-full" style={{ background: value.color }} aria-hidden="true" />
                  {value.name}:{' '}
                  {value.min === value.max
                    ? formatSi(value.max, value.unit, 4)
                    : `${formatSi(value.min, value.unit, 4)} … ${formatSi(value.max, value.unit, 4)}`}
                </span>
              ))}
            </>
          ) : (
            <span className="text-muted-foreground">
              Hover for values · drag to zoom · Shift+drag or ←/→ to pan · wheel or +/− to zoom · double-click or 0 to reset
            </span>
          )}
        </div>
        <div className="flex shrink-0 gap-1">
          <Button variant="outline" size="icon" className="size-7" aria-label="Zoom in" onClick={() => zoomBy(0.8)}>
            <ZoomIn />
          </Button>
          <Button variant="outline" size="icon" className="size-7" aria-label="Zoom out" onClick={() => zoomBy(1.25)}>
            <ZoomOut />
          </Button>
          <Button variant="outline" size="icon" className="size-7" aria-label="Show the whole run" onClick={reset}>
            <Maximize2 />
          </Button>
        </div>
      </div>
      <div
        ref={wrapRef}
        role="img"
        tabIndex={0}
        aria-label={`${label}: ${points} points per signal`}
        data-testid="waveform-chart"
        data-points={points}
        data-x-range={xRange ? `${xRange[0]} ${xRange[1]}` : undefined}
        onKeyDown={onKeyDown}
        className="w-full rounded-md focus-visible:outline-2 focus-visible:outline-ring"
      />
    </div>
  );
}
