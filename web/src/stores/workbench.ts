import { create } from 'zustand';

interface WorkbenchState {
  /** Design chosen in the Simulation tab, by project id. */
  designByProject: Record<string, string>;
  /** Run shown in the Simulation, Telemetry and Analytics tabs, by project id. */
  runByProject: Record<string, string>;
  selectDesign: (projectId: string, designId: string) => void;
  selectRun: (projectId: string, runId: string) => void;
}

/** Selections of the project tabs, kept while the user moves between tabs and pages. */
export const useWorkbenchStore = create<WorkbenchState>()((set) => ({
  designByProject: {},
  runByProject: {},
  selectDesign: (projectId, designId) =>
    set((state) => ({ designByProject: { ...state.designByProject, [projectId]: designId } })),
  selectRun: (projectId, runId) => set((state) => ({ runByProject: { ...state.runByProject, [projectId]: runId } })),
}));
