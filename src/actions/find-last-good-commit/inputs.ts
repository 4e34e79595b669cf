import { branchInput, choiceInput, defineInputs, listInput, repoPathInput, shaInput, text, type InputsOf } from '../../core/action/inputs.js';
import type { SecretInputs } from '../../core/action/preflight.js';

/** find-last-good-commit's inputs, keyed exactly as in actions/find-last-good-commit/action.yml. */
export const inputSchema = defineInputs({
  'ledger-path': repoPathInput(),
  'ledger-source': choiceInput(['auto', 'workspace', 'api'] as const, 'auto'),
  head: shaInput(),
  branch: branchInput(),
  'require-checks': listInput(),
  token: text(),
});

export type FindInputs = InputsOf<typeof inputSchema>;

export const outputNames = ['found', 'sha', 'short-sha', 'image', 'digest', 'version', 'entry', 'reason', 'candidates', 'stable-commit', 'stable-digest', 'stable-since'] as const;

/** Masked as soon as they are read (preflight and run). */
export const secretInputs: SecretInputs = { names: ['token'] };
