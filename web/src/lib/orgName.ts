/** Maximum length of an organisation name, in Unicode code points after trimming, as the server enforces it. */
export const ORG_NAME_MAX = 200;

/** Checks an organisation name as the server does; returns the message to show, or null when it is valid. */
export function orgNameError(name: string): string | null {
  // The server counts code points (Rust `chars()`), and `length` would count a UTF-16 surrogate pair twice.
  const length = [...name.trim()].length;
  if (length === 0) return 'Enter a name for the organisation.';
  if (length > ORG_NAME_MAX) {
    return `The name has ${length} characters, but at most ${ORG_NAME_MAX} are allowed.`;
  }
  return null;
}
