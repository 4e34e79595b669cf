import type { ExecFn } from './exec.js';

/**
 * ExecFn over @actions/exec for the glue (run.ts): silent (git output is not the action's log), exit codes
 * returned rather than thrown (the Git class interprets them). @actions/exec spawns without a shell.
 * Its `env` replaces the environment, so the parent's is merged in first. Loaded on the first git command:
 * most runs (method api, ledger-write api) never run one.
 */
export const actionsExec: ExecFn = async (file, args, opts) => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, opts.env);
  const { getExecOutput } = await import('@actions/exec');
  const out = await getExecOutput(file, [...args], {
    cwd: opts.cwd,
    env,
    silent: true,
    ignoreReturnCode: true,
    ...(opts.input !== undefined ? { input: Buffer.from(opts.input, 'utf8') } : {}),
  });
  return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr };
};
