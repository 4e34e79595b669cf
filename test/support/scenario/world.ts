/**
 * The world seed 002's story runs in, all real and all on this machine: a CNCF registry (docker-registry), the
 * app's bare git remote, the GitHub API stand-in over it (issues, labels, comments, contents, git data), the
 * service (a loopback HTTP server whose behaviour is whatever build is deployed) with a real Prometheus
 * scraping its /metrics, and the three example workflow files run by the local workflow executor with
 * greenline's bundles. Shared by test/e2e/scenario.test.ts and script/demo.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseLedger } from '../../../src/core/ledger/parse.js';
import type { LedgerEntry } from '../../../src/core/ledger/types.js';
import { ROOT } from '../action-yml.js';
import { startGitHubStandin, type GitHubStandin } from '../github-standin/index.js';
import type { CommentRecord, IssueRecord } from '../github-standin/state.js';
import { startPrometheus, type RunningPrometheus } from '../health/prometheus.js';
import { HEALTHY_ROUTES, startTestService, type TestService } from '../health/service.js';
import { getManifestRaw, pushFixture, startRegistry, type TestRegistry } from '../registry.js';
import { tempDir, type TempDir } from '../tmp.js';
import { checkout, noop, pushPayload, runWorkflow, type Emulation, type TimelineEvent, type WorkflowTrace } from '../workflow/index.js';
import { AppRepo } from './app.js';

const exec = promisify(execFile);

export const OWNER = 'acme';
export const REPO = 'app';
export const REPOSITORY = `${OWNER}/${REPO}`;
export const TOKEN = 'ghs_scenarioWorldToken0123456789abcdef';
export const LEDGER = 'docs/ML_EXPERIMENT_RESULTS.md';
/** The ref the example workflows use greenline at: the major tag `v1` that script/release moves. */
export const GREENLINE_REF = 'v1';
export const WORKFLOWS = join(ROOT, 'examples', 'workflows');
/** ci-cd.yml's INCIDENT and the branch: the rollback incident's fingerprint. */
export const CI_INCIDENT = 'ci-cd rollback main';
export const HEALTH_INCIDENT = 'health-monitor';
/** The error-rate window the monitor uses here: short, so a deploy shows within seconds. */
export const ERROR_RATE_WINDOW = '10s';
/** health-monitor.yml's error-rate query (the same text, with the window above). */
export const ERROR_RATE_QUERY = `sum(rate(http_requests_total{status=~"5.."}[${ERROR_RATE_WINDOW}])) / sum(rate(http_requests_total[${ERROR_RATE_WINDOW}]))`;
/** A broken build fails half of the requests it serves. */
const BROKEN_ERROR_RATIO = 0.5;

export interface Build {
  sha: string;
  digest: string;
}

export interface Deployment {
  digest: string;
  sha: string;
  ok: boolean;
  /** The entrypoint's answer, or its first error line. */
  output: string;
}

export interface ScenarioWorld {
  dir: TempDir;
  registry: TestRegistry;
  repo: AppRepo;
  standin: GitHubStandin;
  service: TestService;
  prometheus: RunningPrometheus;
  /** The image repository deploys read :stable from (`127.0.0.1:PORT/acme/app`). */
  image: string;
  /** Every image the build job pushed: digest → the commit it was built from (its revision label). */
  builds: Map<string, string>;
  deployed?: Deployment;
  /** Runs ci-cd.yml for a push of `sha` to main, as GitHub would (no run when the commit says [skip ci]). */
  ciCd(sha: string): Promise<WorkflowTrace>;
  /** Runs rollback.yml as a person dispatching it from main (inputs what, to, reason). */
  manualRollback(inputs: { what: 'image' | 'main' | 'both'; to: string; reason: string }): Promise<WorkflowTrace>;
  /** Runs health-monitor.yml as its 5-minute schedule does, on main's head. */
  monitor(): Promise<WorkflowTrace>;
  /** The deployer: the service now runs the build :stable points at (its code decides how it behaves). */
  deploy(): Promise<Deployment>;
  /** Polls Prometheus until the service's error rate satisfies `accept`; returns it. */
  errorRate(accept: (rate: number) => boolean, timeoutMs?: number): Promise<number>;
  /** The digest a tag of the image serves now. */
  tagDigest(tag: string): Promise<string | undefined>;
  /** The ledger on main, as text and parsed. */
  ledger(): Promise<{ text: string; entries: LedgerEntry[] }>;
  /** Seed 000's one-liner, run by bash on main's ledger. */
  oneLiner(): Promise<string>;
  issues(): IssueRecord[];
  comments(issue: number): CommentRecord[];
  stop(): Promise<void>;
}

export interface WorldOptions {
  onEvent?: (event: TimelineEvent) => void;
}

/** Starts everything (about 5 seconds: the registry and Prometheus are real processes). */
export async function startWorld(options: WorldOptions = {}): Promise<ScenarioWorld> {
  const dir = await tempDir('greenline-scenario-');
  const stops: Array<() => Promise<void>> = [() => dir.cleanup()];
  const stopAll = async () => {
    // Everything is stopped; the stand-in's schema violations (thrown by its stop) are reported after.
    const errors: unknown[] = [];
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => errors.push(error));
    const violations = errors.find((e) => e instanceof Error && /OpenAPI description/.test(e.message));
    if (violations) throw violations;
  };
  try {
    const registry = await startRegistry();
    stops.push(() => registry.stop());
    const repo = await AppRepo.create(dir.path);
    const standin = await startGitHubStandin({ owner: OWNER, repo: REPO, bareRepoPath: repo.bare, token: TOKEN, actor: 'github-actions[bot]' });
    stops.push(() => standin.stop());
    const service = await startTestService();
    stops.push(() => service.close());
    const prometheus = await startPrometheus([`127.0.0.1:${service.port}`]);
    stops.push(() => prometheus.stop());
    const image = `${registry.host}/${REPOSITORY}`;
    const builds = new Map<string, string>();
    let runId = 1000;

    // docker/build-push-action: pushes a multi-arch image (amd64, arm64, attestation) tagged as asked, and
    // answers its digest, as the real action does. The image's revision label says which commit it is.
    const buildPush: Emulation = async (ctx) => {
      if (ctx.with.push !== 'true') throw new Error('build-push emulation: only push: true is supported');
      const tags = ctx.with.tags?.split(/[\n,]/).map((t) => t.trim()).filter(Boolean) ?? [];
      if (tags.length !== 1) throw new Error(`build-push emulation: expected one tag, got ${JSON.stringify(ctx.with.tags)}`);
      const ref = tags[0]!;
      const at = ref.lastIndexOf(':');
      if (at <= ref.lastIndexOf('/') || !ref.startsWith(`${registry.host}/`)) throw new Error(`build-push emulation: ${ref} is not ${registry.host}/<repository>:<tag>`);
      const revision = /org\.opencontainers\.image\.revision=([0-9a-f]{40})/.exec(ctx.with.labels ?? '')?.[1];
      if (!revision) throw new Error('build-push emulation: no org.opencontainers.image.revision label');
      const fixture = await pushFixture(registry, 'oci-index', { repository: ref.slice(registry.host.length + 1, at), tag: ref.slice(at + 1) });
      builds.set(fixture.digest, revision);
      ctx.log(`pushed ${ref} (OCI index: linux/amd64, linux/arm64, attestation) as ${fixture.digest}`);
      return { outputs: { digest: fixture.digest, imageid: fixture.children[0]!.digest, metadata: JSON.stringify({ 'containerimage.digest': fixture.digest }) } };
    };
    const emulations: Record<string, Emulation> = {
      'actions/checkout': checkout({ remote: repo.bare }),
      'docker/setup-qemu-action': noop(),
      'docker/setup-buildx-action': noop(),
      'docker/login-action': noop('the local registry needs no login'),
      'docker/build-push-action': buildPush,
    };
    const github = (sha: string) => ({
      sha,
      repository: REPOSITORY,
      actor: 'dana',
      token: TOKEN,
      api_url: standin.url,
      server_url: standin.serverUrl,
      run_id: String(++runId),
      run_number: String(runId - 1000),
    });
    const common = {
      workspaceRoot: join(dir.path, 'runners'),
      emulations,
      greenlineRef: GREENLINE_REF,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    };

    const world: ScenarioWorld = {
      dir,
      registry,
      repo,
      standin,
      service,
      prometheus,
      image,
      builds,
      ciCd: (sha) =>
        runWorkflow({
          ...common,
          file: join(WORKFLOWS, 'ci-cd.yml'),
          event: 'push',
          payload: pushPayload(repo.bare, sha),
          github: github(sha),
          workflowEnv: { IMAGE: image },
        }),
      async manualRollback(inputs) {
        return runWorkflow({
          ...common,
          file: join(WORKFLOWS, 'rollback.yml'),
          event: 'workflow_dispatch',
          inputs,
          github: { ...github(await repo.head()), ref: 'refs/heads/main' },
          workflowEnv: { IMAGE: image },
        });
      },
      async monitor() {
        return runWorkflow({
          ...common,
          file: join(WORKFLOWS, 'health-monitor.yml'),
          event: 'schedule',
          github: github(await repo.head()),
          workflowEnv: {
            IMAGE: image,
            SERVICE_URL: service.url,
            HEALTH_ATTEMPTS: '1',
            HEALTH_INTERVAL: '1s',
            PROMETHEUS_URL: prometheus.url,
            ERROR_RATE_WINDOW,
          },
        });
      },
      async deploy() {
        const digest = await world.tagDigest('stable');
        if (!digest) throw new Error('deploy: the image has no :stable tag');
        const sha = builds.get(digest);
        if (!sha) throw new Error(`deploy: :stable is ${digest}, which no build of this scenario pushed`);
        const run = await repo.serve(sha, join(dir.path, 'deployed'));
        if (run.ok) {
          for (const [path, answer] of Object.entries(HEALTHY_ROUTES)) service.route(path, answer);
          service.traffic('app', 0);
        } else {
          service.route('/health', { status: 500, body: JSON.stringify({ status: 'error', error: run.output }), headers: { 'content-type': 'application/json' } });
          service.traffic('app', BROKEN_ERROR_RATIO);
        }
        world.deployed = { digest, sha, ok: run.ok, output: run.output };
        return world.deployed;
      },
      async errorRate(accept, timeoutMs = 30_000) {
        const samples = await prometheus.waitFor(ERROR_RATE_QUERY, (r) => r.length === 1 && accept(Number(r[0]!.value[1])), timeoutMs);
        return Number(samples[0]!.value[1]);
      },
      async tagDigest(tag) {
        const raw = await getManifestRaw(registry, REPOSITORY, tag);
        return raw.status === 200 ? (raw.digestHeader ?? undefined) : undefined;
      },
      async ledger() {
        const text = (await repo.show('refs/heads/main', LEDGER)) ?? '';
        return { text, entries: parseLedger(text).entries };
      },
      async oneLiner() {
        const path = join(dir.path, 'ledger-for-one-liner.md');
        await mkdir(dir.path, { recursive: true });
        await writeFile(path, (await world.ledger()).text);
        const script = 'grep -B 3 "Status: ✅ Tests Passed" "$1" | grep "Commit:" | tail -1 | awk \'{print $2}\'';
        return (await exec('bash', ['-c', script, 'one-liner', path])).stdout.trim();
      },
      issues: () => [...standin.state.issues.values()].filter((i) => !i.pull).sort((a, b) => a.number - b.number),
      comments: (issue) => standin.state.commentsOf(issue),
      stop: stopAll,
    };
    return world;
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
