import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter } from 'react-router';
import { AppShell } from './components/layout/AppShell';
import { PageLoading } from './components/PageLoading';
import { RequireSession } from './features/auth/RequireSession';
import { NotFoundPage } from './pages/NotFoundPage';
import { OverviewPage } from './pages/OverviewPage';
import { ProjectsPage } from './pages/ProjectsPage';
import { RouteErrorPage } from './pages/RouteErrorPage';

// Pages past the first view load on demand, so the initial bundle holds only the shell.
const ProjectPage = lazy(() => import('./pages/ProjectPage'));
const StudioPage = lazy(() => import('./pages/StudioPage'));
const ComponentsPage = lazy(() => import('./pages/ComponentsPage'));
const ChartBenchPage = lazy(() => import('./pages/ChartBenchPage'));
const CalculatorsPage = lazy(() => import('./pages/CalculatorsPage'));
const MotorLabPage = lazy(() => import('./pages/MotorLabPage'));
const PvLabPage = lazy(() => import('./pages/PvLabPage'));
const PartPage = lazy(() => import('./pages/PartPage'));
const LoginPage = lazy(() => import('./pages/LoginPage'));
const VerifyPage = lazy(() => import('./pages/VerifyPage'));
const OrgSettingsPage = lazy(() => import('./pages/OrgSettingsPage'));
const TokensPage = lazy(() => import('./pages/TokensPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));

function suspend(node: ReactNode) {
  return <Suspense fallback={<PageLoading />}>{node}</Suspense>;
}

export const router = createBrowserRouter([
  {
    element: <AppShell />,
    children: [
      {
        // A page that throws keeps the top bar and the safety footer around this message.
        errorElement: <RouteErrorPage />,
        children: [
          { path: '/login', element: suspend(<LoginPage />) },
          { path: '/login/verify', element: suspend(<VerifyPage />) },
          {
            // Every other page needs a session; without one it redirects to /login?next=<path>.
            element: <RequireSession />,
            children: [
              { path: '/', element: <OverviewPage /> },
              { path: '/projects', element: <ProjectsPage /> },
              { path: '/projects/:id', element: suspend(<ProjectPage />) },
              { path: '/studio', element: suspend(<StudioPage />) },
              { path: '/studio/calculators', element: suspend(<CalculatorsPage />) },
              { path: '/labs/motor', element: suspend(<MotorLabPage />) },
              { path: '/labs/pv', element: suspend(<PvLabPage />) },
              { path: '/admin/components', element: suspend(<ComponentsPage />) },
              { path: '/admin/parts/:name', element: suspend(<PartPage />) },
              // A chart benchmark fed synthetic data, used by the end-to-end frame-time measurement.
              { path: '/dev/chart-bench', element: suspend(<ChartBenchPage />) },
              { path: '/settings/org', element: suspend(<OrgSettingsPage />) },
              { path: '/settings/tokens', element: suspend(<TokensPage />) },
              { path: '/admin/audit', element: suspend(<AuditPage />) },
              { path: '*', element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
]);
