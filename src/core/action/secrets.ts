/**
 * Secrets this process was given or obtained (inputs, registry tokens), kept so that everything greenline writes
 * itself can be scrubbed. No @actions/* here: the preflight check (preflight.ts) uses it before @actions/core is
 * loaded; runner.ts's addSecret also tells the runner.
 */
const secrets = new Set<string>();
/** Shorter values are masked by the runner but not scrubbed here: they would blank out ordinary words. */
const SCRUB_MIN = 6;

export function rememberSecret(value: string): void {
  if (value.length >= SCRUB_MIN) secrets.add(value);
}

/** `text` with every known secret (raw, base64, URL-encoded, JSON-escaped) replaced by `***`. */
export function scrubSecrets(text: string): string {
  if (secrets.size === 0 || !text) return text;
  const forms = new Set<string>();
  for (const s of secrets) {
    forms.add(s);
    forms.add(Buffer.from(s, 'utf8').toString('base64'));
    forms.add(Buffer.from(s, 'utf8').toString('base64').replace(/=+$/, ''));
    forms.add(encodeURIComponent(s));
    forms.add(JSON.stringify(s).slice(1, -1));
  }
  let out = text;
  for (const f of [...forms].filter((f) => f.length >= SCRUB_MIN).sort((a, b) => b.length - a.length)) out = out.split(f).join('***');
  return out;
}
