import { auditQuery, type AuditFilters } from '@/api/auth';

/** Converts a `datetime-local` value (local time, no zone) to RFC 3339 UTC, or '' when empty or invalid. */
export function localToIso(value: string): string {
  if (value === '') return '';
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? '' : time.toISOString();
}

/** Converts RFC 3339 to the `datetime-local` value in the browser's zone, for the filter fields. */
export function isoToLocal(value: string): string {
  const time = new Date(value);
  if (value === '' || Number.isNaN(time.getTime())) return '';
  const local = new Date(time.getTime() - time.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** Builds the URL of the CSV export with the same filters as the table. */
export function auditCsvUrl(filters: AuditFilters): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(auditQuery(filters))) query.set(name, String(value));
  return `/api/v1/audit.csv?${query.toString()}`;
}
