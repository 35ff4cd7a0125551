import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, request, type DesignBody, type Domain, type NewComponent } from './client';

export const keys = {
  projects: ['projects'] as const,
  project: (id: string) => ['projects', id] as const,
  designs: (projectId: string) => ['projects', projectId, 'designs'] as const,
  runs: (projectId?: string) => ['runs', projectId ?? 'all'] as const,
  run: (id: string) => ['run', id] as const,
  kernels: ['kernels'] as const,
  kernelSchema: (name: string) => ['kernels', name, 'schema'] as const,
  components: ['components'] as const,
  parts: ['parts'] as const,
  waveforms: (runId: string, points: number) => ['run', runId, 'waveforms', points] as const,
  telemetrySignals: (runId: string) => ['run', runId, 'telemetry', 'signals'] as const,
  telemetry: (runId: string, signal: string, buckets: number, from: string, to: string) =>
    ['run', runId, 'telemetry', signal, buckets, from, to] as const,
};

export function useProjects() {
  return useQuery({
    queryKey: keys.projects,
    queryFn: () => request(() => api.GET('/api/v1/projects')),
  });
}

export function useProject(id: string) {
  return useQuery({
    queryKey: keys.project(id),
    queryFn: () => request(() => api.GET('/api/v1/projects/{id}', { params: { path: { id } } })),
  });
}

export function useCreateProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; domain: Domain; notes?: string }) =>
      request(() => api.POST('/api/v1/projects', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.projects }),
  });
}

export function useDesigns(projectId: string) {
  return useQuery({
    queryKey: keys.designs(projectId),
    queryFn: () => request(() => api.GET('/api/v1/projects/{id}/designs', { params: { path: { id: projectId } } })),
  });
}

export function useCreateDesign(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: DesignBody) =>
      request(() => api.POST('/api/v1/projects/{id}/designs', { params: { path: { id: projectId } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.designs(projectId) }),
  });
}

export function useDeleteDesign(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request(() => api.DELETE('/api/v1/designs/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.designs(projectId) }),
  });
}

/**
 * Lists the runs of one project (or of all projects when `projectId` is undefined),
 * newest first, and polls while any is active. A null `projectId` disables the query.
 */
export function useRuns(projectId?: string | null) {
  return useQuery({
    queryKey: keys.runs(projectId ?? undefined),
    enabled: projectId !== null,
    queryFn: () =>
      request(() =>
        api.GET('/api/v1/runs', { params: { query: { limit: 200, ...(projectId ? { project_id: projectId } : {}) } } }),
      ),
    refetchInterval: (query) =>
      query.state.data?.some((run) => run.status === 'queued' || run.status === 'running') ? 2000 : false,
  });
}

export function useRun(id: string | null) {
  return useQuery({
    queryKey: keys.run(id ?? 'none'),
    enabled: id !== null,
    queryFn: () => request(() => api.GET('/api/v1/simulate/run/{id}', { params: { path: { id: id ?? '' } } })),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'queued' || status === 'running' ? 1000 : false;
    },
  });
}

export function useKernels() {
  return useQuery({
    queryKey: keys.kernels,
    queryFn: () => request(() => api.GET('/api/v1/kernels')),
    staleTime: Infinity,
  });
}

export function useKernelSchema(name: string | null) {
  return useQuery({
    queryKey: keys.kernelSchema(name ?? 'none'),
    enabled: name !== null,
    queryFn: () =>
      request(() => api.GET('/api/v1/kernels/{name}/schema', { params: { path: { name: name ?? '' } } })) as Promise<unknown>,
    staleTime: Infinity,
  });
}

export function useWaveforms(runId: string | null, points: number, enabled: boolean) {
  return useQuery({
    queryKey: keys.waveforms(runId ?? 'none', points),
    enabled: runId !== null && enabled,
    queryFn: () =>
      request(() => api.GET('/api/v1/runs/{id}/waveforms', { params: { path: { id: runId ?? '' }, query: { points } } })),
    placeholderData: keepPreviousData,
  });
}

/** Points of a zoomed window of a stored run; disabled while no window is given. */
const WINDOW_POINTS = 2000;

export function useWaveformWindow(runId: string | null, window: [number, number] | null) {
  const [from, to] = window ?? [0, 0];
  return useQuery({
    queryKey: ['run', runId ?? 'none', 'waveforms', WINDOW_POINTS, from, to] as const,
    enabled: runId !== null && window !== null,
    queryFn: () =>
      request(() =>
        api.GET('/api/v1/runs/{id}/waveforms', { params: { path: { id: runId ?? '' }, query: { points: WINDOW_POINTS, from, to } } }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useTelemetrySignals(runId: string | null) {
  return useQuery({
    queryKey: keys.telemetrySignals(runId ?? 'none'),
    enabled: runId !== null,
    queryFn: () => request(() => api.GET('/api/v1/runs/{id}/telemetry/signals', { params: { path: { id: runId ?? '' } } })),
  });
}

export function useTelemetry(runId: string | null, signal: string | null, buckets: number, from: string, to: string) {
  return useQuery({
    queryKey: keys.telemetry(runId ?? 'none', signal ?? 'none', buckets, from, to),
    enabled: runId !== null && signal !== null,
    queryFn: () =>
      request(() =>
        api.GET('/api/v1/runs/{id}/telemetry', {
          params: { path: { id: runId ?? '' }, query: { signal: signal ?? '', buckets, from, to } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useComponents() {
  return useQuery({
    queryKey: keys.components,
    queryFn: () => request(() => api.GET('/api/v1/components')),
  });
}

export function useParts() {
  return useQuery({
    queryKey: keys.parts,
    queryFn: () => request(() => api.GET('/api/v1/parts')),
    staleTime: Infinity,
  });
}

export function useSaveComponent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { id?: string; version?: number; component: NewComponent }) =>
      input.id !== undefined && input.version !== undefined
        ? request(() =>
            api.PUT('/api/v1/components/{id}', {
              params: { path: { id: input.id ?? '' } },
              body: { version: input.version ?? 0, component: input.component },
            }),
          )
        : request(() => api.POST('/api/v1/components', { body: input.component })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.components }),
  });
}

export function useDeleteComponent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request(() => api.DELETE('/api/v1/components/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.components }),
  });
}
