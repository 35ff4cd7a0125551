import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { cn } from '@/lib/utils';
import { optionLabel } from '@/lib/format';
import { describeBounds, FORM_SECTIONS, inputId, labelOf, SECTION_TITLES, type FieldSpec, type FormErrors, type FormValues } from './schemaForm';


function hintOf(field: FieldSpec): string {
  const hints: string[] = [];
  const range = describeBounds(field.kind === 'numberList' || field.kind === 'pairList' ? (field.itemBounds ?? {}) : field.bounds, field.unit);
  if (range) hints.push(`accepted ${range}`);
  if (field.defaultValue !== undefined && !(Array.isArray(field.defaultValue) && field.defaultValue.length === 0)) {
    hints.push(`default ${String(field.defaultValue)}${field.unit && field.kind !== 'enum' ? ` ${field.unit}` : ''}`);
  } else if (!field.required) {
    hints.push('optional');
  }
  if (field.kind === 'numberList') hints.push('comma-separated');
  if (field.kind === 'pairList') hints.push('one "time, value" pair per line');
  return hints.join(' · ');
}

interface FieldProps {
  field: FieldSpec;
  value: string;
  error?: string;
  onChange: (path: string, value: string) => void;
  onBlur: (path: string) => void;
}

/** Renders one design value with its label, unit, accepted range and error. */
export function DesignField({ field, value, error, onChange, onBlur }: FieldProps) {
  const id = inputId(field.path);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = error ? `${errorId} ${hintId}` : hintId;
  const common = {
    id,
    name: field.path,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    'aria-required': field.required || undefined,
    onBlur: () => onBlur(field.path),
  };

  let control;
  if (field.kind === 'enum') {
    control = (
      <NativeSelect {...common} value={value} onChange={(event) => onChange(field.path, event.target.value)}>
        {!field.required && <option value="">(default{field.defaultValue !== undefined ? `: ${String(field.defaultValue)}` : ''})</option>}
        {field.options?.map((option) => (
          <option key={option} value={option}>
            {optionLabel(option)}
          </option>
        ))}
      </NativeSelect>
    );
  } else if (field.kind === 'pairList') {
    control = <Textarea {...common} rows={3} value={value} className="font-mono" onChange={(event) => onChange(field.path, event.target.value)} />;
  } else {
    control = (
      <div className="relative">
        <Input
          {...common}
          inputMode={field.kind === 'string' ? 'text' : 'decimal'}
          autoComplete="off"
          spellCheck={false}
          value={value}
          className={cn(field.kind !== 'string' && 'font-mono', field.unit && 'pr-16')}
          onChange={(event) => onChange(field.path, event.target.value)}
        />
        {field.unit && (
          <span className="pointer-events-none absolute inset-y-0 right-2 flex items-center text-xs text-muted-foreground" aria-hidden="true">
            {field.unit}
          </span>
        )}
      </div>
    );
  }

  return (
    <div className="flex flex-col gap-1.5" data-field={field.path}>
      <Label htmlFor={id} className="flex items-baseline justify-between gap-2">
        <span title={field.description}>
          {labelOf(field)}
          {field.unit && <span className="sr-only"> in {field.unit}</span>}
          {field.required && (
            <span className="text-destructive" aria-hidden="true">
              {' '}*
            </span>
          )}
        </span>
        <code className="font-mono text-[11px] font-normal text-muted-foreground">{field.key}</code>
      </Label>
      {control}
      {error && (
        <p id={errorId} className="text-xs font-medium text-destructive" role="alert">
          {error}
        </p>
      )}
      <p id={hintId} className="text-xs text-muted-foreground">
        {hintOf(field)}
      </p>
    </div>
  );
}

interface FormProps {
  fields: FieldSpec[];
  values: FormValues;
  errors: FormErrors;
  showAll: boolean;
  onChange: (path: string, value: string) => void;
  onBlur: (path: string) => void;
}

/** Renders the design sections as groups of fields. Empty optional fields stay hidden unless `showAll` is set. */
export function DesignSections({ fields, values, errors, showAll, onChange, onBlur }: FormProps) {
  return (
    <div className="space-y-6">
      {FORM_SECTIONS.map((section) => {
        const shown = fields.filter(
          (field) =>
            field.section === section && (showAll || field.required || (values[field.path] ?? '') !== '' || errors[field.path] !== undefined),
        );
        if (shown.length === 0) {
          return null;
        }
        return (
          <fieldset key={section} className="rounded-lg border p-4">
            <legend className="px-1 text-sm font-semibold">
              {SECTION_TITLES[section] ?? section} <code className="font-mono text-xs font-normal text-muted-foreground">[{section}]</code>
            </legend>
            <div className="grid grid-cols-1 gap-x-4 gap-y-4 sm:grid-cols-2 xl:grid-cols-3">
              {shown.map((field) => (
                <DesignField
                  key={field.path}
                  field={field}
                  value={values[field.path] ?? ''}
                  error={errors[field.path]}
                  onChange={onChange}
                  onBlur={onBlur}
                />
              ))}
            </div>
          </fieldset>
        );
      })}
    </div>
  );
}
