import { AlertTriangle, RefreshCw } from 'lucide-react';
import { ApiError, isRetryable } from '@/api/client';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

function describe(error: unknown): { title: string; detail: string } {
  if (error instanceof ApiError) {
    if (error.status === 0) {
      return { title: 'Server unreachable', detail: `${error.message} Check that \`pelab serve\` is running.` };
    }
    if (error.status === 404) {
      return { title: 'Not found', detail: error.problem?.detail ?? 'The requested item does not exist or was deleted.' };
    }
    if (error.status === 503) {
      return {
        title: 'Service unavailable',
        detail: `${error.problem?.detail ?? 'The server cannot reach its database.'} Requests were retried; try again in a moment.`,
      };
    }
    return { title: error.problem?.title ?? `Request failed (HTTP ${error.status})`, detail: error.problem?.detail ?? error.message };
  }
  return { title: 'Unexpected error', detail: error instanceof Error ? error.message : String(error) };
}

/**
 * Shows a banner for a failed request, with its own wording for 404, 503 and network failures.
 * `title` replaces the generic title, to name the action that failed. The Retry button shows
 * only for errors that another try can fix (see `isRetryable`).
 */
export function ErrorBanner({ error, onRetry, title: actionTitle }: { error: unknown; onRetry?: () => void; title?: string }) {
  const described = describe(error);
  const title = actionTitle ?? described.title;
  const { detail } = described;
  return (
    <Alert variant="destructive">
      <AlertTriangle aria-hidden="true" />
      <div className="flex-1">
        <AlertTitle>{title}</AlertTitle>
        <AlertDescription>{detail}</AlertDescription>
      </div>
      {onRetry && isRetryable(error) && (
        <Button variant="outline" size="sm" onClick={onRetry}>
          <RefreshCw aria-hidden="true" />
          Retry
        </Button>
      )}
    </Alert>
  );
}
