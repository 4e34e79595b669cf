/**
 * Running a `run:` step as the runner does: the script in a temp file, the shell command line GitHub uses for
 * each `shell:` keyword, a process group killed on timeout, and the workflow commands (`::add-mask::`,
 * `::error::`, …) read back from stdout.
 */
import { spawn } from 'node:child_process';
import type { Annotation } from './types.js';
import { WorkflowError } from './types.js';

export interface ShellCommand {
  file: string;
  args: string[];
  /** Extension of the script file. */
  ext: string;
}

/**
 * GitHub's command line per `shell:` on Linux: unspecified → `bash -e {0}`; `bash` →
 * `bash --noprofile --norc -eo pipefail {0}`; `sh` → `sh -e {0}`; `python` → `python {0}` (python3 here);
 * a custom template must contain `{0}`. pwsh/powershell/cmd are rejected.
 */
export function shellCommand(shell: string | undefined, scriptPath: string): ShellCommand {
  const template = (() => {
    switch (shell) {
      case undefined:
        return { line: 'bash -e {0}', ext: '.sh' };
      case 'bash':
        return { line: 'bash --noprofile --norc -eo pipefail {0}', ext: '.sh' };
      case 'sh':
        return { line: 'sh -e {0}', ext: '.sh' };
      case 'python':
        return { line: 'python3 {0}', ext: '.py' };
      case 'pwsh':
      case 'powershell':
      case 'cmd':
        throw new WorkflowError(`shell: ${shell} is not supported by the local workflow executor`);
      default:
        if (!shell.includes('{0}')) throw new WorkflowError(`shell: ${JSON.stringify(shell)} is neither a known shell nor a template with {0}`);
        return { line: shell, ext: '' };
    }
  })();
  const words = template.line.trim().split(/\s+/);
  return { file: words[0]!, args: words.slice(1).map((w) => w.replace('{0}', scriptPath)), ext: template.ext };
}

export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** spawn failed (missing shell, missing working directory). */
  spawnError?: string;
}

/** Runs a command in its own process group; on timeout the whole group is killed. */
export function runProcess(file: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<ProcessResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const finish = (r: ProcessResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }
    }, Math.max(1, options.timeoutMs));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => finish({ exitCode: 1, stdout, stderr, timedOut, spawnError: `${file}: ${error.message} (cwd ${options.cwd})` }));
    child.on('close', (code, signal) => finish({ exitCode: code ?? (signal ? 128 + 9 : 1), stdout, stderr, timedOut }));
  });
}

export interface WorkflowCommands {
  masks: string[];
  annotations: Annotation[];
  /** Commands GitHub disabled or deprecated that this executor refuses (set-output, set-env, add-path). */
  refused: string[];
}

function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

/** Reads `::command props::message` lines, honouring `::stop-commands::TOKEN` … `::TOKEN::`. */
export function parseWorkflowCommands(stdout: string): WorkflowCommands {
  const result: WorkflowCommands = { masks: [], annotations: [], refused: [] };
  let stopToken: string | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line.trimStart());
    if (!m) continue;
    const [, command, , message = ''] = m;
    if (stopToken !== undefined) {
      if (command === stopToken) stopToken = undefined;
      continue;
    }
    switch (command) {
      case 'add-mask':
        if (message.trim() !== '') result.masks.push(unescapeData(message.trim()));
        break;
      case 'error':
      case 'warning':
      case 'notice':
        result.annotations.push({ level: command, message: unescapeData(message) });
        break;
      case 'stop-commands':
        stopToken = message;
        break;
      case 'set-output':
      case 'set-env':
      case 'add-path':
        result.refused.push(`::${command}:: is disabled or deprecated on GitHub: use the file in $GITHUB_${command === 'set-output' ? 'OUTPUT' : command === 'set-env' ? 'ENV' : 'PATH'}`);
        break;
      default:
        break;
    }
  }
  return result;
}

/** Replaces every mask value (3 characters or more) with `***`, longest first. */
export function maskText(text: string, masks: Iterable<string>): string {
  const values = [...new Set(masks)].filter((m) => m.length >= 3).sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of values) out = out.split(v).join('***');
  return out;
}

/** GITHUB_PATH: one directory per line. */
export function parsePathFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * GITHUB_OUTPUT / GITHUB_ENV as the runner reads them: `name=value` lines and `name<<DELIM` … `DELIM` blocks.
 * A line that is neither, or a block without its closing delimiter, fails the step (as on GitHub).
 */
export function parseFileCommand(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (heredoc > 0 && (eq < 0 || heredoc < eq)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (name.trim() === '' || delimiter === '') throw new Error(`${what}: invalid line ${JSON.stringify(line)}`);
      const body: string[] = [];
      let closed = false;
      while (++i < lines.length) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        body.push(lines[i]!);
      }
      if (!closed) throw new Error(`${what}: matching delimiter ${JSON.stringify(delimiter)} not found for ${name}`);
      out[name] = body.join('\n');
    } else if (eq > 0) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
    } else {
      throw new Error(`${what}: invalid line ${JSON.stringify(line)} (expected name=value or name<<DELIMITER)`);
    }
  }
  return out;
}
