/** Human names of the kernels, as the wizard lists them. */
export const KERNEL_TITLES: Record<string, string> = {
  buck: 'Buck converter',
  boost: 'Boost converter',
  bidirectional: 'Bidirectional buck-boost',
  interleaved_boost: 'Interleaved boost',
  llc: 'LLC resonant converter',
  pmsm_drive: 'PMSM traction drive (FOC)',
  drive_cycle: 'Drive cycle (EV)',
  grid_tie: 'Grid-tie inverter',
  pv_mppt: 'PV string with MPPT',
};
