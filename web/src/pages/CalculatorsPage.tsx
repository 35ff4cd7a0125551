import { ArrowLeft } from 'lucide-react';
import { Link, useSearchParams } from 'react-router';
import { PageHeader } from '@/components/PageHeader';
import { Button } from '@/components/ui/button';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { LclCalc } from '@/features/labs/calculators/LclCalc';
import { LlcCalc } from '@/features/labs/calculators/LlcCalc';
import { RippleCalc } from '@/features/labs/calculators/RippleCalc';

const TABS = ['ripple', 'llc', 'lcl'] as const;
type Tab = (typeof TABS)[number];

/** Design Studio calculators: inductor ripple, LLC gain curves and LCL filter sizing. */
export default function CalculatorsPage() {
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab');
  const tab: Tab = TABS.includes(requested as Tab) ? (requested as Tab) : 'ripple';
  return (
    <div>
      <PageHeader
        title="Design calculators"
        description="Closed-form sizing that returns in milliseconds, without a simulation. All values are SI."
        actions={
          <Button variant="outline" size="sm" asChild>
            <Link to="/studio">
              <ArrowLeft aria-hidden="true" /> Design Studio
            </Link>
          </Button>
        }
      />
      <Tabs value={tab} onValueChange={(value) => setParams({ tab: value }, { replace: true })}>
        <TabsList aria-label="Calculators">
          <TabsTrigger value="ripple">Inductor ripple</TabsTrigger>
          <TabsTrigger value="llc">LLC tank</TabsTrigger>
          <TabsTrigger value="lcl">LCL filter</TabsTrigger>
        </TabsList>
        <TabsContent value="ripple">
          <RippleCalc />
        </TabsContent>
        <TabsContent value="llc">
          <LlcCalc />
        </TabsContent>
        <TabsContent value="lcl">
          <LclCalc />
        </TabsContent>
      </Tabs>
    </div>
  );
}
