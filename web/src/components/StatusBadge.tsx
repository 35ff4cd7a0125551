import type { RunStatus } from '@/api/client';
import { Badge } from '@/components/ui/badge';

const VARIANT: Record<string, 'success' | 'warning' | 'destructive' | 'secondary' | 'default'> = {
  done: 'success',
  running: 'default',
  queued: 'secondary',
  failed: 'destructive',
  cancelled: 'warning',
};

export function StatusBadge({ status }: { status: RunStatus | string | null | undefined }) {
  if (!status) {
    return <Badge variant="outline">no runs</Badge>;
  }
  return <Badge variant={VARIANT[status] ?? 'outline'}>{status}</Badge>;
}
