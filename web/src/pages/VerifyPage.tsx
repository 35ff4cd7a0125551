import { LogIn } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useVerifyMagicLink } from '@/api/auth';
import { ApiError } from '@/api/client';
import { PageLoading } from '@/components/PageLoading';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { takeNext } from '@/features/auth/next';

/**
 * Tokens already sent by this page. A link works once, and React's development mode runs
 * effects twice, so the second run must not spend a request on a used token.
 */
const sentTokens = new Set<string>();

function failureText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return error.problem?.detail ?? 'The sign-in link has expired or was already used.';
    return error.problem?.detail ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** `/login/verify?token=…`: exchanges the emailed token for a session, then opens the saved page. */
export default function VerifyPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const verify = useVerifyMagicLink();
  const navigate = useNavigate();
  const [failure, setFailure] = useState<string | null>(token === '' ? 'The sign-in link has no token. Copy the whole link from the email.' : null);

  useEffect(() => {
    if (token === '' || sentTokens.has(token)) return;
    sentTokens.add(token);
    verify.mutate(token, {
      onSuccess: () => void navigate(takeNext(), { replace: true }),
      onError: (error) => setFailure(failureText(error)),
    });
  }, [token, verify, navigate]);

  if (failure === null) return <PageLoading />;
  return (
    <div className="mx-auto max-w-md space-y-4 py-8">
      <h1 className="text-xl font-semibold">Sign-in failed</h1>
      <Alert variant="destructive">
        <div>
          <AlertTitle>This sign-in link cannot be used</AlertTitle>
          <AlertDescription data-testid="verify-error">{failure}</AlertDescription>
        </div>
      </Alert>
      <Button asChild>
        <Link to="/login">
          <LogIn aria-hidden="true" /> Request a new link
        </Link>
      </Button>
    </div>
  );
}
