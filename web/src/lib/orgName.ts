/** Maximum length of an organisation name, in characters after trimming, as the server enforces it. */
export const ORG_NAME_MAX = 200;

/** Checks an organisation name as the server does; returns the message to show, or null when it is valid. */
export function orgNameError(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'Enter a name for the organisation.';
  if (trimmed.length > ORG_NAME_MAX) {
    return `The name has ${trimmed.length} characters, but at most ${ORG_NAME_MAX} are allowed.`;
  }
  return null;
}
