import { z } from 'zod';
import { booleanInput, choiceInput, integerInput, listInput, shaInput, repoPathInput, branchInput } from '../../core/action/inputs.js';

/** auto-revert's inputs, keyed exactly as in actions/auto-revert/action.yml. */
export const inputSchema = z.object({
  'target-sha': shaInput(),
  'failing-sha': shaInput(),
  branch: branchInput(),
  method: choiceInput(['api', 'git'] as const, 'api'),
  'preserve-paths': listInput(),
  reason: z.string().transform((v) => (v === '' ? 'Tests failed' : v.replace(/\s*\r?\n\s*/g, ' '))),
  message: z.string(),
  'max-per-day': integerInput(3, 0, 1000),
  fallback: choiceInput(['pull-request', 'none'] as const, 'pull-request'),
  'ledger-path': repoPathInput(),
  'ledger-source': choiceInput(['auto', 'workspace', 'api'] as const, 'auto'),
  'require-checks': listInput(),
  token: z.string(),
  'dry-run': booleanInput(false),
});

export type RevertInputs = z.infer<typeof inputSchema>;

export const outputNames = ['reverted', 'revert-sha', 'target-sha', 'pull-request-url', 'reason'] as const;
