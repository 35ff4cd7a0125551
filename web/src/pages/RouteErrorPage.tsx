import { AlertTriangle } from 'lucide-react';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { Button } from '@/components/ui/button';

/**
 * Replaces a page that failed to render or to load its code, so the shell never goes
 * blank. After a server upgrade, an old tab requests chunks that no longer exist.
 */
export function RouteErrorPage() {
  const error = useRouteError();
  console.error('page failed', error);
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : String(error);
  return (
    <div className="mx-auto max-w-lg py-16 text-center" role="alert">
      <AlertTriangle className="mx-auto size-8 text-destructive" aria-hidden="true" />
      <h1 className="mt-4 text-2xl font-semibold">This page failed to load</h1>
      <p className="mt-2 break-words text-sm text-muted-foreground">{detail}</p>
      <p className="mt-2 text-sm text-muted-foreground">Reload to fetch the current version of the app.</p>
      <div className="mt-6 flex justify-center gap-2">
        <Button onClick={() => window.location.reload()}>Reload</Button>
        <Button variant="outline" asChild>
          <Link to="/">Go to the overview</Link>
        </Button>
      </div>
    </div>
  );
}
