import { booleanInput, choiceInput, defineInputs, listInput, refuse, repoPathInput, requiredString, text, type InputsOf } from '../../core/action/inputs.js';
import type { SecretInputs } from '../../core/action/preflight.js';

/** promote-to-stable's inputs, keyed exactly as in actions/promote-to-stable/action.yml. */
export const inputSchema = defineInputs({
  image: requiredString(),
  source: text(),
  'expected-digest': (v: string): string | undefined =>
    v === '' ? undefined : /^sha256:[0-9a-f]{64}$/.test(v) ? v : refuse('must be a sha256: digest (sha256: followed by 64 lowercase hex characters)'),
  tags: listInput(),
  username: text(),
  password: text(),
  insecure: booleanInput(false),
  'ledger-path': repoPathInput(),
  'ledger-write': choiceInput(['api', 'git', 'none'] as const, 'api'),
  'git-tag': text(),
  metrics: text(),
  'max-regression': text(),
  token: text(),
  rollback: booleanInput(false),
  'dry-run': booleanInput(false),
  'deploy-branch': text(),
  'deploy-remote': text(),
  'deploy-remote-branch': text(),
  'deploy-remote-token': text(),
});

export type PromoteInputs = InputsOf<typeof inputSchema>;

export const outputNames = ['digest', 'previous-digest', 'tags', 'ledger-entry', 'deploy-commit', 'deploy-result', 'deploy-remote-commit'] as const;

/** Masked as soon as they are read (preflight and run). */
export const secretInputs: SecretInputs = { names: ['password', 'token', 'deploy-remote-token'] };
