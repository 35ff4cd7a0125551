import { BatteryCharging, Car, PlugZap, Sun, UtilityPole } from 'lucide-react';
import type { ComponentType, SVGProps } from 'react';
import type { Project, RunBrief } from '@/api/client';

/** An application area on the overview and how its demo project and runs are recognised. */
export interface AreaCard {
  key: string;
  title: string;
  blurb: string;
  icon: ComponentType<SVGProps<SVGSVGElement>>;
  /** Whether a project belongs to this area, by domain and name. */
  matches: (project: Project) => boolean;
  /** Kernels whose runs the card reports; all runs of the project when absent. */
  kernels?: string[];
}

export const AREAS: AreaCard[] = [
  {
    key: 'ev-traction',
    title: 'EV Traction',
    blurb: 'PMSM inverter with FOC, SiC losses and junction temperatures over drive cycles.',
    icon: Car,
    matches: (project) => project.domain === 'EV' && /traction|inverter|drive/i.test(project.name),
    kernels: ['pmsm_drive', 'drive_cycle'],
  },
  {
    key: 'obc',
    title: 'OBC',
    blurb: 'On-board charger DC-DC: bidirectional DC link and interleaved boost.',
    icon: BatteryCharging,
    matches: (project) => /on-board charger|\bOBC\b/i.test(project.name),
  },
  {
    key: 'dcfc',
    title: 'DC Fast Charge',
    blurb: 'High-power DC-DC stage of a fast charger with coupled thermal model.',
    icon: PlugZap,
    matches: (project) => /fast charg|DCFC/i.test(project.name) || (project.domain === 'DC' && /charg/i.test(project.name)),
  },
  {
    key: 'pv',
    title: 'PV/Storage',
    blurb: 'PV string with MPPT over a typical day, boost stage and storage.',
    icon: Sun,
    matches: (project) => project.domain === 'PV' || /\bPV\b|MPPT|storage/i.test(project.name),
    kernels: ['pv_mppt'],
  },
  {
    key: 'grid-tie',
    title: 'Grid-Tie',
    blurb: 'Three-phase grid-tie inverter with LCL filter, current control and THD.',
    icon: UtilityPole,
    matches: (project) => project.domain === 'GRID' || /grid/i.test(project.name) || project.domain === 'PV',
    kernels: ['grid_tie'],
  },
];

/**
 * Picks the demo project of an area: the first project that matches, preferring one
 * with a run of the area's kernels. Older projects come first, so a seeded demo wins over
 * projects created later.
 */
export function projectFor(area: AreaCard, projects: Project[], runs: RunBrief[]): Project | undefined {
  const candidates = projects.filter(area.matches).sort((a, b) => a.created_at.localeCompare(b.created_at));
  if (area.kernels) {
    const withRun = candidates.find((project) =>
      runs.some((run) => run.project_id === project.id && area.kernels?.includes(run.kernel)),
    );
    if (withRun) return withRun;
  }
  return candidates[0];
}
