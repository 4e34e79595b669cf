import { createHash } from 'node:crypto';

/** The label every issue of one incident carries: `incident:` + 12 hex of sha256(fingerprint). */
export function fingerprintLabel(fingerprint: string): string {
  return `incident:${createHash('sha256').update(fingerprint, 'utf8').digest('hex').slice(0, 12)}`;
}

export const FINGERPRINT_LABEL_RE = /^incident:[0-9a-f]{12}$/;

/** The default fingerprint: the workflow's name and the job's id, as issue 5 asks. */
export function defaultFingerprint(workflow: string, job: string): string {
  return `${workflow || 'workflow'}/${job || 'job'}`;
}
