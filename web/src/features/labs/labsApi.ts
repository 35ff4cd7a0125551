import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { api, request, type Schemas } from '@/api/client';

export type RippleRequest = Schemas['RippleRequest'];
export type RippleResponse = Schemas['RippleResponse'];
export type LlcTankRequest = Schemas['LlcTankRequest'];
export type LlcTankResponse = Schemas['LlcTankResponse'];
export type LclRequest = Schemas['LclRequest'];
export type LclResponse = Schemas['LclResponse'];
export type PvCurveRequest = Schemas['PvCurveRequest'];
export type PvCurveResponse = Schemas['PvCurveResponse'];
export type PvModuleBrief = Schemas['PvModuleBrief'];
export type FocTuningRequest = Schemas['FocTuningRequest'];
export type FocTuningResponse = Schemas['FocTuningResponse'];
export type PartDetail = Schemas['PartDetail'];
export type CurveSet = Schemas['CurveSet'];

// The calculator forms build their bodies from checked inputs, so the hooks take plain
// records and leave the field-by-field checks to the server's 422 response.
export function useRippleCalc() {
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => request(() => api.POST('/api/v1/calc/ripple', { body: body as RippleRequest })),
  });
}

export function useLlcTankCalc() {
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => request(() => api.POST('/api/v1/calc/llc-tank', { body: body as LlcTankRequest })),
  });
}

export function useLclCalc() {
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => request(() => api.POST('/api/v1/calc/lcl', { body: body as LclRequest })),
  });
}

export function useFocTuningCalc() {
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => request(() => api.POST('/api/v1/calc/foc-tuning', { body: body as FocTuningRequest })),
  });
}

export function postPvCurve(body: PvCurveRequest): Promise<PvCurveResponse> {
  return request(() => api.POST('/api/v1/calc/pv-curve', { body }));
}

export function postRipple(body: RippleRequest): Promise<RippleResponse> {
  return request(() => api.POST('/api/v1/calc/ripple', { body }));
}

/** Searches the CEC module table; every word of `query` must appear in the name. */
export function usePvModules(query: string, limit = 20) {
  return useQuery({
    queryKey: ['pv', 'modules', query, limit] as const,
    queryFn: () => request(() => api.GET('/api/v1/pv/modules', { params: { query: { q: query, limit } } })),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
}

export function usePart(name: string) {
  return useQuery({
    queryKey: ['parts', name] as const,
    queryFn: () => request(() => api.GET('/api/v1/parts/{name}', { params: { path: { name } } })),
    staleTime: Infinity,
  });
}
