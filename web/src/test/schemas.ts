// Kernel design schemas as the server generates them, from the committed spec/schemas/.
import interleavedBoost from '../../../spec/schemas/design-interleaved_boost.json';
import pmsmDrive from '../../../spec/schemas/design-pmsm_drive.json';
import type { JsonSchema } from '@/features/design/schemaForm';

export const interleavedBoostSchema = interleavedBoost as JsonSchema;
export const pmsmDriveSchema = pmsmDrive as JsonSchema;
