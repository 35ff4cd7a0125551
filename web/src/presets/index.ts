import bidirectional from './bidirectional.json';
import boost from './boost.json';
import buck from './buck.json';
import driveCycle from './drive_cycle.json';
import gridTie from './grid_tie.json';
import interleavedBoost from './interleaved_boost.json';
import llc from './llc.json';
import pmsmDrive from './pmsm_drive.json';
import pvMppt from './pv_mppt.json';

/** A starting design for the wizard: a design file from examples/ converted to JSON. */
export interface Preset {
  /** The example design file it was converted from, relative to the repository root. */
  source: string;
  /** The design in the design-file layout (`kernel`, `parameters`, `control`, …). */
  design: Record<string, unknown> & { kernel: string; title?: string };
}

const PRESETS: Record<string, Preset> = {
  bidirectional,
  boost,
  buck,
  drive_cycle: driveCycle,
  grid_tie: gridTie,
  interleaved_boost: interleavedBoost,
  llc,
  pmsm_drive: pmsmDrive,
  pv_mppt: pvMppt,
};

/** Returns the preset of a kernel, or undefined for a kernel that has none. */
export function presetFor(kernel: string): Preset | undefined {
  return PRESETS[kernel];
}
