import { booleanInput, choiceInput, defineInputs, listInput, optionalString, pickFields, refuse, requiredString, shaInput, text, type Field, type InputsOf } from '../../core/action/inputs.js';
import { safeUrl } from '../../core/incident/markdown.js';
import { KINDS } from '../../core/incident/kinds.js';
import { checkTitleTemplate } from '../../core/incident/title.js';
import { NOTIFY_EVENTS, type NotifyEventName } from '../../core/notify/event.js';
import { WEBHOOK_FORMATS } from '../../core/notify/message.js';
import { checkWebhookUrl, webhookSecrets } from '../../core/notify/url.js';
import { parseDuration } from '../../core/util/duration.js';
import type { SecretInputs } from '../../core/action/preflight.js';

/** A duration input (`30m`, `4h`, `1d`, `1h30m`, or seconds); empty gives the fallback. */
const durationInput =
  (fallbackMs: number): Field<number> =>
  (v) => {
    if (v === '') return fallbackMs;
    const ms = parseDuration(v);
    return ms ?? refuse(`must be a duration like 30m, 4h, 1d or 1h30m (or 0), got ${JSON.stringify(v)}`);
  };


const LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** open-incident-issue's inputs, keyed exactly as in actions/open-incident-issue/action.yml. */
export const inputSchema = defineInputs({
  mode: choiceInput(['open', 'resolve'] as const, 'open'),
  fingerprint: (v: string) => (v.length <= 500 ? optionalString()(v) : refuse('must be at most 500 characters')),
  kind: choiceInput(KINDS, 'failure'),
  title: (v: string) => {
    const problem = v === '' ? undefined : checkTitleTemplate(v);
    return problem ? refuse(problem) : optionalString()(v);
  },
  'failing-sha': shaInput(),
  'restored-sha': shaInput(),
  'run-url': (v: string) => (v === '' || safeUrl(v) !== undefined ? optionalString()(v) : refuse('must be an http(s) URL')),
  'health-report': text(),
  details: text(),
  labels: (v: string) => {
    const given = listInput()(v);
    const labels = given.length ? given : ['incident'];
    const bad = labels.find((l) => l.length > 50 || /^incident:[0-9a-f]{12}$/i.test(l));
    if (bad !== undefined) return refuse(`${JSON.stringify(bad)} is not allowed (labels are at most 50 characters; incident:<hex> is the fingerprint label greenline adds)`);
    return labels;
  },
  assignees: (v: string) => {
    const logins = listInput()(v).map((a) => a.replace(/^@/, ''));
    const bad = logins.find((a) => !LOGIN_RE.test(a));
    if (bad !== undefined) return refuse(`${JSON.stringify(bad)} is not a GitHub login`);
    if (logins.length > 10) return refuse(`at most 10 assignees, got ${logins.length}`);
    return logins;
  },
  'repeat-interval': durationInput(4 * 3_600_000),
  'reopen-window': durationInput(24 * 3_600_000),
  // Chat notifications (core/notify): checked here with everything else, before anything is read or changed.
  'webhook-url': (v: string) => {
    const problem = v === '' ? undefined : checkWebhookUrl(v).problem;
    return problem ? refuse(problem) : v;
  },
  'webhook-format': choiceInput(WEBHOOK_FORMATS, 'slack'),
  'webhook-required': booleanInput(false),
  'webhook-events': (v: string): NotifyEventName[] => {
    const events = listInput()(v);
    const bad = events.find((e) => !(NOTIFY_EVENTS as readonly string[]).includes(e));
    if (bad !== undefined) return refuse(`${JSON.stringify(bad)} is not one of ${NOTIFY_EVENTS.join(', ')}`);
    return events as NotifyEventName[];
  },
  token: requiredString('is required (the default is github.token; it needs issues: write)'),
  'dry-run': booleanInput(false),
});

export type IncidentInputs = InputsOf<typeof inputSchema>;

/**
 * The inputs an action that opens the incident itself (the one-step rollbacks) shares with open-incident-issue,
 * under the same names and parsed by the very same field types.
 */
export const sharedIncidentShape = pickFields(inputSchema.shape, [
  'fingerprint',
  'title',
  'labels',
  'assignees',
  'details',
  'repeat-interval',
  'reopen-window',
  'webhook-url',
  'webhook-format',
  'webhook-required',
  'webhook-events',
]);

export const outputNames = ['issue-number', 'issue-url', 'operation'] as const;

/** Masked as soon as they are read (preflight and run). */
export const secretInputs: SecretInputs = { names: ['token', 'webhook-url'], parts: { 'webhook-url': webhookSecrets } };

/** The incident inputs a one-step action shares with open-incident-issue (same names, same parsed values). */
export type SharedIncidentInputs = Pick<
  IncidentInputs,
  'fingerprint' | 'title' | 'labels' | 'assignees' | 'repeat-interval' | 'reopen-window' | 'webhook-url' | 'webhook-format' | 'webhook-required' | 'webhook-events' | 'token' | 'dry-run'
>;

/**
 * open-incident-issue's inputs for a one-step action (the root rollback, the health monitor): the shared ones
 * as given, the ones the action decides (kind, commits, report, details) from `decided`.
 */
export function incidentInputsOf(
  inputs: SharedIncidentInputs,
  decided: Pick<IncidentInputs, 'kind'> & Partial<Pick<IncidentInputs, 'failing-sha' | 'restored-sha' | 'health-report' | 'details'>>,
): IncidentInputs {
  return {
    mode: 'open',
    fingerprint: inputs.fingerprint,
    kind: decided.kind,
    title: inputs.title,
    'failing-sha': decided['failing-sha'],
    'restored-sha': decided['restored-sha'],
    'run-url': undefined,
    'health-report': decided['health-report'] ?? '',
    details: decided.details ?? '',
    labels: inputs.labels,
    assignees: inputs.assignees,
    'repeat-interval': inputs['repeat-interval'],
    'reopen-window': inputs['reopen-window'],
    'webhook-url': inputs['webhook-url'],
    'webhook-format': inputs['webhook-format'],
    'webhook-required': inputs['webhook-required'],
    'webhook-events': inputs['webhook-events'],
    token: inputs.token,
    'dry-run': inputs['dry-run'],
  };
}
