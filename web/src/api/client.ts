import createClient from 'openapi-fetch';
import type { components, paths } from './schema';
import { sessionFetch } from './session';

export type Schemas = components['schemas'];
export type Project = Schemas['Project'];
export type Design = Schemas['Design'];
export type DesignBody = Schemas['DesignBody'];
export type Run = Schemas['Run'];
export type RunBrief = Schemas['RunBrief'];
export type RunStatus = Schemas['RunStatus'];
export type Domain = Schemas['Domain'];
export type KernelDoc = Schemas['KernelDoc'];
export type Component = Schemas['Component'];
export type NewComponent = Schemas['NewComponent'];
export type PartSummary = Schemas['PartSummary'];
export type Problem = Schemas['Problem'];
export type FieldError = Schemas['FieldError'];
export type WaveformView = Schemas['WaveformView'];
export type TelemetryBucket = Schemas['TelemetryBucket'];
export type Role = Schemas['Role'];
/** The scopes an API token can carry; the document types them as plain strings. */
export type TokenScope = 'read' | 'write' | 'telemetry' | 'admin';
export type AuthConfig = Schemas['AuthConfigView'];
export type Session = Schemas['Session'];
export type Me = Schemas['Me'];
export type Org = Schemas['Org'];
export type ApiToken = Schemas['ApiToken'];
export type CreatedApiToken = Schemas['CreatedToken'];
/** A member of the organisation (`GET /members`). */
export type Member = Schemas['User'];
export type Invitation = Schemas['Invitation'];
export type AuditEntry = Schemas['AuditEntry'];

/**
 * The typed client of the pelab REST API, on the page's own origin. Requests carry the
 * session cookies and the CSRF header, and a 401 refreshes the session once (session.ts).
 */
export const api = createClient<paths>({
  baseUrl: typeof window === 'undefined' ? '' : window.location.origin,
  // sessionFetch looks fetch up on each request, so tests can replace it after this module loads.
  fetch: (input) => sessionFetch(input),
});

/**
 * An error of an API request: an HTTP status with its RFC 7807 problem document, or a
 * network failure (`status` 0) when no response came back.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  /** Seconds from the `Retry-After` header of a 429 or 503 response, when the server sent it. */
  readonly retryAfter: number | null;

  constructor(status: number, problem: Problem | null, message: string, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** The invalid fields of a 422 response, keyed by their path (`parameters.v_in`). */
  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value && 'title' in value;
}

/**
 * Returns the data of an openapi-fetch result, or throws an ApiError with the problem
 * document the server sent.
 */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  const { response } = result;
  if (response.ok) {
    return result.data as T;
  }
  const problem = isProblem(result.error) ? result.error : null;
  const message = problem ? `${problem.title}: ${problem.detail}` : `HTTP ${response.status} ${response.statusText}`;
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  throw new ApiError(response.status, problem, message, Number.isNaN(retryAfter) ? null : retryAfter);
}

/** Runs an API request and turns a failed fetch (server down, network cut) into an ApiError. */
export async function request<T>(call: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result;
  try {
    result = await call();
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ApiError(0, null, `The pelab server could not be reached (${reason}).`);
  }
  return unwrap(result);
}

/**
 * Returns whether trying a failed request again by hand can help: network failures, 408, 429 and
 * 5xx. Other 4xx errors (a malformed id, a missing item, a denied action) repeat on every try.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  const { status } = error;
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/** Whether a failed query should be tried again: only for 503 and network failures, at most 3 times. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 3) {
    return false;
  }
  return error instanceof ApiError && (error.status === 503 || error.status === 0);
}
