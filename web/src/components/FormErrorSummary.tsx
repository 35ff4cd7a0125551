import type { ReactNode } from 'react';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';

/** One error of a submitted form that belongs to no visible field. */
export interface RejectedItem {
  key: string;
  content: ReactNode;
}

/**
 * Summarises a form's errors under its fields: the count of invalid fields with what to
 * do next (`action`, e.g. "before saving"), and the server's errors that belong to no
 * visible field under `rejectedTitle`.
 */
export function FormErrorSummary({
  invalidCount,
  action,
  rejectedTitle,
  rejected,
}: {
  invalidCount: number;
  action: string;
  rejectedTitle: string;
  rejected: RejectedItem[];
}) {
  return (
    <>
      {invalidCount > 0 && (
        <Alert variant="destructive">
          <AlertDescription>
            {invalidCount === 1 ? '1 field is invalid' : `${invalidCount} fields are invalid`}: fix the marked values {action}.
          </AlertDescription>
        </Alert>
      )}
      {rejected.length > 0 && (
        <Alert variant="destructive">
          <div>
            <AlertTitle>{rejectedTitle}</AlertTitle>
            <ul className="mt-1 list-disc pl-5 text-sm">
              {rejected.map((item) => (
                <li key={item.key}>{item.content}</li>
              ))}
            </ul>
          </div>
        </Alert>
      )}
    </>
  );
}
