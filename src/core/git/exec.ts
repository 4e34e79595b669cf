import { spawn } from 'node:child_process';

/** What a process runner needs to be given. `env` is added to (not substituted for) the parent's environment. */
export interface ExecOptions {
  cwd: string;
  env?: Record<string, string>;
  input?: string;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one program with an argument array and never through a shell, so no value (a branch name, a path,
 * a commit message) can be interpreted as shell syntax. The domain takes this as a parameter so it never
 * imports @actions/*: the glue passes `actionsExec` (actions-exec.ts), tests and scripts `execFileRunner`.
 */
export type ExecFn = (file: string, args: readonly string[], opts: ExecOptions) => Promise<ExecResult>;

/**
 * ExecFn over node:child_process spawn (shell: false). Never rejects for a non-zero exit: the caller
 * decides what an exit code means; it rejects only when the program could not be started at all.
 */
export const execFileRunner: ExecFn = (file, args, opts) =>
  new Promise<ExecResult>((resolve, reject) => {
    const child = spawn(file, [...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    // A child that exits without reading its stdin makes the write fail with EPIPE; the exit code says more.
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) => {
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(opts.input ?? '');
  });
