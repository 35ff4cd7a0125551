import type { ReactNode } from 'react';
import { cn } from '@/lib/utils';

export interface ResultRow {
  label: string;
  /** The symbol of the quantity, e.g. `ΔI_L`. */
  symbol?: string;
  value: ReactNode;
  /** Marks the figure that the page is about, e.g. the MPP power. */
  key?: boolean;
  testId?: string;
}

/** Renders computed values in two columns with their symbols; each value carries its unit. */
export function ResultList({ rows, className }: { rows: ResultRow[]; className?: string }) {
  return (
    <dl className={cn('grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2', className)}>
      {rows.map((row) => (
        <div key={row.label} className="flex items-baseline justify-between gap-3 border-b border-dashed py-1.5 last:border-0">
          <dt className="text-muted-foreground">
            {row.label}
            {row.symbol && <span className="ml-1.5 font-mono text-xs">{row.symbol}</span>}
          </dt>
          <dd className={cn('font-mono tabular-nums', row.key && 'font-semibold text-foreground')} data-testid={row.testId}>
            {row.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
