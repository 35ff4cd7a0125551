import { useState } from 'react';
import { PageHeader } from '@/components/PageHeader';
import { PV_DEFAULTS } from '@/features/labs/inputs';
import { MpptRun } from '@/features/labs/pv/MpptRun';
import { PvCurves } from '@/features/labs/pv/PvCurves';

/** PV/MPPT Lab: module curves at several irradiance levels and an MPPT run on irradiance ramps. */
export default function PvLabPage() {
  const [string, setString] = useState({ module: PV_DEFAULTS.module, series: PV_DEFAULTS.series });
  return (
    <div className="space-y-6">
      <PageHeader
        title="PV/MPPT Lab"
        description="I-V and P-V curves of a CEC module string, and how an MPPT tracker follows the EN 50530 irradiance ramps."
      />
      <PvCurves onComputed={(module, series) => setString({ module, series })} />
      <MpptRun module={string.module} series={string.series} />
    </div>
  );
}
