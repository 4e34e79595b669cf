import { z } from 'zod';
import { booleanInput, choiceInput, listInput, optionalString, shaInput } from '../../core/action/inputs.js';
import { safeUrl } from '../../core/incident/markdown.js';
import { KINDS } from '../../core/incident/state.js';
import { checkTitleTemplate } from '../../core/incident/title.js';
import { NOTIFY_EVENTS, type NotifyEventName } from '../../core/notify/event.js';
import { WEBHOOK_FORMATS } from '../../core/notify/message.js';
import { checkWebhookUrl, webhookSecrets } from '../../core/notify/url.js';
import { parseDuration } from '../../core/util/duration.js';
import type { SecretInputs } from '../../core/action/preflight.js';

/** A duration input (`30m`, `4h`, `1d`, `1h30m`, or seconds); empty gives the fallback. */
const durationInput = (fallbackMs: number) =>
  z.string().transform((v, ctx) => {
    if (v === '') return fallbackMs;
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be a duration like 30m, 4h, 1d or 1h30m (or 0), got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return ms;
  });

const LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** open-incident-issue's inputs, keyed exactly as in actions/open-incident-issue/action.yml. */
export const inputSchema = z.object({
  mode: choiceInput(['open', 'resolve'] as const, 'open'),
  fingerprint: optionalString().refine((v) => v === undefined || v.length <= 500, { message: 'must be at most 500 characters' }),
  kind: choiceInput(KINDS, 'failure'),
  title: optionalString().superRefine((v, ctx) => {
    const problem = v === undefined ? undefined : checkTitleTemplate(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  'failing-sha': shaInput(),
  'restored-sha': shaInput(),
  'run-url': optionalString().refine((v) => v === undefined || safeUrl(v) !== undefined, { message: 'must be an http(s) URL' }),
  'health-report': z.string(),
  details: z.string(),
  labels: listInput().transform((v, ctx) => {
    const labels = v.length ? v : ['incident'];
    const bad = labels.find((l) => l.length > 50 || /^incident:[0-9a-f]{12}$/i.test(l));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(bad)} is not allowed (labels are at most 50 characters; incident:<hex> is the fingerprint label greenline adds)` });
      return z.NEVER;
    }
    return labels;
  }),
  assignees: listInput().transform((v, ctx) => {
    const logins = v.map((a) => a.replace(/^@/, ''));
    const bad = logins.find((a) => !LOGIN_RE.test(a));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(bad)} is not a GitHub login` });
      return z.NEVER;
    }
    if (logins.length > 10) {
      ctx.addIssue({ code: 'custom', message: `at most 10 assignees, got ${logins.length}` });
      return z.NEVER;
    }
    return logins;
  }),
  'repeat-interval': durationInput(4 * 3_600_000),
  'reopen-window': durationInput(24 * 3_600_000),
  // Chat notifications (core/notify): checked here with everything else, before anything is read or changed.
  'webhook-url': z.string().superRefine((v, ctx) => {
    const problem = v === '' ? undefined : checkWebhookUrl(v).problem;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  'webhook-format': choiceInput(WEBHOOK_FORMATS, 'slack'),
  'webhook-required': booleanInput(false),
  'webhook-events': listInput().transform((v, ctx) => {
    const bad = v.find((e) => !(NOTIFY_EVENTS as readonly string[]).includes(e));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(bad)} is not one of ${NOTIFY_EVENTS.join(', ')}` });
      return z.NEVER;
    }
    return v as NotifyEventName[];
  }),
  token: z.string().min(1, { message: 'is required (the default is github.token; it needs issues: write)' }),
  'dry-run': booleanInput(false),
});

export type IncidentInputs = z.infer<typeof inputSchema>;

/**
 * The inputs an action that opens the incident itself (the one-step rollbacks) shares with open-incident-issue,
 * under the same names and parsed by the very same field types.
 */
export const sharedIncidentShape = inputSchema.pick({
  fingerprint: true,
  title: true,
  labels: true,
  assignees: true,
  details: true,
  'repeat-interval': true,
  'reopen-window': true,
  'webhook-url': true,
  'webhook-format': true,
  'webhook-required': true,
  'webhook-events': true,
}).shape;

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
