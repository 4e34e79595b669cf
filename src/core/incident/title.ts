import { capChars } from './markdown.js';

/**
 * The issue title template. Placeholders (documented in the action's README):
 * {kind} the incident kind in words · {branch} · {service} the repository name · {repo} owner/name ·
 * {owner} · {workflow} · {job} · {sha} the failing commit, 7 characters · {fingerprint}.
 */
export const TITLE_PLACEHOLDERS = ['kind', 'branch', 'service', 'repo', 'owner', 'workflow', 'job', 'sha', 'fingerprint'] as const;
export type TitlePlaceholder = (typeof TITLE_PLACEHOLDERS)[number];

export const DEFAULT_TITLE = 'Incident: {kind} on {branch} ({service})';

/** GitHub's limit on issue titles. */
export const MAX_TITLE = 256;

const PLACEHOLDER_RE = /\{([A-Za-z_-]+)\}/g;

/** A message describing what is wrong with the template, or undefined when it is usable. */
export function checkTitleTemplate(template: string): string | undefined {
  const unknown = [...template.matchAll(PLACEHOLDER_RE)].map((m) => m[1]!).filter((n) => !(TITLE_PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown.length) {
    return `unknown placeholder {${unknown[0]}}; use ${TITLE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`;
  }
  if (template.length > 1000) return 'is longer than 1000 characters';
  return undefined;
}

/** The title: placeholders replaced, control characters and newlines folded to spaces, at most 256 characters. */
export function renderTitle(template: string, values: Record<TitlePlaceholder, string>): string {
  const text = template
    .replace(PLACEHOLDER_RE, (m, name: string) => ((TITLE_PLACEHOLDERS as readonly string[]).includes(name) ? values[name as TitlePlaceholder] : m))
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f\s]+/g, ' ')
    .trim();
  // capChars never cuts an emoji in half: a lone surrogate is not valid UTF-8, and GitHub would get mojibake or refuse the title.
  return capChars(text || 'Incident', MAX_TITLE);
}
