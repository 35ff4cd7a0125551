import { ApiError } from '@/api/client';
import { readField, textOf, type Bounds, type FieldSpec, type FormErrors, type FormValues } from '@/features/design/schemaForm';

/** One input of a calculator form, in the units and ranges of the API's request type. */
export interface CalcInput {
  key: string;
  label: string;
  unit?: string;
  kind?: 'number' | 'integer' | 'enum' | 'string' | 'numberList';
  bounds?: Bounds;
  /** Bounds of each item of a numberList. */
  itemBounds?: Bounds;
  minItems?: number;
  maxItems?: number;
  options?: string[];
  /** Optional inputs may be left empty; the server then applies its default. */
  optional?: boolean;
  /** Default the server applies when the input is left empty, shown in the hint. */
  serverDefault?: number;
  /** Meaning of the value, shown as the label's tooltip. */
  description?: string;
}

/**
 * Converts calculator inputs to the field specs of the design forms, so the calculators
 * reuse their number parsing (SI prefixes), range checks and field component. `form`
 * prefixes the paths, which keeps the input ids unique when several forms share a page.
 */
export function specsOf(form: string, inputs: CalcInput[]): FieldSpec[] {
  return inputs.map((input) => ({
    section: form,
    key: input.key,
    path: `${form}.${input.key}`,
    kind: input.kind ?? 'number',
    unit: input.unit ?? '',
    // The design field shows the description up to its first ";" as the label.
    description: input.description ? `${input.label}; ${input.description}` : input.label,
    required: !input.optional,
    defaultValue: input.serverDefault,
    options: input.options,
    bounds: input.bounds ?? {},
    itemBounds: input.itemBounds,
    minItems: input.minItems,
    maxItems: input.maxItems,
  }));
}

/** Writes a request's values as the form's texts, e.g. 4e-4 as "400e-6". */
export function valuesOf(fields: FieldSpec[], request: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    values[field.path] = textOf(field, request[field.key]);
  }
  return values;
}

/** Checks every field; returns the errors by field path (empty when the form is valid). */
export function validateValues(fields: FieldSpec[], values: FormValues): FormErrors {
  const errors: FormErrors = {};
  for (const field of fields) {
    const { error } = readField(field, values[field.path] ?? '');
    if (error !== undefined) errors[field.path] = error;
  }
  return errors;
}

/** Builds the request body from valid form values; empty optional fields are left out. */
export function requestOf(fields: FieldSpec[], values: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const { value } = readField(field, values[field.path] ?? '');
    if (value !== undefined) body[field.key] = value;
  }
  return body;
}

/**
 * Maps the invalid fields of a 422 response to form paths. The calculators name the
 * request field (`l`) or a list item (`loads[2]`), which maps to the list's input. A
 * simulation request also names the section (`controller.step_size`), which is dropped.
 * Errors on fields the form does not show are returned apart.
 */
export function serverErrorsOf(fields: FieldSpec[], error: unknown): { errors: FormErrors; other: string[] } {
  const errors: FormErrors = {};
  const other: string[] = [];
  if (!(error instanceof ApiError)) return { errors, other };
  for (const item of error.fieldErrors) {
    const key = item.field.replace(/\[\d+\].*$/, '').split('.').pop() ?? '';
    const field = fields.find((candidate) => candidate.key === key);
    if (field) {
      const itemIndex = /\[(\d+)\]/.exec(item.field)?.[1];
      const message = itemIndex !== undefined ? `value ${Number(itemIndex) + 1}: ${item.message}` : item.message;
      errors[field.path] = errors[field.path] ? `${errors[field.path]}; ${message}` : message;
    } else {
      other.push(`${item.field}: ${item.message}`);
    }
  }
  return { errors, other };
}
