/**
 * Form fields generated from a kernel's design JSON Schema (`GET /kernels/{name}/schema`),
 * with parsing and range checks that mirror the schema, so the form never submits a value
 * the server would reject for its type or range.
 */

/** The subset of JSON Schema that the kernel design schemas use. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  'x-unit'?: string;
}

export type FieldKind = 'number' | 'integer' | 'enum' | 'string' | 'numberList' | 'pairList';

/** Bounds of a number: inclusive or exclusive on either side, absent when open. */
export interface Bounds {
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
}

export interface FieldSpec {
  /** Section of the design file: `parameters`, `control`, `simulation`, `thermal`, `gate_drive`. */
  section: string;
  key: string;
  /** Path as in the design file, e.g. `parameters.v_in`. */
  path: string;
  kind: FieldKind;
  /** Unit of the value; empty for dimensionless values and choices. */
  unit: string;
  /** Description without the trailing unit in brackets. */
  description: string;
  required: boolean;
  defaultValue?: unknown;
  options?: string[];
  bounds: Bounds;
  /** Bounds of each list item (numberList), or of the value column of a pair list. */
  itemBounds?: Bounds;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
}

/** Sections with per-field forms, in the order of a design file. `devices` is edited apart. */
export const FORM_SECTIONS = ['parameters', 'control', 'simulation', 'thermal', 'gate_drive'] as const;

export const SECTION_TITLES: Record<string, string> = {
  parameters: 'Power stage',
  control: 'Control',
  simulation: 'Simulation',
  thermal: 'Thermal',
  gate_drive: 'Gate drive',
};

function boundsOf(schema: JsonSchema | undefined): Bounds {
  const bounds: Bounds = {};
  if (!schema) {
    return bounds;
  }
  if (schema.minimum !== undefined) bounds.min = schema.minimum;
  if (schema.maximum !== undefined) bounds.max = schema.maximum;
  if (schema.exclusiveMinimum !== undefined) bounds.exclusiveMin = schema.exclusiveMinimum;
  if (schema.exclusiveMaximum !== undefined) bounds.exclusiveMax = schema.exclusiveMaximum;
  return bounds;
}

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
}

/** Strips the " [unit]" suffix the schema appends to descriptions that carry a unit. */
function cleanDescription(description: string | undefined, unit: string): string {
  const text = description ?? '';
  const suffix = ` [${unit}]`;
  return unit && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
}

function fieldOf(section: string, key: string, schema: JsonSchema, required: boolean): FieldSpec | null {
  const unit = schema['x-unit'] ?? '';
  const base = {
    section,
    key,
    path: `${section}.${key}`,
    unit: unit === '1' ? '' : unit,
    description: cleanDescription(schema.description, unit),
    required,
    defaultValue: schema.default,
    bounds: boundsOf(schema),
  };
  const type = typeOf(schema);
  if (schema.enum) {
    return { ...base, kind: 'enum', options: schema.enum.map(String) };
  }
  if (type === 'number' || type === 'integer') {
    return { ...base, kind: type };
  }
  if (type === 'string') {
    return { ...base, kind: 'string', minLength: schema.minLength, maxLength: schema.maxLength };
  }
  if (type === 'array' && schema.items) {
    const itemType = typeOf(schema.items);
    if (itemType === 'number' || itemType === 'integer') {
      return { ...base, kind: 'numberList', itemBounds: boundsOf(schema.items), minItems: schema.minItems, maxItems: schema.maxItems };
    }
    if (itemType === 'array') {
      return { ...base, kind: 'pairList', itemBounds: boundsOf(schema.items.prefixItems?.[1]), minItems: schema.minItems, maxItems: schema.maxItems };
    }
  }
  // NOTE: the kernel schemas have no other field shapes. An unknown one is left out of the
  // form, and the preset's value for it is still sent unchanged.
  return null;
}

/** Field names per section in the kernel's own order (from `GET /kernels`). */
export type FieldOrder = Partial<Record<string, string[]>>;

/**
 * Lists the form fields of a design schema, section by section in design-file order.
 * Within a section the fields follow `order` (the kernel's parameter list, which groups
 * related values); names it does not list come after, in schema order.
 */
export function fieldsOf(schema: JsonSchema, order: FieldOrder = {}): FieldSpec[] {
  const fields: FieldSpec[] = [];
  for (const section of FORM_SECTIONS) {
    const sectionSchema = schema.properties?.[section];
    const required = new Set(sectionSchema?.required ?? []);
    const names = Object.keys(sectionSchema?.properties ?? {});
    const ranked = order[section] ?? [];
    const rank = (name: string) => {
      const index = ranked.indexOf(name);
      return index === -1 ? ranked.length + names.indexOf(name) : index;
    };
    for (const key of [...names].sort((a, b) => rank(a) - rank(b))) {
      const fieldSchema = sectionSchema?.properties?.[key];
      const field = fieldSchema ? fieldOf(section, key, fieldSchema, required.has(key)) : null;
      if (field) {
        fields.push(field);
      }
    }
  }
  return fields;
}

/** Formats a number for an input in engineering notation: 2.2e-6, 500e3, 0.01, 48. */
export function formatNumberInput(value: number): string {
  if (value === 0 || !Number.isFinite(value)) {
    return String(value);
  }
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-2 && magnitude < 1e5) {
    return String(Number(value.toPrecision(12)));
  }
  const exponent = Math.floor(Math.log10(magnitude) / 3) * 3;
  const mantissa = Number((value / 10 ** exponent).toPrecision(12));
  return `${mantissa}e${exponent}`;
}

/** Decimal exponent of each SI prefix the number inputs accept. */
const SI_EXPONENT: Record<string, number> = { p: -12, n: -9, u: -6, µ: -6, m: -3, k: 3, M: 6, G: 9 };

/**
 * Parses a number as an engineer types it: `400e-6`, `0.1`, or with an SI prefix `400u`,
 * `400µ`, `65k`, `2.2M`. Returns NaN for anything else. `m` is milli and `M` mega. The
 * prefix shifts the decimal exponent, so `400u` is exactly the double nearest 400e-6.
 */
export function parseNumber(text: string): number {
  const trimmed = text.trim().replace(/\s+/g, '');
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?([pnuµmkMG]?)$/.exec(trimmed);
  if (!match) {
    return Number.NaN;
  }
  const [, mantissa = '', exponent = '0', prefix = ''] = match;
  const value = Number(`${mantissa}e${Number(exponent) + (SI_EXPONENT[prefix] ?? 0)}`);
  return Number.isFinite(value) ? value : Number.NaN;
}

function formatBound(value: number, unit: string): string {
  const text = Math.abs(value) >= 1e5 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential() : String(value);
  return unit ? `${text} ${unit}` : text;
}

/** Describes the accepted range, e.g. "> 0 and ≤ 10 H". Empty for an unbounded value. */
export function describeBounds(bounds: Bounds, unit: string): string {
  const parts: string[] = [];
  if (bounds.exclusiveMin !== undefined) parts.push(`> ${formatBound(bounds.exclusiveMin, '')}`);
  else if (bounds.min !== undefined) parts.push(`≥ ${formatBound(bounds.min, '')}`);
  if (bounds.exclusiveMax !== undefined) parts.push(`< ${formatBound(bounds.exclusiveMax, '')}`);
  else if (bounds.max !== undefined) parts.push(`≤ ${formatBound(bounds.max, '')}`);
  if (parts.length === 0) {
    return '';
  }
  return unit ? `${parts.join(' and ')} ${unit}` : parts.join(' and ');
}

function inBounds(value: number, bounds: Bounds): boolean {
  if (bounds.exclusiveMin !== undefined && !(value > bounds.exclusiveMin)) return false;
  if (bounds.min !== undefined && !(value >= bounds.min)) return false;
  if (bounds.exclusiveMax !== undefined && !(value < bounds.exclusiveMax)) return false;
  if (bounds.max !== undefined && !(value <= bounds.max)) return false;
  return true;
}

function checkNumber(text: string, bounds: Bounds, unit: string, integer: boolean): { value?: number; error?: string } {
  const value = parseNumber(text);
  if (Number.isNaN(value)) {
    return { error: `"${text.trim()}" is not a number; write e.g. 400e-6 or 400u` };
  }
  if (integer && !Number.isInteger(value)) {
    return { error: `${value} is not a whole number` };
  }
  if (!inBounds(value, bounds)) {
    return { error: `${value} is out of range: accepted ${describeBounds(bounds, unit)}` };
  }
  return { value };
}

/** The result of reading one field: the value to send (absent when left empty), or an error. */
export interface FieldResult {
  value?: unknown;
  error?: string;
}

/** Reads and checks one field's text against its schema. */
export function readField(field: FieldSpec, text: string): FieldResult {
  const trimmed = text.trim();
  if (trimmed === '') {
    return field.required ? { error: 'required' } : {};
  }
  switch (field.kind) {
    case 'number':
    case 'integer':
      return checkNumber(trimmed, field.bounds, field.unit, field.kind === 'integer');
    case 'enum':
      return field.options?.includes(trimmed) ? { value: trimmed } : { error: `choose one of ${field.options?.join(', ')}` };
    case 'string':
      if (field.maxLength !== undefined && trimmed.length > field.maxLength) {
        return { error: `at most ${field.maxLength} characters` };
      }
      return { value: trimmed };
    case 'numberList':
      return readNumberList(field, trimmed);
    case 'pairList':
      return readPairList(field, trimmed);
  }
}

function checkCount(field: FieldSpec, count: number): string | undefined {
  if (field.minItems !== undefined && count < field.minItems) return `needs at least ${field.minItems} values`;
  if (field.maxItems !== undefined && count > field.maxItems) return `takes at most ${field.maxItems} values`;
  return undefined;
}

function readNumberList(field: FieldSpec, text: string): FieldResult {
  const values: number[] = [];
  for (const [index, part] of text.split(/[,;\s]+/).filter(Boolean).entries()) {
    const { value, error } = checkNumber(part, field.itemBounds ?? {}, field.unit, false);
    if (error !== undefined || value === undefined) {
      return { error: `value ${index + 1}: ${error}` };
    }
    values.push(value);
  }
  const countError = checkCount(field, values.length);
  return countError ? { error: countError } : { value: values };
}

function readPairList(field: FieldSpec, text: string): FieldResult {
  const pairs: [number, number][] = [];
  const lines = text.split(/\n|;/).map((line) => line.trim()).filter(Boolean);
  for (const [index, line] of lines.entries()) {
    const parts = line.split(/[,\s]+/).filter(Boolean);
    if (parts.length !== 2) {
      return { error: `line ${index + 1}: write "time, value"` };
    }
    const time = checkNumber(parts[0] ?? '', { min: 0 }, 's', false);
    if (time.error !== undefined || time.value === undefined) {
      return { error: `line ${index + 1}, time: ${time.error}` };
    }
    const value = checkNumber(parts[1] ?? '', field.itemBounds ?? {}, field.unit, false);
    if (value.error !== undefined || value.value === undefined) {
      return { error: `line ${index + 1}, value: ${value.error}` };
    }
    pairs.push([time.value, value.value]);
  }
  const countError = checkCount(field, pairs.length);
  return countError ? { error: countError } : { value: pairs };
}

/** Writes a design value as the text the form shows for it. */
export function textOf(field: FieldSpec, value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  const show = (item: unknown) => (typeof item === 'number' ? formatNumberInput(item) : String(item));
  if (field.kind === 'numberList' && Array.isArray(value)) {
    return value.map(show).join(', ');
  }
  if (field.kind === 'pairList' && Array.isArray(value)) {
    return value.map((pair) => (Array.isArray(pair) ? pair.map(show).join(', ') : show(pair))).join('\n');
  }
  return show(value);
}

export type FormValues = Record<string, string>;
export type FormErrors = Record<string, string>;

/** Fills the form from a design document (a preset): one text per field path. */
export function valuesFromDesign(fields: FieldSpec[], design: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const section = design[field.section];
    const value = section && typeof section === 'object' ? (section as Record<string, unknown>)[field.key] : undefined;
    values[field.path] = textOf(field, value);
  }
  return values;
}

/** Checks every field; returns the errors by field path (empty when the form is valid). */
export function validateAll(fields: FieldSpec[], values: FormValues): FormErrors {
  const errors: FormErrors = {};
  for (const field of fields) {
    const { error } = readField(field, values[field.path] ?? '');
    if (error !== undefined) {
      errors[field.path] = error;
    }
  }
  return errors;
}

/**
 * Builds the design sections from valid form values. Empty optional fields are left out,
 * so the server applies its defaults; fields the form does not show keep the preset's value.
 */
export function sectionsFromValues(
  fields: FieldSpec[],
  values: FormValues,
  base: Record<string, unknown> = {},
): Record<string, Record<string, unknown>> {
  const sections: Record<string, Record<string, unknown>> = {};
  for (const section of FORM_SECTIONS) {
    const original = base[section];
    sections[section] = original && typeof original === 'object' ? { ...(original as Record<string, unknown>) } : {};
  }
  for (const field of fields) {
    const { value } = readField(field, values[field.path] ?? '');
    const rest = Object.fromEntries(Object.entries(sections[field.section] ?? {}).filter(([key]) => key !== field.key));
    sections[field.section] = value === undefined ? rest : { ...rest, [field.key]: value };
  }
  return sections;
}

/**
 * Maps a field path of a server error to the form's path: the API calls `[control]`
 * `controller`, and list errors name an index (`parameters.l_tolerance[1]`).
 */
export function formPathOf(serverPath: string): string {
  const withoutIndex = serverPath.replace(/\[\d+\].*$/, '');
  return withoutIndex.startsWith('controller.') ? `control.${withoutIndex.slice('controller.'.length)}` : withoutIndex;
}

/** Returns the id of a field's input element, e.g. `field-parameters-v_in`. */
export function inputId(path: string): string {
  return `field-${path.replace(/\./g, '-')}`;
}

function capitalize(text: string): string {
  return text ? text[0]?.toUpperCase() + text.slice(1) : text;
}

/**
 * Label from the description up to its first ";" or ":" outside brackets, e.g. "input
 * voltage" from "input voltage; …". A bracket the cut would leave open is dropped too.
 */
export function labelOf(field: FieldSpec): string {
  const text = field.description;
  const open: number[] = [];
  let end = text.length;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '(' || char === '[') open.push(i);
    else if ((char === ')' || char === ']') && open.length > 0) open.pop();
    else if ((char === ';' || char === ':') && open.length === 0) {
      end = i;
      break;
    }
  }
  const cut = end < text.length || open.length === 0 ? end : (open[0] ?? end);
  const first = text.slice(0, cut).trim();
  return capitalize(first || field.key);
}
