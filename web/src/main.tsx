import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { authKeys } from './api/auth';
import { ApiError, shouldRetry } from './api/client';
import { setUnauthorizedHandler } from './api/session';
import { loginUrl } from './features/auth/next';
import './index.css';
import { router } from './router';
import { applyTheme, useThemeStore } from './stores/theme';

const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error, query) => console.error('query failed', query.queryKey, error),
  }),
  // A 403 can mean that an admin changed this user's role meanwhile: reload /auth/me so the
  // controls show the current role.
  mutationCache: new MutationCache({
    onError: (error) => {
      if (error instanceof ApiError && error.status === 403) void queryClient.invalidateQueries({ queryKey: authKeys.me });
    },
  }),
  defaultOptions: {
    queries: {
      retry: shouldRetry,
      retryDelay: (attempt) => Math.min(500 * 2 ** attempt, 4000),
      refetchOnWindowFocus: false,
      staleTime: 5_000,
    },
    mutations: { retry: false },
  },
});

applyTheme(useThemeStore.getState().theme);

// A request that stays 401 after a session refresh ends the session: drop the cached data of
// that user and show the login page, which returns here after sign-in.
setUnauthorizedHandler(() => {
  const { pathname, search, hash } = window.location;
  if (pathname === '/login' || pathname.startsWith('/login/')) return;
  queryClient.clear();
  void router.navigate(loginUrl(`${pathname}${search}${hash}`), { replace: true });
});

const root = document.getElementById('root');
if (!root) {
  throw new Error('index.html has no #root element');
}
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
