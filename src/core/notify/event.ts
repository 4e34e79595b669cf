/**
 * What a chat notification says, as plain values: built from the incident's result (and the rollback's, for
 * the one-step action), turned into a Slack, Teams or JSON body by the formatters in this folder.
 * Fields marked untrusted are escaped by each formatter for its own syntax.
 */

/** The incident's operation as chat sees it: open (created), reopen, update (body only), comment, resolve. */
export type NotifyOperation = 'open' | 'reopen' | 'update' | 'comment' | 'resolve';

/** What `webhook-events` lists: `open` covers created and reopened issues. */
export const NOTIFY_EVENTS = ['open', 'update', 'comment', 'resolve'] as const;
export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];
export const DEFAULT_NOTIFY_EVENTS: readonly NotifyEventName[] = ['open', 'comment', 'resolve'];

export interface NotifyCommit {
  sha: string;
  url: string;
  /** failing: the commit that failed; healthy: the commit a resolve was run on; restored: the good build rolled back to; undone: a commit the rollback undid. */
  role: 'failing' | 'healthy' | 'restored' | 'undone';
  /** Untrusted: the commit's subject, when known. */
  subject?: string;
}

export interface NotifyEvent {
  operation: NotifyOperation;
  fingerprint: string;
  /** The fingerprint label on the issue (`incident:<12 hex>`). */
  label: string;
  kind: 'rollback' | 'health' | 'failure';
  /** FAILED, UNHEALTHY, CRITICAL, ROLLED BACK, RESOLVED… */
  status: string;
  /** Untrusted (the title template holds branch and workflow names): the issue's title. */
  title: string;
  /** owner/name */
  repository: string;
  repositoryUrl: string;
  /** Untrusted: branch names are chosen by whoever pushes. */
  branch: string;
  issue?: { number: number; url: string };
  runUrl: string;
  /** Untrusted: why people are told now (new failing commit, resolved after 1h 30m, the rollback's reason). */
  reason: string;
  /** Untrusted: what greenline did, one sentence (the one-step rollback's outcome); empty when nothing more. */
  what: string;
  commits: NotifyCommit[];
}

/** The incident operation greenline reports (open-incident-issue's `operation` output) as a chat operation. */
export function notifyOperation(operation: string): NotifyOperation | undefined {
  switch (operation) {
    case 'created':
      return 'open';
    case 'reopened':
      return 'reopen';
    case 'updated':
      return 'update';
    case 'commented':
      return 'comment';
    case 'closed':
      return 'resolve';
    default:
      return undefined;
  }
}

/** Whether `events` (the `webhook-events` input) asks for this operation. */
export function wanted(operation: NotifyOperation, events: readonly NotifyEventName[]): boolean {
  return events.includes(operation === 'reopen' ? 'open' : operation);
}

/** The headline, greenline's own words, untrusted parts left to the formatter. */
export const HEADLINE: Record<NotifyOperation, string> = {
  open: 'Incident opened',
  reopen: 'Incident reopened',
  update: 'Incident updated',
  comment: 'Incident update',
  resolve: 'Incident resolved',
};

export const EMOJI: Record<NotifyOperation, string> = {
  open: '🔴',
  reopen: '🔴',
  update: '🟠',
  comment: '🔴',
  resolve: '✅',
};

/** At most this many commits are listed; the rest is "… and N more". */
export const MAX_COMMITS = 10;
