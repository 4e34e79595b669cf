import { booleanInput, choiceInput, defineInputs, type InputsOf } from '../../core/action/inputs.js';
import type { SecretInputs } from '../../core/action/preflight.js';
import { webhookSecrets } from '../../core/notify/url.js';
import { inputSchema as revertSchema } from '../auto-revert/inputs.js';
import { inputSchema as gateSchema } from '../health-gate/inputs.js';
import { inputSchema as incidentSchema, sharedIncidentShape } from '../open-incident-issue/inputs.js';
import { inputSchema as promoteSchema } from '../promote-to-stable/inputs.js';

const gate = gateSchema.shape;
const promote = promoteSchema.shape;
const revert = revertSchema.shape;
const incident = incidentSchema.shape;

/**
 * The one-step health monitor's inputs (actions/health-monitor/action.yml): health-gate's, promote-to-stable's
 * image and registry login, auto-revert's rules for main and open-incident-issue's, under the same names and
 * parsed by the very same field types, so an input means exactly what it means on the sub-action. Every one is
 * checked before the service is probed or anything is read or changed.
 */
export const inputSchema = defineInputs({
  // health-gate
  url: gate.url,
  checks: gate.checks,
  'prometheus-url': gate['prometheus-url'],
  'prometheus-headers': gate['prometheus-headers'],
  headers: gate.headers,
  'ca-cert': gate['ca-cert'],
  attempts: gate.attempts,
  interval: gate.interval,
  'initial-delay': gate['initial-delay'],
  timeout: gate.timeout,
  deadline: gate.deadline,
  'pass-score': gate['pass-score'],
  'marginal-score': gate['marginal-score'],
  'rollback-on': gate['rollback-on'],
  // A monitor that acted did its job: the run is red only when asked (or when something it did failed).
  'fail-on': choiceInput(['critical', 'unhealthy', 'degraded', 'never'] as const, 'never'),
  // promote-to-stable (rollback of :stable to the previous good build)
  image: promote.image,
  tags: promote.tags,
  username: promote.username,
  password: promote.password,
  insecure: promote.insecure,
  'git-tag': promote['git-tag'],
  'deploy-branch': promote['deploy-branch'],
  'deploy-remote': promote['deploy-remote'],
  'deploy-remote-branch': promote['deploy-remote-branch'],
  'deploy-remote-token': promote['deploy-remote-token'],
  'ledger-path': promote['ledger-path'],
  // auto-revert (main, when its head is the bad build); also how the ledger is written
  method: revert.method,
  branch: revert.branch,
  'preserve-paths': revert['preserve-paths'],
  message: revert.message,
  'max-per-day': revert['max-per-day'],
  fallback: revert.fallback,
  'comment-on-pull-request': revert['comment-on-pull-request'],
  // open-incident-issue
  ...sharedIncidentShape,
  // all
  token: incident.token,
  'dry-run': booleanInput(false),
});

export type MonitorInputs = InputsOf<typeof inputSchema>;

export const outputNames = [
  'healthy',
  'status',
  'score',
  'report',
  'action-taken',
  'reason',
  'stable-commit',
  'stable-digest',
  'stable-since',
  'rolled-back-from',
  'revert-sha',
  'issue-number',
  'issue-url',
  'operation',
] as const;

/** Masked as soon as they are read (preflight and run). */
export const secretInputs: SecretInputs = {
  names: ['token', 'password', 'deploy-remote-token', 'webhook-url', 'headers', 'prometheus-headers'],
  parts: { 'webhook-url': webhookSecrets },
};
