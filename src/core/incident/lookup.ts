import type { IncidentApi } from './api.js';
import { fingerprintLabel } from './fingerprint.js';
import { decodeMarker, type IncidentState } from './state.js';

/**
 * The open incident of a fingerprint, as greenline's marker in its body records it (the oldest one when a
 * race left two); undefined when none is open. One request: the issues carrying the fingerprint label.
 */
export async function openIncident(api: IncidentApi, fingerprint: string): Promise<{ number: number; state: IncidentState } | undefined> {
  const label = fingerprintLabel(fingerprint);
  const list = await api.listIssues({ labels: [label], state: 'open', sort: 'created', direction: 'asc', perPage: 100 });
  for (const issue of list.issues) {
    if (issue.isPullRequest) continue;
    const state = decodeMarker(issue.body, label, issue.createdAt);
    if (state) return { number: issue.number, state };
  }
  return undefined;
}
