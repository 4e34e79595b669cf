import type { IncidentConfig, IncidentResult } from '../incident/incident.js';
import { commitUrl } from '../incident/render.js';
import { type NotifyCommit, type NotifyEvent, notifyOperation } from './event.js';

export interface EventExtras {
  /** What greenline did (the one-step rollback's outcome), one sentence. */
  what?: string;
  /** More commits than the failing and restored ones: the commits a rollback undid, with their subjects. */
  commits?: Array<{ sha: string; subject: string }>;
  /** Why people are told now, instead of the incident's own reason (e.g. why there is no issue). */
  reason?: string;
}

/** The chat event for what runIncident did, or undefined when it did nothing (operation none). */
export function incidentEvent(config: IncidentConfig, result: IncidentResult, extras: EventExtras = {}): NotifyEvent | undefined {
  const operation = notifyOperation(result.operation);
  if (!operation) return undefined;
  const { place } = config;
  const commits: NotifyCommit[] = [];
  const add = (sha: string, role: NotifyCommit['role'], subject?: string) => {
    if (sha && !commits.some((c) => c.sha === sha)) commits.push({ sha, role, url: commitUrl(place, sha), ...(subject !== undefined ? { subject } : {}) });
  };
  const undone = new Map((extras.commits ?? []).map((c) => [c.sha, c.subject]));
  add(config.failingSha, config.mode === 'resolve' ? 'healthy' : 'failing', undone.get(config.failingSha));
  if (config.mode === 'open') add(config.restoredSha, 'restored');
  for (const c of extras.commits ?? []) add(c.sha, 'undone', c.subject);
  return {
    operation,
    fingerprint: config.fingerprint,
    label: result.label,
    kind: config.kind,
    status: result.status,
    title: config.title,
    repository: `${place.owner}/${place.repo}`,
    repositoryUrl: `${place.serverUrl}/${place.owner}/${place.repo}`,
    branch: place.branch,
    ...(result.issueNumber !== undefined && result.issueUrl ? { issue: { number: result.issueNumber, url: result.issueUrl } } : {}),
    runUrl: config.runUrl,
    // "no open incident for this fingerprint" is why an issue was created, not news for chat.
    reason: extras.reason ?? (operation === 'open' ? '' : result.reason),
    what: extras.what ?? '',
    commits,
  };
}
