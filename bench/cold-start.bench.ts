// cold start: every bundle in dist/ (dist/<name>/index.js), from process start to its first output, on the
// shortest real path (a dry run where the action changes things; a loopback endpoint that answers at once for
// health-gate; found=false for find-last-good-commit), as a ratio to a minimal @actions/core +
// @actions/github + zod action bundled the same way (bench/fixtures/minimal-action, goal ≤ 1.3×). Also each
// bundle's size, its entry and chunks together (goal ≤ 1 MB). The clock starts just before spawn and stops when the first byte lands in
// GITHUB_OUTPUT (fs.watch, checked again at exit), as the runner would see it.
// Start-up cost: each bundle run with one bad input (the shortest path there is: read the inputs, refuse one,
// exit 1), from process start to process exit, against bare `node -e 0` (goal ≤ 1.5×): what a bundle loads before
// it can refuse an input is what every run pays.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { ROOT, actionYmlPath, readActionYml } from '../test/support/action-yml.js';
import { interpolate } from '../test/support/expressions.js';
import { NODE24, inputEnvName, parseOutputFile } from '../test/support/harness.js';
import { startTestService, type TestService } from '../test/support/health/service.js';
import { pushFixture, startRegistry, type TestRegistry } from '../test/support/registry.js';
import { brokenMain, workflowRunFailed, TOKEN as REVERT_TOKEN, type Scenario } from '../test/support/revert/scenario.js';
import type { Bench, BenchRow } from './types.js';

const ONE_MB = 1_000_000;

/** What one timed run starts: inputs over the action.yml defaults, extra env, the event payload. */
interface Launch {
  inputs: Record<string, string>;
  env: Record<string, string>;
  event: Record<string, unknown>;
  github: { sha: string; token: string; repository: string };
  /** Checks the run did what the row claims (e.g. a dry run that succeeded); throws otherwise. */
  verify?: (r: Timed) => void;
}

interface Timed {
  ms: number;
  /** Process start → first byte on stdout (module load and input parsing: the first log line or mask command). */
  firstLogMs?: number;
  code: number;
  outputs: Record<string, string>;
  stdout: string;
  stderr: string;
}

/** Bundles the minimal action like script/build.mjs bundles ours: transpile (tsc's emitter), then ncc -m --target es2023. */
function buildMinimal(): { bundle: string; cleanup: () => void } {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  // Inside the repository, so package.json's "type": "module" applies to the transpiled entry and
  // node_modules resolves as it does for the actions.
  const work = mkdtempSync(join(ROOT, '.tmp', 'bench-minimal-'));
  const source = readFileSync(join(import.meta.dirname, 'fixtures', 'minimal-action', 'index.ts'), 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
    fileName: 'index.ts',
  }).outputText;
  writeFileSync(join(work, 'index.js'), js);
  const out = join(work, 'dist');
  const ncc = join(ROOT, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
  const r = spawnSync(process.execPath, [ncc, 'build', join(work, 'index.js'), '-o', out, '-m', '-q', '--license', 'licenses.txt', '--target', 'es2023'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`cold-start: ncc could not bundle the minimal action: ${r.stderr}`);
  return { bundle: join(out, 'index.js'), cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

/** The environment the runner gives a step (as test/support/harness.ts builds it), with its files in `dir`. */
function runnerEnv(action: string | undefined, launch: Launch, dir: string): { env: Record<string, string>; outputFile: string } {
  const outputFile = join(dir, 'output');
  const eventFile = join(dir, 'event.json');
  writeFileSync(outputFile, '');
  writeFileSync(join(dir, 'summary'), '');
  writeFileSync(eventFile, JSON.stringify(launch.event));
  const gh = launch.github;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_WORKSPACE: dir,
    GITHUB_SHA: gh.sha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REPOSITORY: gh.repository,
    GITHUB_REPOSITORY_OWNER: gh.repository.split('/')[0] ?? '',
    GITHUB_ACTOR: 'octocat',
    GITHUB_API_URL: 'http://127.0.0.1:9/unreachable-api',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'ci',
    GITHUB_JOB: 'test',
    ...launch.env,
  };
  const meta = action ? readActionYml(action) : { inputs: {} as Record<string, { default?: string }> };
  const contexts = { github: { ...gh, actor: 'octocat', ref: 'refs/heads/main', workspace: dir, event: launch.event } };
  for (const [name, spec] of Object.entries(meta.inputs ?? {})) {
    const value = launch.inputs[name] ?? (spec.default !== undefined ? interpolate(String(spec.default), contexts) : '');
    env[inputEnvName(name)] = value;
  }
  for (const [name, value] of Object.entries(launch.inputs)) env[inputEnvName(name)] ??= value;
  return { env, outputFile };
}

/** Spawns Node 24 on a bundle and times process start → first byte in GITHUB_OUTPUT (or exit). */
function timeFirstOutput(bundle: string, action: string | undefined, launch: Launch): Promise<Timed> {
  const dir = mkdtempSync(join(tmpdir(), 'greenline-cold-'));
  const { env, outputFile } = runnerEnv(action, launch, dir);
  return new Promise<Timed>((resolve, reject) => {
    let first: number | undefined;
    let firstLog: number | undefined;
    const started = performance.now();
    const child = spawn(NODE24, [bundle], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const check = () => {
      if (first === undefined && statSync(outputFile).size > 0) first = performance.now();
    };
    const watcher = watch(outputFile, check);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      firstLog ??= performance.now();
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      const end = performance.now();
      clearTimeout(timer);
      check();
      watcher.close();
      const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
      rmSync(dir, { recursive: true, force: true });
      resolve({ ms: (first ?? end) - started, ...(firstLog !== undefined ? { firstLogMs: firstLog - started } : {}), code: code ?? 1, outputs, stdout, stderr });
    });
  });
}

/** Spawns Node 24 with `args` in the runner's environment and times process start → process exit. */
function timeToExit(args: string[], action: string | undefined, launch: Launch): Promise<Timed> {
  const dir = mkdtempSync(join(tmpdir(), 'greenline-exit-'));
  const { env, outputFile } = runnerEnv(action, launch, dir);
  return new Promise<Timed>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(NODE24, args, { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      child.on('close', () => {
        const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
        rmSync(dir, { recursive: true, force: true });
        resolve({ ms, code: code ?? 1, outputs, stdout, stderr });
      });
    });
  });
}

/** One input each bundle refuses before it reads or changes anything (the input named in the error line). */
const BAD_INPUT: Record<string, [string, string]> = {
  'promote-to-stable': ['image', ''],
  'find-last-good-commit': ['ledger-source', 'nowhere'],
  'auto-revert': ['method', 'ftp'],
  'health-gate': ['url', 'not a url'],
  'open-incident-issue': ['kind', 'outage'],
  'health-monitor': ['url', 'not a url'],
  rollback: ['method', 'ftp'],
  'manual-rollback': ['what', 'sideways'],
};

/** The action.yml behind dist/<name>: actions/<name>/action.yml, or the root one for the one-step rollback. */
function hasMetadata(name: string): boolean {
  return existsSync(actionYmlPath(name));
}

/** The bytes of every .js file in a bundle folder: the entry and each chunk behind a dynamic import(). */
function jsBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const expectSuccess = (what: string) => (r: Timed) => {
  if (r.code !== 0) throw new Error(`cold-start: ${what} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
};

const bench: Bench = async ({ quick }) => {
  const bundles = readdirSync(join(ROOT, 'dist'))
    .filter((n) => existsSync(join(ROOT, 'dist', n, 'index.js')) && hasMetadata(n))
    .sort();
  const minimal = buildMinimal();
  let registry: TestRegistry | undefined;
  let service: TestService | undefined;
  let scenario: Scenario | undefined;
  try {
    registry = await startRegistry();
    const repository = 'bench/cold';
    const sha = 'c01d57a7c01d57a7c01d57a7c01d57a7c01d57a7';
    await pushFixture(registry, 'oci-index', { repository, tag: sha });
    service = await startTestService();
    scenario = await brokenMain();
    const s = scenario;
    const apiEnv = { GITHUB_API_URL: s.api.url, GITHUB_SERVER_URL: s.api.serverUrl, GITHUB_REPOSITORY: 'owner/app', GITHUB_EVENT_NAME: 'workflow_run' };
    const onFailure = (failing: string): Pick<Launch, 'env' | 'event' | 'github'> => ({
      env: apiEnv,
      event: workflowRunFailed(failing),
      github: { sha: failing, token: REVERT_TOKEN, repository: 'owner/app' },
    });

    const launches: Record<string, Launch> = {
      'promote-to-stable': {
        inputs: { image: `${registry.host}/${repository}`, 'dry-run': 'true', 'ledger-write': 'none', 'git-tag': '', password: '' },
        env: {},
        event: {},
        github: { sha, token: 'ghs_unused', repository: 'owner/app' },
        verify: (r) => {
          expectSuccess('promote-to-stable dry run')(r);
          if (!r.outputs.digest?.startsWith('sha256:')) throw new Error(`cold-start: promote-to-stable dry run wrote no digest\n${r.stdout}`);
        },
      },
      'health-gate': {
        inputs: { url: service.url, attempts: '1', interval: '0s', timeout: '5s' },
        env: {},
        event: {},
        github: { sha, token: 'ghs_unused', repository: 'owner/app' },
        verify: (r) => {
          expectSuccess('health-gate')(r);
          if (r.outputs.status !== 'HEALTHY') throw new Error(`cold-start: health-gate says ${r.outputs.status}\n${r.stdout}`);
        },
      },
      // The good commit itself as the head: the ledger does not exist there, so found=false at once.
      'find-last-good-commit': {
        inputs: {},
        ...onFailure(s.g),
        verify: (r) => {
          expectSuccess('find-last-good-commit')(r);
          if (r.outputs.found !== 'false') throw new Error(`cold-start: find-last-good-commit found=${r.outputs.found}\n${r.stdout}`);
        },
      },
      'auto-revert': { inputs: { 'dry-run': 'true' }, ...onFailure(s.fail), verify: expectSuccess('auto-revert dry run') },
      'open-incident-issue': { inputs: { 'dry-run': 'true' }, ...onFailure(s.fail), verify: expectSuccess('open-incident-issue dry run') },
      // main alone to the last good build: no image to resolve, the revert and the incident as dry runs.
      'manual-rollback': { inputs: { what: 'main', to: 'previous', reason: 'bench', 'dry-run': 'true' }, ...onFailure(s.fail), verify: expectSuccess('manual-rollback dry run') },
      // A healthy service with no incident open: the gate, one read of the ledger and of the incidents, nothing written.
      'health-monitor': {
        inputs: { image: `${registry.host}/${repository}`, url: service.url, attempts: '1', interval: '0s', timeout: '5s', 'dry-run': 'true' },
        ...onFailure(s.fail),
        verify: (r) => {
          expectSuccess('health-monitor dry run')(r);
          if (r.outputs['action-taken'] !== 'none' || r.outputs.healthy !== 'true') throw new Error(`cold-start: health-monitor did ${r.outputs['action-taken']} (${r.outputs.status})\n${r.stdout}`);
        },
      },
    };
    // An action added later (the one-step rollback): a dry run on the broken-main scenario when it has one.
    for (const name of bundles) {
      if (launches[name]) continue;
      const inputs = readActionYml(name).inputs ?? {};
      launches[name] = { inputs: 'dry-run' in inputs ? { 'dry-run': 'true' } : {}, ...onFailure(s.fail) };
    }
    const minimalLaunch: Launch = {
      inputs: { name: 'bench', token: 'ghs_unused' },
      env: {},
      event: {},
      github: { sha, token: 'ghs_unused', repository: 'owner/app' },
      verify: (r) => {
        if (!r.outputs.greeting) throw new Error(`cold-start: the minimal action wrote no output\n${r.stdout}\n${r.stderr}`);
      },
    };

    const runs = quick ? 1 : 9;
    // Warm the page cache and the registry/stand-in once for every bundle, then interleave: each round times
    // the minimal bundle and every action once, so drift on a shared machine hits all of them alike.
    const all = [{ name: 'minimal', bundle: minimal.bundle, launch: minimalLaunch, action: undefined as string | undefined }].concat(
      bundles.map((name) => ({ name, bundle: join(ROOT, 'dist', name, 'index.js'), launch: launches[name]!, action: name as string | undefined })),
    );
    for (const b of all) b.launch.verify?.(await timeFirstOutput(b.bundle, b.action, b.launch));
    const times = new Map<string, number[]>(all.map((b) => [b.name, []]));
    const logTimes = new Map<string, number[]>(all.map((b) => [b.name, []]));
    const standin = new Map<string, Array<{ requests: number; ms: number }>>(all.map((b) => [b.name, []]));
    for (let i = 0; i < runs; i++) {
      for (const b of all) {
        const before = s.api.requests.length;
        const r = await timeFirstOutput(b.bundle, b.action, b.launch);
        b.launch.verify?.(r);
        times.get(b.name)!.push(r.ms);
        if (r.firstLogMs !== undefined) logTimes.get(b.name)!.push(r.firstLogMs);
        const served = s.api.requests.slice(before);
        standin.get(b.name)!.push({ requests: served.length, ms: served.reduce((n, q) => n + q.ms, 0) });
      }
    }
    // Start-up: a bad-input run of each bundle, start → exit, interleaved with bare `node -e 0`.
    const bare: Launch = { inputs: {}, env: {}, event: {}, github: { sha, token: 'ghs_unused', repository: 'owner/app' } };
    const badRuns = bundles.map((name) => {
      const [input, value] = BAD_INPUT[name] ?? ['dry-run', 'maybe'];
      const launch: Launch = {
        ...launches[name]!,
        inputs: { ...launches[name]!.inputs, [input]: value },
        verify: (r) => {
          if (r.code !== 1 || !r.stdout.includes(`::error::Input "${input}":`)) throw new Error(`cold-start: ${name} with a bad ${input} did not refuse it (exit ${r.code})\n${r.stdout}\n${r.stderr}`);
        },
      };
      return { name, launch };
    });
    const exitTimes = new Map<string, number[]>([['node -e 0', []], ...bundles.map((n) => [n, []] as [string, number[]])]);
    for (const b of badRuns) b.launch.verify!(await timeToExit([join(ROOT, 'dist', b.name, 'index.js')], b.name, b.launch));
    for (let i = 0; i < (quick ? 1 : 15); i++) {
      exitTimes.get('node -e 0')!.push((await timeToExit(['-e', '0'], undefined, bare)).ms);
      for (const b of badRuns) {
        const r = await timeToExit([join(ROOT, 'dist', b.name, 'index.js')], b.name, b.launch);
        b.launch.verify!(r);
        exitTimes.get(b.name)!.push(r.ms);
      }
    }

    const peer = median(times.get('minimal')!);
    const minimalSize = jsBytes(dirname(minimal.bundle));
    const rows: BenchRow[] = [];
    for (const name of bundles) {
      const t = median(times.get(name)!);
      const ratio = t / peer;
      const api = standin.get(name)!;
      const apiRequests = median(api.map((x) => x.requests));
      const apiMs = median(api.map((x) => x.ms));
      rows.push({
        bench: 'cold-start',
        metric: `${name}: process start → first output (${describePath(name)}, median of ${runs})`,
        value: `${t.toFixed(0)} ms${apiRequests ? ` (of which the GitHub stand-in answering ${apiRequests} requests: ${apiMs.toFixed(0)} ms)` : ''}`,
        peer: `minimal core+github+zod bundle: ${peer.toFixed(0)} ms`,
        ratio,
        goal: '≤ 1.3×',
        met: ratio <= 1.3,
      });
    }
    const bareNode = median(exitTimes.get('node -e 0')!);
    for (const name of bundles) {
      const t = median(exitTimes.get(name)!);
      rows.push({
        bench: 'cold-start',
        metric: `${name}: start-up, process start → exit on a bad input (${BAD_INPUT[name]?.[0] ?? 'dry-run'}), median of ${exitTimes.get(name)!.length}`,
        value: `${t.toFixed(0)} ms`,
        peer: `bare node -e 0: ${bareNode.toFixed(0)} ms`,
        ratio: t / bareNode,
        goal: '≤ 1.5×',
        met: t / bareNode <= 1.5,
      });
    }
    // Informative: the load alone (module evaluation and input parsing), up to the first byte the bundle logs.
    for (const name of bundles) {
      const logs = logTimes.get(name)!;
      if (logs.length === 0) continue;
      const t = median(logs);
      rows.push({
        bench: 'cold-start',
        metric: `(informative) ${name}: process start → first log line (load + inputs, before any request)`,
        value: `${t.toFixed(0)} ms`,
        peer: `minimal bundle, start → output: ${peer.toFixed(0)} ms`,
        ratio: t / peer,
        goal: '≤ 1.3×',
      });
    }
    for (const name of bundles) {
      const size = jsBytes(join(ROOT, 'dist', name));
      rows.push({
        bench: 'cold-start',
        metric: `${name}: bundle size (dist/${name}/*.js: the entry and the chunks it may load)`,
        value: `${(size / 1000).toFixed(0)} kB`,
        peer: `minimal bundle: ${(minimalSize / 1000).toFixed(0)} kB`,
        ratio: size / minimalSize,
        goal: '≤ 1 MB',
        met: size <= ONE_MB,
      });
    }
    return rows;
  } finally {
    await scenario?.stop();
    await service?.close();
    await registry?.stop();
    minimal.cleanup();
  }
};

function describePath(name: string): string {
  switch (name) {
    case 'health-gate':
      return 'loopback service, 6 checks × 1 attempt';
    case 'find-last-good-commit':
      return 'API, answers found=false';
    default:
      return 'dry run';
  }
}

export default bench;
