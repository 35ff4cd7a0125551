import { Loader2, Plus, Trash2 } from 'lucide-react';
import { useMemo, useState, type FormEvent } from 'react';
import { ApiError, type Design, type FieldError } from '@/api/client';
import { useCreateDesign, useParts } from '@/api/queries';
import { FormErrorSummary } from '@/components/FormErrorSummary';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import type { Preset } from '@/presets';
import { DesignSections } from './DesignForm';
import {
  fieldsOf,
  formPathOf,
  inputId,
  readField,
  sectionsFromValues,
  validateAll,
  valuesFromDesign,
  type FieldOrder,
  type FormErrors,
  type FormValues,
  type JsonSchema,
} from './schemaForm';
import { DeniedReason } from '@/features/auth/DeniedReason';
import { usePermission } from '@/features/auth/permissions';

interface DeviceRow {
  position: string;
  part: string;
}

function devicesOf(design: Record<string, unknown> | undefined): DeviceRow[] {
  const devices = design?.devices;
  if (!devices || typeof devices !== 'object') {
    return [];
  }
  return Object.entries(devices as Record<string, unknown>).map(([position, part]) => ({ position, part: String(part) }));
}

function DevicesEditor({ rows, onChange }: { rows: DeviceRow[]; onChange: (rows: DeviceRow[]) => void }) {
  const parts = useParts();
  const update = (index: number, change: Partial<DeviceRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <fieldset className="rounded-lg border p-4">
      <legend className="px-1 text-sm font-semibold">
        Devices <code className="font-mono text-xs font-normal text-muted-foreground">[devices]</code>
      </legend>
      <p className="mb-3 text-xs text-muted-foreground">
        A datasheet part per switch position (<code>all</code> for every position) enables datasheet losses and junction temperatures.
      </p>
      <div className="space-y-2">
        {rows.map((row, index) => (
          <div key={index} className="flex items-end gap-2">
            <div className="w-40">
              <Label htmlFor={`device-position-${index}`} className="mb-1.5 block text-xs">
                Position
              </Label>
              <Input id={`device-position-${index}`} value={row.position} onChange={(event) => update(index, { position: event.target.value })} />
            </div>
            <div className="flex-1">
              <Label htmlFor={`device-part-${index}`} className="mb-1.5 block text-xs">
                Part
              </Label>
              <NativeSelect id={`device-part-${index}`} value={row.part} onChange={(event) => update(index, { part: event.target.value })}>
                {!parts.data?.some((part) => part.name === row.part) && <option value={row.part}>{row.part || '(choose a part)'}</option>}
                {parts.data?.map((part) => (
                  <option key={part.name} value={part.name}>
                    {part.name} ({part.kind}
                    {part.v_abs_max_v ? `, ${part.v_abs_max_v} V` : ''}
                    {part.i_cont_a ? `, ${part.i_cont_a} A` : ''})
                  </option>
                ))}
              </NativeSelect>
            </div>
            <Button variant="ghost" size="icon" aria-label={`Remove device at ${row.position || 'new position'}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
              <Trash2 />
            </Button>
          </div>
        ))}
      </div>
      <Button variant="outline" size="sm" className="mt-3" onClick={() => onChange([...rows, { position: rows.length === 0 ? 'all' : '', part: '' }])}>
        <Plus /> Add device
      </Button>
    </fieldset>
  );
}

export interface DesignEditorProps {
  projectId: string;
  kernel: string;
  schema: JsonSchema;
  /** The kernel's field order per section; schema order when absent. */
  order?: FieldOrder;
  preset?: Preset;
  onCreated: (design: Design) => void;
  onCancel?: () => void;
}

/**
 * Renders the form of a new design: every field of the kernel's schema with its unit and range.
 * It submits only when every field is valid, and puts the server's 422 field errors
 * next to their fields.
 */
export function DesignEditor({ projectId, kernel, schema, order, preset, onCreated, onCancel }: DesignEditorProps) {
  const fields = useMemo(() => fieldsOf(schema, order), [schema, order]);
  const presetDesign = preset?.design;
  const [name, setName] = useState(presetDesign?.title ?? '');
  const [values, setValues] = useState<FormValues>(() => valuesFromDesign(fields, presetDesign ?? {}));
  const [devices, setDevices] = useState<DeviceRow[]>(() => devicesOf(presetDesign));
  const [errors, setErrors] = useState<FormErrors>({});
  const [otherErrors, setOtherErrors] = useState<FieldError[]>([]);
  const [showAll, setShowAll] = useState(false);
  const create = useCreateDesign(projectId);
  const permission = usePermission('design.write');

  const byPath = useMemo(() => new Map(fields.map((field) => [field.path, field])), [fields]);

  const setFieldError = (path: string, error: string | undefined) =>
    setErrors((current) => {
      const rest = Object.fromEntries(Object.entries(current).filter(([key]) => key !== path));
      return error === undefined ? rest : { ...rest, [path]: error };
    });

  const onChange = (path: string, value: string) => {
    setValues((current) => ({ ...current, [path]: value }));
    // A field that showed an error is checked again on every change, so the message goes as soon as it is fixed.
    const field = byPath.get(path);
    if (field && errors[path] !== undefined) {
      setFieldError(path, readField(field, value).error);
    }
  };

  const onBlur = (path: string) => {
    const field = byPath.get(path);
    if (field) {
      setFieldError(path, readField(field, values[path] ?? '').error);
    }
  };

  const focusField = (path: string) => {
    const element = document.getElementById(inputId(path));
    element?.focus();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!permission.allowed) return;
    const found = validateAll(fields, values);
    const trimmedName = name.trim();
    if (trimmedName.length === 0 || trimmedName.length > 200) {
      found.name = 'a name of 1 to 200 characters is required';
    }
    const badDevice = devices.find((row) => !row.position.trim() || !row.part.trim());
    if (badDevice) {
      found.devices = 'every device row needs a position and a part';
    }
    setErrors(found);
    setOtherErrors([]);
    const first = Object.keys(found)[0];
    if (first !== undefined) {
      focusField(first);
      return;
    }

    const sections = sectionsFromValues(fields, values, presetDesign ?? {});
    const body = {
      name: trimmedName,
      topology: kernel,
      parameters: sections.parameters ?? {},
      controller: sections.control ?? {},
      simulation: sections.simulation ?? {},
      ...(Object.keys(sections.thermal ?? {}).length > 0 ? { thermal: sections.thermal } : {}),
      ...(Object.keys(sections.gate_drive ?? {}).length > 0 ? { gate_drive: sections.gate_drive } : {}),
      ...(devices.length > 0 ? { devices: Object.fromEntries(devices.map((row) => [row.position.trim(), row.part.trim()])) } : {}),
    };
    try {
      const design = await create.mutateAsync(body);
      onCreated(design);
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.fieldErrors.length > 0) {
        const mapped: FormErrors = {};
        const unmatched: FieldError[] = [];
        for (const fieldError of error.fieldErrors) {
          const path = formPathOf(fieldError.field);
          if (byPath.has(path) || path === 'name') {
            mapped[path] = fieldError.message;
          } else {
            unmatched.push(fieldError);
          }
        }
        setErrors(mapped);
        setOtherErrors(unmatched);
        // Show every field the server named, even an optional one that the form hides.
        if (Object.keys(mapped).some((path) => !byPath.get(path)?.required)) {
          setShowAll(true);
        }
        const firstMapped = Object.keys(mapped)[0];
        if (firstMapped !== undefined) {
          requestAnimationFrame(() => focusField(firstMapped));
        }
      }
    }
  };

  const submitError = create.error;
  const errorCount = Object.keys(errors).length;

  return (
    <form noValidate onSubmit={submit} className="space-y-6" aria-label={`New ${kernel} design`}>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={inputId('name')}>
            Design name <span className="text-destructive" aria-hidden="true">*</span>
          </Label>
          <Input
            id={inputId('name')}
            value={name}
            maxLength={200}
            aria-required
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? 'field-name-error' : undefined}
            onChange={(event) => setName(event.target.value)}
          />
          {errors.name && (
            <p id="field-name-error" role="alert" className="text-xs font-medium text-destructive">
              {errors.name}
            </p>
          )}
        </div>
        <div className="flex items-end justify-between gap-4 text-xs text-muted-foreground">
          <p>
            {preset ? (
              <>
                Values start from <code>{preset.source}</code>.
              </>
            ) : (
              'No preset exists for this kernel: fill in the required values.'
            )}{' '}
            Numbers take SI prefixes: <code>400u</code> is 400e-6.
          </p>
          <label className="flex shrink-0 items-center gap-2 text-sm text-foreground">
            <input type="checkbox" className="size-4 accent-[var(--primary)]" checked={showAll} onChange={(event) => setShowAll(event.target.checked)} />
            Show all settings
          </label>
        </div>
      </div>

      <DesignSections fields={fields} values={values} errors={errors} showAll={showAll} onChange={onChange} onBlur={onBlur} />
      <DevicesEditor rows={devices} onChange={setDevices} />
      {errors.devices && (
        <p role="alert" className="text-xs font-medium text-destructive">
          {errors.devices}
        </p>
      )}

      <FormErrorSummary
        invalidCount={errorCount}
        action="before saving"
        rejectedTitle="The server rejected the design"
        rejected={otherErrors.map((item) => ({
          key: `${item.field}-${item.message}`,
          content: (
            <>
              <code>{item.field || 'design'}</code>: {item.message}
            </>
          ),
        }))}
      />
      {submitError && !(submitError instanceof ApiError && submitError.status === 422 && submitError.fieldErrors.length > 0) && (
        <Alert variant="destructive">
          <AlertDescription>{submitError.message}</AlertDescription>
        </Alert>
      )}

      <div className="flex flex-wrap items-center justify-end gap-2">
        <DeniedReason id="save-design-denied" reason={permission.reason} />
        {onCancel && (
          <Button variant="outline" onClick={onCancel}>
            Cancel
          </Button>
        )}
        <Button
          type="submit"
          disabled={create.isPending || !permission.allowed}
          aria-describedby={permission.reason ? 'save-design-denied' : undefined}
        >
          {create.isPending && <Loader2 className="animate-spin" aria-hidden="true" />}
          Save design
        </Button>
      </div>
    </form>
  );
}
