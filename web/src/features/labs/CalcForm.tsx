import { Calculator, Loader2 } from 'lucide-react';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '@/api/client';
import { FormErrorSummary } from '@/components/FormErrorSummary';
import { ErrorBanner } from '@/components/ErrorBanner';
import { Button } from '@/components/ui/button';
import { DesignField } from '@/features/design/DesignForm';
import { inputId, readField, type FieldSpec, type FormErrors, type FormValues } from '@/features/design/schemaForm';
import { cn } from '@/lib/utils';
import { requestOf, serverErrorsOf, validateValues, valuesOf } from './calcForm';

interface CalcFormProps {
  /** Accessible name of the form. */
  label: string;
  fields: FieldSpec[];
  /** The request the form starts from. */
  initial: Record<string, unknown>;
  submitLabel: string;
  pending: boolean;
  /** Sends the request; a rejected promise with a 422 puts its field errors next to the fields. */
  onSubmit: (body: Record<string, unknown>) => Promise<unknown>;
  /** Sends the starting request once on mount, so the page opens with results. */
  submitOnMount?: boolean;
  /** Grid classes of the field layout. */
  gridClassName?: string;
  /** Checks the rules between fields of a request whose fields are each valid; returns errors by field key. */
  check?: (body: Record<string, unknown>) => Record<string, string>;
  /** Keys of fields that span the whole row, e.g. a list of values. */
  wideKeys?: string[];
  /** Titled groups of field keys, drawn as fieldsets; all fields in one grid when absent. */
  groups?: { title: string; keys: string[] }[];
  /** Why the signed-in role may not send this form; disables the submit button and is shown next to it. */
  deniedReason?: string | null;
  /** Inputs that are not calculator fields (e.g. a module picker), shown above the fields. */
  children?: ReactNode;
}

/**
 * Renders a calculator form. Every number shows its unit and accepted range, accepts SI
 * prefixes, and is checked before sending. An invalid form is never sent, and the
 * server's 422 field errors are shown next to the fields they name.
 */
export function CalcForm({ label, fields, initial, submitLabel, pending, onSubmit, submitOnMount = false, gridClassName, groups, wideKeys = [], check, deniedReason = null, children }: CalcFormProps) {
  const formId = useId();
  const [values, setValues] = useState<FormValues>(() => valuesOf(fields, initial));
  const [errors, setErrors] = useState<FormErrors>({});
  const [otherErrors, setOtherErrors] = useState<string[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const byPath = useMemo(() => new Map(fields.map((field) => [field.path, field])), [fields]);

  const setFieldError = (path: string, error: string | undefined) =>
    setErrors((current) => {
      const rest = Object.fromEntries(Object.entries(current).filter(([key]) => key !== path));
      return error === undefined ? rest : { ...rest, [path]: error };
    });

  const onChange = (path: string, value: string) => {
    setValues((current) => ({ ...current, [path]: value }));
    const field = byPath.get(path);
    if (field && errors[path] !== undefined) setFieldError(path, readField(field, value).error);
  };

  const onBlur = (path: string) => {
    const field = byPath.get(path);
    if (field) setFieldError(path, readField(field, values[path] ?? '').error);
  };

  const send = async (current: FormValues) => {
    const found = validateValues(fields, current);
    if (Object.keys(found).length === 0 && check) {
      for (const [key, message] of Object.entries(check(requestOf(fields, current)))) {
        const field = fields.find((candidate) => candidate.key === key);
        if (field) found[field.path] = message;
      }
    }
    setErrors(found);
    setOtherErrors([]);
    setFailure(null);
    const first = Object.keys(found)[0];
    if (first !== undefined) {
      document.getElementById(inputId(first))?.focus();
      return;
    }
    try {
      await onSubmit(requestOf(fields, current));
    } catch (error) {
      const mapped = serverErrorsOf(fields, error);
      if (error instanceof ApiError && error.status === 422 && error.fieldErrors.length > 0) {
        setErrors(mapped.errors);
        setOtherErrors(mapped.other);
        const firstMapped = Object.keys(mapped.errors)[0];
        if (firstMapped !== undefined) requestAnimationFrame(() => document.getElementById(inputId(firstMapped))?.focus());
      } else {
        setFailure(error);
      }
    }
  };

  // Sends the starting values once; StrictMode's second mount must not send them again.
  const mounted = useRef(false);
  useEffect(() => {
    if (!submitOnMount || mounted.current) return;
    mounted.current = true;
    void send(values);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (deniedReason !== null) return;
    void send(values);
  };

  const errorCount = Object.keys(errors).length;
  return (
    <form noValidate onSubmit={submit} aria-label={label} className="space-y-4">
      {children}
      {(groups ?? [{ title: '', keys: fields.map((field) => field.key) }]).map((group) => {
        const grid = (
          <div className={cn('grid grid-cols-1 gap-x-4 gap-y-4 sm:grid-cols-2', gridClassName)}>
            {fields
              .filter((field) => group.keys.includes(field.key))
              .map((field) => (
                <div key={field.path} className={wideKeys.includes(field.key) ? 'sm:col-span-2' : undefined}>
                  <DesignField field={field} value={values[field.path] ?? ''} error={errors[field.path]} onChange={onChange} onBlur={onBlur} />
                </div>
              ))}
          </div>
        );
        return group.title ? (
          <fieldset key={group.title} className="rounded-lg border p-4">
            <legend className="px-1 text-sm font-semibold">{group.title}</legend>
            {grid}
          </fieldset>
        ) : (
          <div key="fields">{grid}</div>
        );
      })}
      <FormErrorSummary
        invalidCount={errorCount}
        action="to calculate"
        rejectedTitle="The server rejected the request"
        rejected={otherErrors.map((item) => ({ key: item, content: item }))}
      />
      {failure !== null && <ErrorBanner error={failure} />}
      <div className="flex flex-wrap items-center justify-end gap-3">
        {deniedReason && (
          <p id={`${formId}-denied`} data-testid="denied-reason" className="text-xs text-muted-foreground">
            {deniedReason}
          </p>
        )}
        <Button type="submit" disabled={pending || deniedReason !== null} aria-describedby={deniedReason ? `${formId}-denied` : undefined}>
          {pending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <Calculator aria-hidden="true" />}
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
