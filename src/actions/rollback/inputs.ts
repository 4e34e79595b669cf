import { booleanInput, choiceInput, defineInputs, text, type InputsOf } from '../../core/action/inputs.js';
import { KINDS } from '../../core/incident/kinds.js';
import { inputSchema as revertSchema } from '../auto-revert/inputs.js';
import { inputSchema as incidentSchema, sharedIncidentShape } from '../open-incident-issue/inputs.js';
import type { SecretInputs } from '../../core/action/preflight.js';
import { webhookSecrets } from '../../core/notify/url.js';

const revert = revertSchema.shape;
const incident = incidentSchema.shape;

/**
 * The one-step rollback's inputs (root action.yml): the union of what find-last-good-commit, auto-revert and
 * open-incident-issue need for a rollback, under the same names and parsed by the very same field types, so
 * an input means exactly what it means on the sub-action. Every one is checked before anything is read or
 * changed: a bad incident `title` stops the step before main is touched.
 */
export const inputSchema = defineInputs({
  // find-last-good-commit (in-process, through auto-revert) and auto-revert
  'ledger-path': revert['ledger-path'],
  'ledger-source': revert['ledger-source'],
  branch: revert.branch,
  'failing-sha': revert['failing-sha'],
  'target-sha': revert['target-sha'],
  method: revert.method,
  'preserve-paths': revert['preserve-paths'],
  reason: revert.reason,
  message: revert.message,
  'max-per-day': revert['max-per-day'],
  fallback: revert.fallback,
  confirm: revert.confirm,
  'confirm-attempts': revert['confirm-attempts'],
  undo: revert.undo,
  'require-checks': revert['require-checks'],
  'comment-on-pull-request': revert['comment-on-pull-request'],
  // open-incident-issue
  incident: booleanInput(true),
  kind: choiceInput(KINDS, 'rollback'),
  'health-report': incident['health-report'],
  ...sharedIncidentShape,
  // both
  token: text(),
  'dry-run': booleanInput(false),
});

export type RollbackInputs = InputsOf<typeof inputSchema>;

export const outputNames = [
  'found',
  'sha',
  'short-sha',
  'image',
  'digest',
  'entry',
  'target-sha',
  'outcome',
  'reverted',
  'revert-sha',
  'pull-request-url',
  'reason',
  'issue-number',
  'issue-url',
  'operation',
  'stable-commit',
  'stable-digest',
  'stable-since',
  'culprit-sha',
  'kept-shas',
] as const;

/** Masked as soon as they are read (preflight and run). */
export const secretInputs: SecretInputs = { names: ['token', 'webhook-url'], parts: { 'webhook-url': webhookSecrets } };
