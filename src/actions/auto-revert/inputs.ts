import { booleanInput, branchInput, choiceInput, defineInputs, integerInput, listInput, refuse, repoPathInput, shaInput, splitList, text, type Field, type InputsOf } from '../../core/action/inputs.js';
import type { SecretInputs } from '../../core/action/preflight.js';

/**
 * Files or folders inside the repository, as people write them: `./models` is `models`, `data/` is `data`.
 * Both methods (the tree API and git with literal pathspecs) take a path literally, so a glob would match
 * nothing and silently keep nothing: it is refused, like a path outside the repository.
 */
const preservePathsInput = (): Field<string[]> => (v) => {
  const out: string[] = [];
  for (const raw of splitList(v)) {
    const p = raw.replace(/^(\.\/+)+/, '').replace(/\/+$/, '');
    const shown = JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
    // eslint-disable-next-line no-control-regex -- control characters are what is being refused
    const bad = /[\x00-\x1f\x7f]/.test(raw)
      ? 'contains control characters'
      : raw.startsWith('/')
        ? 'must be relative to the repository root'
        : /[*?[]/.test(p)
          ? 'is a glob: name files or folders (globs are not supported)'
          : p === '' || p === '.'
            ? 'is the whole repository'
            : p.length > 1024 || p.split('/').some((s) => s === '..' || s === '.' || s === '')
              ? 'must be a path inside the repository (no .., no empty segments)'
              : undefined;
    if (bad) return refuse(`${shown} ${bad}`);
    if (!out.includes(p)) out.push(p);
  }
  return out;
};

/** auto-revert's inputs, keyed exactly as in actions/auto-revert/action.yml. */
export const inputSchema = defineInputs({
  'target-sha': shaInput(),
  'failing-sha': shaInput(),
  branch: branchInput(),
  method: choiceInput(['api', 'git'] as const, 'api'),
  'preserve-paths': preservePathsInput(),
  reason: (v: string) => (v === '' ? 'Tests failed' : v.replace(/\s*\r?\n\s*/g, ' ')),
  message: text(),
  'max-per-day': integerInput(3, 0, 1000),
  fallback: choiceInput(['pull-request', 'none'] as const, 'pull-request'),
  confirm: choiceInput(['none', 'rerun'] as const, 'none'),
  // GitHub keeps re-running a run up to attempt 50; past a few attempts a failure is not flaky.
  'confirm-attempts': integerInput(2, 2, 10),
  undo: choiceInput(['all', 'culprit'] as const, 'all'),
  'failed-in': choiceInput(['tests', 'production'] as const, 'tests'),
  'ledger-path': repoPathInput(),
  'ledger-source': choiceInput(['auto', 'workspace', 'api'] as const, 'auto'),
  'require-checks': listInput(),
  'comment-on-pull-request': booleanInput(true),
  token: text(),
  'dry-run': booleanInput(false),
});

export type RevertInputs = InputsOf<typeof inputSchema>;

export const outputNames = ['outcome', 'reverted', 'revert-sha', 'target-sha', 'pull-request-url', 'reason', 'stable-commit', 'stable-digest', 'stable-since', 'culprit-sha', 'kept-shas'] as const;

/** Masked as soon as they are read (preflight and run). */
export const secretInputs: SecretInputs = { names: ['token'] };
