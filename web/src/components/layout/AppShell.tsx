import { Activity, Calculator, Cpu, FolderKanban, Gauge, LayoutDashboard, Moon, PenTool, Sun, SunMedium } from 'lucide-react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { Button } from '@/components/ui/button';
import { UserMenu } from '@/features/auth/UserMenu';
import { cn } from '@/lib/utils';
import { useThemeStore } from '@/stores/theme';

const NAV = [
  { to: '/', label: 'Overview', icon: LayoutDashboard, end: true },
  { to: '/projects', label: 'Projects', icon: FolderKanban, end: false },
  { to: '/studio', label: 'Design Studio', icon: PenTool, end: true },
  { to: '/studio/calculators', label: 'Calculators', icon: Calculator, end: false },
  { to: '/labs/motor', label: 'Motor Lab', icon: Gauge, end: false },
  { to: '/labs/pv', label: 'PV Lab', icon: SunMedium, end: false },
  // A part's curve page belongs to the component library, so it highlights that entry.
  { to: '/admin/components', label: 'Components', icon: Cpu, end: false, alsoUnder: '/admin/parts/' },
];

function ThemeToggle() {
  const theme = useThemeStore((state) => state.theme);
  const toggle = useThemeStore((state) => state.toggle);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <Button variant="ghost" size="icon" onClick={toggle} aria-label={`Switch to ${next} theme`} title={`Switch to ${next} theme`}>
      {theme === 'dark' ? <Sun /> : <Moon />}
    </Button>
  );
}

function TopBar() {
  const { pathname } = useLocation();
  // The login pages have no session yet, so they show neither the navigation nor the account menu.
  const signedOut = pathname === '/login' || pathname.startsWith('/login/');
  return (
    <header className="sticky top-0 z-40 border-b bg-card/95 backdrop-blur">
      <div className="mx-auto flex h-14 max-w-[1400px] items-center gap-6 px-4">
        <NavLink to="/" className="flex items-center gap-2 rounded-md font-semibold tracking-tight" aria-label="pelab home">
          <Activity className="size-5 text-primary" aria-hidden="true" />
          <span>pelab</span>
        </NavLink>
        <nav aria-label="Main" className="flex flex-1 items-center gap-1">
          {!signedOut && NAV.map(({ to, label, icon: Icon, end, alsoUnder }) => (
            <NavLink
              key={to}
              to={to}
              end={end}
              className={({ isActive }) =>
                cn(
                  'flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium text-muted-foreground transition-colors hover:bg-accent hover:text-accent-foreground',
                  (isActive || (alsoUnder !== undefined && pathname.startsWith(alsoUnder))) && 'bg-accent text-accent-foreground',
                )
              }
            >
              <Icon className="size-4" aria-hidden="true" />
              {label}
            </NavLink>
          ))}
        </nav>
        <ThemeToggle />
        {!signedOut && <UserMenu />}
      </div>
    </header>
  );
}

function Footer() {
  return (
    <footer className="border-t bg-card">
      <div className="mx-auto max-w-[1400px] px-4 py-3 text-xs text-muted-foreground">
        <p role="note" aria-label="High-voltage safety notice">
          <strong className="font-semibold text-foreground">High-voltage safety.</strong> pelab can command real
          high-voltage hardware. Simulation results do not make a bench safe: bench use is at your own risk, by
          qualified personnel only, with insulation, interlocks and protective equipment, following your local
          electrical safety rules.
        </p>
        <p className="mt-1">pelab is open source under the MIT license.</p>
      </div>
    </footer>
  );
}

/** Lays out every page: top bar with navigation, the page, and the safety footer. */
export function AppShell() {
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-card focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <TopBar />
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-[1400px] flex-1 px-4 py-6 focus:outline-none">
        <Outlet />
      </main>
      <Footer />
    </div>
  );
}
