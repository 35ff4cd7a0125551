import { Info, Mail, MailCheck, ScrollText } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useAuthConfig, useRequestMagicLink } from '@/api/auth';
import { ApiError } from '@/api/client';
import { ErrorBanner } from '@/components/ErrorBanner';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { linkLifetime } from '@/features/auth/links';
import { safeNext, saveNext } from '@/features/auth/next';

/** Accepts `local@domain` without requiring a dot, because `admin@localhost` is a valid account. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

function emailError(value: string): string | null {
  const email = value.trim();
  if (email === '') return 'Enter your email address.';
  if (email.length > 254 || !EMAIL_PATTERN.test(email)) return `${email} is not a valid email address, for example name@example.com.`;
  return null;
}

function rateLimitMessage(error: ApiError): string {
  const detail = error.problem?.detail ?? 'Too many sign-in links were requested.';
  if (error.retryAfter === null) return detail;
  const at = new Date(Date.now() + error.retryAfter * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `${detail} (next request possible at ${at})`;
}

/** `/login`: requests a sign-in link by email, or starts Google sign-in when the server offers it. */
export default function LoginPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const config = useAuthConfig();
  const send = useRequestMagicLink();
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<{ email: string; message: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const invalid = emailError(email);
    setError(invalid);
    if (invalid) {
      document.getElementById('login-email')?.focus();
      return;
    }
    saveNext(next);
    try {
      const answer = await send.mutateAsync(email.trim());
      setSentTo({ email: email.trim(), message: answer.message });
    } catch (cause) {
      if (cause instanceof ApiError && cause.status === 429) setError(rateLimitMessage(cause));
      else if (cause instanceof ApiError && cause.fieldErrors.length > 0) setError(cause.fieldErrors.map((item) => item.message).join(' '));
      else if (!(cause instanceof ApiError && cause.status === 422)) setError(null);
    }
  };

  const settings = config.data;
  const googleHref = `/api/v1/auth/oidc/google/start?return_to=${encodeURIComponent(next)}`;

  return (
    <div className="mx-auto flex max-w-md flex-col gap-4 py-8">
      <h1 className="text-2xl font-semibold tracking-tight">Sign in to pelab</h1>
      <Card>
        <CardHeader>
          <CardTitle>Sign-in link</CardTitle>
          <CardDescription>pelab sends a one-time sign-in link to your email address. No password is needed.</CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          {config.isError && <ErrorBanner error={config.error} onRetry={() => void config.refetch()} />}
          {sentTo ? (
            <div className="space-y-3" data-testid="login-sent">
              <Alert role="status">
                {settings?.dev_log_links ? <ScrollText aria-hidden="true" /> : <MailCheck aria-hidden="true" />}
                <div>
                  {settings?.dev_log_links ? (
                    <>
                      <AlertTitle>Sign-in link written to the server log</AlertTitle>
                      <AlertDescription>
                        If {sentTo.email} has an account, the server wrote a sign-in link for it to its log instead of
                        emailing it. Look for “sign-in link” in the output of <code className="font-mono">pelab serve</code> and
                        open the link in this browser. It expires after {linkLifetime(settings?.link_ttl_secs)}.
                      </AlertDescription>
                    </>
                  ) : (
                    <>
                      <AlertTitle>Check your inbox</AlertTitle>
                      <AlertDescription>
                        {sentTo.message} The link was requested for {sentTo.email}; open it in this browser to sign in.
                      </AlertDescription>
                    </>
                  )}
                </div>
              </Alert>
              <Button variant="outline" onClick={() => setSentTo(null)}>
                Use another address
              </Button>
            </div>
          ) : settings?.magic_link === false ? (
            <p className="text-sm text-muted-foreground">Sign-in by email link is turned off on this server.</p>
          ) : (
            <form noValidate onSubmit={submit} className="space-y-3">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="login-email">Email address</Label>
                <Input
                  id="login-email"
                  type="email"
                  autoComplete="email"
                  value={email}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? 'login-email-error' : undefined}
                  onChange={(event) => setEmail(event.target.value)}
                />
                {error && (
                  <p id="login-email-error" role="alert" className="text-xs font-medium text-destructive">
                    {error}
                  </p>
                )}
              </div>
              {send.isError && !error && <ErrorBanner error={send.error} />}
              <Button type="submit" className="w-full" disabled={send.isPending}>
                <Mail aria-hidden="true" />
                {send.isPending ? 'Sending…' : 'Email me a sign-in link'}
              </Button>
            </form>
          )}
          {settings?.google && (
            <Button variant="outline" className="w-full" asChild>
              <a href={googleHref}>Sign in with Google</a>
            </Button>
          )}
        </CardContent>
      </Card>
      {settings?.admin_hint && (
        <Alert role="note" aria-label="Admin login hint" data-testid="admin-hint">
          <Info aria-hidden="true" />
          <div>
            <AlertTitle>Admin login hint</AlertTitle>
            <AlertDescription className="whitespace-pre-line">{settings.admin_hint}</AlertDescription>
          </div>
        </Alert>
      )}
    </div>
  );
}
