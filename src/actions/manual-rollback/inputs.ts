import { booleanInput, choiceInput, defineInputs, requiredString, text, type InputsOf } from '../../core/action/inputs.js';
import type { SecretInputs } from '../../core/action/preflight.js';
import { webhookSecrets } from '../../core/notify/url.js';
import { inputSchema as revertSchema } from '../auto-revert/inputs.js';
import { sharedIncidentShape } from '../open-incident-issue/inputs.js';
import { inputSchema as promoteSchema } from '../promote-to-stable/inputs.js';

const revert = revertSchema.shape;
const promote = promoteSchema.shape;

/**
 * The one-step manual rollback's inputs (actions/manual-rollback/action.yml): the request (what, to, reason),
 * then the inputs of promote-to-stable, auto-revert and open-incident-issue it composes, under the same names
 * and parsed by the very same field types. Every one is checked before anything is read or changed.
 */
export const inputSchema = defineInputs({
  // the request, as a person dispatches it
  what: choiceInput(['image', 'main', 'both'] as const, 'image'),
  to: (v: string) => v.replace(/\s+/g, ''),
  reason: (v: string) => requiredString()(v).replace(/\s*\r?\n\s*/g, ' '),
  // :stable (promote-to-stable)
  image: text(),
  tags: promote.tags,
  username: promote.username,
  password: promote.password,
  insecure: promote.insecure,
  'git-tag': promote['git-tag'],
  // the deploy branch and its second remote follow :stable back (promote-to-stable's rules)
  'deploy-branch': promote['deploy-branch'],
  'deploy-remote': promote['deploy-remote'],
  'deploy-remote-branch': promote['deploy-remote-branch'],
  'deploy-remote-token': promote['deploy-remote-token'],
  // main (auto-revert)
  branch: revert.branch,
  method: revert.method,
  message: revert.message,
  'preserve-paths': revert['preserve-paths'],
  'max-per-day': revert['max-per-day'],
  fallback: revert.fallback,
  // the ledger both read and write
  'ledger-path': revert['ledger-path'],
  // the incident (open-incident-issue)
  incident: booleanInput(true),
  ...sharedIncidentShape,
  // all
  token: text(),
  'dry-run': booleanInput(false),
});

export type ManualRollbackInputs = InputsOf<typeof inputSchema>;

export const outputNames = [
  'stable-digest',
  'stable-commit',
  'previous-digest',
  'tags',
  'ledger-entry',
  'main-outcome',
  'reverted',
  'revert-sha',
  'target-sha',
  'pull-request-url',
  'restored-sha',
  'reason',
  'issue-number',
  'issue-url',
  'operation',
] as const;

/** Masked as soon as they are read (preflight and run). */
export const secretInputs: SecretInputs = { names: ['password', 'token', 'deploy-remote-token', 'webhook-url'], parts: { 'webhook-url': webhookSecrets } };
