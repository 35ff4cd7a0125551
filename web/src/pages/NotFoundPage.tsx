import { Link } from 'react-router';
import { Button } from '@/components/ui/button';

export function NotFoundPage() {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-muted-foreground">No page exists at this address.</p>
      <Button asChild className="mt-6">
        <Link to="/">Go to the overview</Link>
      </Button>
    </div>
  );
}
