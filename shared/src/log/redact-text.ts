export const REDACTED = '[Redacted]';

/**
 * Replaces every occurrence of the given secret values in free text, e.g. the message of a foreign
 * error that echoed a request header. Longer secrets go first so one that contains another is removed
 * whole; URL-encoded forms are removed too, since secrets often travel inside URLs.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.trim() === '') continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  let redacted = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    redacted = redacted.replaceAll(form, REDACTED);
  }
  return redacted;
}
