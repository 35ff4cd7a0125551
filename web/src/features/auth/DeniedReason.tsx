/** Renders the reason next to a control the role may not use, or nothing when it is allowed. */
export function DeniedReason({ id, reason, className }: { id: string; reason: string | null; className?: string }) {
  if (reason === null) return null;
  return (
    <p id={id} data-testid="denied-reason" className={className ?? 'text-xs text-muted-foreground'}>
      {reason}
    </p>
  );
}
