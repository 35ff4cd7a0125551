import { useEffect } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { useMe } from '@/api/auth';
import { ApiError } from '@/api/client';
import { keepSessionFresh } from '@/api/session';
import { ErrorBanner } from '@/components/ErrorBanner';
import { PageLoading } from '@/components/PageLoading';
import { loginUrl } from './next';

/** Renders the child routes only for a signed-in user, and sends everyone else to /login. */
export function RequireSession() {
  const me = useMe();
  const location = useLocation();
  const signedIn = me.isSuccess;

  useEffect(() => (signedIn ? keepSessionFresh() : undefined), [signedIn]);

  if (me.isPending) return <PageLoading />;
  if (me.isError) {
    if (me.error instanceof ApiError && me.error.status === 401) {
      return <Navigate to={loginUrl(`${location.pathname}${location.search}${location.hash}`)} replace />;
    }
    return <ErrorBanner error={me.error} onRetry={() => void me.refetch()} />;
  }
  return <Outlet />;
}
