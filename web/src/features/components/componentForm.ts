// Fields and checks of the component editor.

export const KINDS = ['mosfet', 'igbt', 'diode', 'capacitor', 'inductor', 'core', 'heatsink'] as const;

export interface FormState {
  kind: string;
  vendor: string;
  pn: string;
  params: string;
}

export type FormErrors = Partial<Record<keyof FormState, string>>;

/** Checks the component form; `params` must be a JSON object. */
export function validateComponent(form: FormState): FormErrors {
  const errors: FormErrors = {};
  if (!KINDS.includes(form.kind as (typeof KINDS)[number])) errors.kind = `choose one of ${KINDS.join(', ')}`;
  if (!form.vendor.trim() || form.vendor.trim().length > 200) errors.vendor = 'a manufacturer of 1 to 200 characters is required';
  if (!form.pn.trim() || form.pn.trim().length > 200) errors.pn = 'a part number of 1 to 200 characters is required';
  try {
    const parsed: unknown = JSON.parse(form.params);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) errors.params = 'params must be a JSON object, e.g. {"r_on": 0.016}';
  } catch (error) {
    errors.params = `invalid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  return errors;
}
