import { z } from 'zod';
import { booleanInput, choiceInput, listInput, optionalString, requiredString, repoPathInput } from '../../core/action/inputs.js';
import type { SecretInputs } from '../../core/action/preflight.js';

/** promote-to-stable's inputs, keyed exactly as in actions/promote-to-stable/action.yml. */
export const inputSchema = z.object({
  image: requiredString(),
  source: z.string(),
  'expected-digest': optionalString().refine((v) => v === undefined || /^sha256:[0-9a-f]{64}$/.test(v), {
    message: 'must be a sha256: digest (sha256: followed by 64 lowercase hex characters)',
  }),
  tags: listInput(),
  username: z.string(),
  password: z.string(),
  insecure: booleanInput(false),
  'ledger-path': repoPathInput(),
  'ledger-write': choiceInput(['api', 'git', 'none'] as const, 'api'),
  'git-tag': z.string(),
  metrics: z.string(),
  'max-regression': z.string(),
  token: z.string(),
  rollback: booleanInput(false),
  'dry-run': booleanInput(false),
  'deploy-branch': z.string(),
  'deploy-remote': z.string(),
  'deploy-remote-branch': z.string(),
  'deploy-remote-token': z.string(),
});

export type PromoteInputs = z.infer<typeof inputSchema>;

export const outputNames = ['digest', 'previous-digest', 'tags', 'ledger-entry', 'deploy-commit', 'deploy-result', 'deploy-remote-commit'] as const;

/** Masked as soon as they are read (preflight and run). */
export const secretInputs: SecretInputs = { names: ['password', 'token', 'deploy-remote-token'] };
