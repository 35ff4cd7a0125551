// Reading and checking a JSON file of components for the Import dialog.
import { KINDS } from './componentForm';

export interface ImportComponent {
  kind: string;
  vendor: string;
  pn: string;
  params: Record<string, unknown>;
}

/** One entry of the file: the component when it is valid, or why it is not. */
export interface ImportItem {
  index: number;
  label: string;
  /** The kind as the file gives it, shown even when it is invalid. */
  kind: string;
  component: ImportComponent | null;
  errors: string[];
}

export type ImportParse = { ok: true; items: ImportItem[] } | { ok: false; error: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkItem(value: unknown, index: number): ImportItem {
  if (!isObject(value)) return { index, label: `item ${index + 1}`, kind: '', component: null, errors: ['not a JSON object'] };
  const errors: string[] = [];
  const kind = typeof value.kind === 'string' ? value.kind.trim() : '';
  const vendor = typeof value.vendor === 'string' ? value.vendor.trim() : '';
  const pn = typeof value.pn === 'string' ? value.pn.trim() : '';
  if (!KINDS.includes(kind as (typeof KINDS)[number])) errors.push(`kind must be one of ${KINDS.join(', ')}${kind ? ` (got "${kind}")` : ''}`);
  if (!vendor || vendor.length > 200) errors.push('vendor must be 1 to 200 characters');
  if (!pn || pn.length > 200) errors.push('pn must be 1 to 200 characters');
  const params = value.params === undefined ? {} : value.params;
  if (!isObject(params)) errors.push('params must be a JSON object');
  const label = [vendor, pn].filter(Boolean).join(' ') || `item ${index + 1}`;
  return {
    index,
    label,
    kind,
    component: errors.length === 0 ? { kind, vendor, pn, params: params as Record<string, unknown> } : null,
    errors,
  };
}

/** Parses the text of an import file: one component object or a list of them (1 to 500). */
export function parseComponentImport(text: string): ImportParse {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `The file is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const list = Array.isArray(data) ? data : [data];
  if (list.length === 0) return { ok: false, error: 'The file holds an empty list.' };
  if (list.length > 500) return { ok: false, error: `The file holds ${list.length} items; import at most 500 at a time.` };
  return { ok: true, items: list.map(checkItem) };
}

/** The outcome of posting one item. */
export interface ImportOutcome {
  status: 'created' | 'duplicate' | 'invalid' | 'failed';
  message: string;
}

/** Describes the API response to a POST of one component for the results table. */
export function describeImportError(status: number, detail: string, fieldErrors: { field: string; message: string }[]): ImportOutcome {
  if (status === 409) return { status: 'duplicate', message: detail || 'already in the library' };
  if (status === 422) {
    const fields = fieldErrors.map((item) => `${item.field}: ${item.message}`).join('; ');
    return { status: 'invalid', message: fields || detail || 'rejected by the server' };
  }
  return { status: 'failed', message: detail || (status === 0 ? 'the server could not be reached' : `HTTP ${status}`) };
}
