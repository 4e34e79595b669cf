/**
 * Inputs the GitHub API refuses, in every action that has them: a `token` GitHub answers 401 to, a token that
 * cannot even be sent in an HTTP header (a newline pasted with it), and a `ledger-path` too long for a URL.
 * Each is the user's input mistake: a real run (not a dry run) must fail fast, in one line naming the input,
 * and change nothing — in particular promote-to-stable must not move a registry tag before it finds out that
 * it cannot write the ledger.
 *
 * The input fuzzers (test/fuzz/*-inputs.test.ts) leave `token` to this file: they fuzz the other inputs over a
 * valid token (a malformed token costs ~14 s of retries per case today).
 *
 * Fails today (bugs, not test problems):
 * - a 401 is reported as "Bad credentials - https://docs.github.com/rest" (find-last-good-commit, auto-revert,
 *   rollback) or "Could not list open issues …: HTTP 401 …" (open-incident-issue), never as Input "token";
 * - a token with a newline is retried by @octokit/plugin-retry as if the undici TypeError were a 5xx (1 + 4 + 9 s
 *   per request) and ends in "Headers.append: … is an invalid header value.";
 * - a 20 kB ledger-path ends in an empty `::error::` line (Octokit's HttpError for a 431/414 has no message), in
 *   "Cannot read properties of undefined (reading 'reason')" for the one-step rollback;
 * - promote-to-stable swallows the failed ledger read (a warning), moves stable and latest, then fails on the
 *   ledger write: a bad token or ledger-path leaves the tags moved.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, readActionYml } from '../support/action-yml.js';
import { runAction, type RunResult } from '../support/harness.js';
import { OWNER, REPO, TOKEN, startIncidentStandin, type IncidentStandin } from '../support/incident/standin.js';
import { startTestService, type TestService } from '../support/health/service.js';
import { startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';
import { brokenMain, runOnFailure, type Scenario } from '../support/revert/scenario.js';
import { expectCleanVerdict } from './support.js';

/**
 * Killed after this long: a refusal retried as if it were a 5xx costs ~14 s per API call (the retry plugin's
 * back-off), so a run that retries is killed. Failing fast is asserted on the stand-in's log (the refusal is asked
 * once), not on a clock: a loaded runner must not fail a run that made the right requests.
 */
const KILL_MS = 60_000;

interface BadInput {
  input: string;
  what: string;
  value: string;
}

const BAD_INPUTS: BadInput[] = [
  { input: 'token', what: 'token refused by GitHub (401 Bad credentials)', value: 'ghs_wellFormedButWrong0123456789abcdef' },
  // A newline pasted with the secret, or a non-Latin-1 character: neither can be sent in an HTTP header.
  { input: 'token', what: 'token with a newline pasted in', value: 'ghs_abc\ndef0123456789' },
  // GitHub answers 414 (the stand-in's HTTP server 431) to a URL this long, with no JSON message.
  { input: 'ledger-path', what: 'ledger-path too long for a URL (20 kB)', value: `docs/${'a'.repeat(20_000)}.md` },
];

const inputsOf = (n: string): string[] => {
  try {
    return Object.keys(readActionYml(n).inputs ?? {});
  } catch {
    return [];
  }
};
const actions = readdirSync(join(ROOT, 'dist'))
  .filter((n) => existsSync(join(ROOT, 'dist', n, 'index.js')))
  .filter((n) => BAD_INPUTS.some((b) => inputsOf(n).includes(b.input)))
  .sort();

interface ApiWorld {
  run(inputs: Record<string, string>): Promise<RunResult>;
  snapshot(): Promise<unknown>;
  /** The requests the stand-in has answered 401 so far ("METHOD path?query"). */
  unauthorized(): string[];
}
const count401 = (requests: readonly { status: number; method: string; path: string; query: string }[]) =>
  requests.filter((r) => r.status === 401).map((r) => `${r.method} ${r.path}?${r.query}`);

let promoteWorld: PromoteWorld | undefined;
let scenario: Scenario | undefined;
let incident: IncidentStandin | undefined;
let service: TestService | undefined;
const worlds = new Map<string, ApiWorld>();

beforeAll(async () => {
  for (const action of actions) {
    if (action === 'promote-to-stable') {
      const w = (promoteWorld = await startPromoteWorld());
      const head = await w.remote.commit({ 'app.py': 'print(1)\n' }, 'feature');
      await w.candidate('oci-index', head);
      worlds.set(action, {
        run: (inputs) => w.promote(inputs, { sha: head, timeoutMs: KILL_MS }),
        snapshot: async () => ({ refs: await w.remote.refs(), stable: await w.tagDigest('stable'), latest: await w.tagDigest('latest'), ledger: await w.ledger() }),
        unauthorized: () => count401(w.standin.requests),
      });
    } else if (action === 'open-incident-issue') {
      const s = (incident = await startIncidentStandin());
      worlds.set(action, {
        run: (inputs) =>
          runAction(action, { inputs, env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}` }, github: { token: TOKEN, sha: 'a'.repeat(40) }, timeoutMs: KILL_MS }),
        snapshot: async () => ({ issues: s.standin.state.issues.size, writes: s.standin.requests.filter((r) => r.method !== 'GET').length }),
        unauthorized: () => count401(s.standin.requests),
      });
    } else if (action === 'health-monitor') {
      // A healthy service: the monitor reads the ledger and the incidents, and changes nothing.
      const s = (scenario ??= await brokenMain());
      const svc = (service ??= await startTestService());
      const base = { image: '127.0.0.1:9/owner/app', url: svc.url, attempts: '1', interval: '0s', timeout: '3s' };
      worlds.set(action, {
        run: (inputs) => runOnFailure(action, s, s.fail, { inputs: { ...base, ...inputs }, timeoutMs: KILL_MS }),
        snapshot: async () => ({ refs: await s.f.refs(), writes: s.api.requests.filter((r) => r.method !== 'GET' && !r.injected).length }),
        unauthorized: () => count401(s.api.requests),
      });
    } else if (action === 'manual-rollback') {
      // A person's rollback of main to the last good build: the ledger read, the revert and the incident.
      const s = (scenario ??= await brokenMain());
      const base = { what: 'main', to: 'previous', reason: 'api-refused fuzz' };
      worlds.set(action, {
        run: (inputs) => runOnFailure(action, s, s.fail, { inputs: { ...base, ...inputs }, timeoutMs: KILL_MS }),
        snapshot: async () => ({ refs: await s.f.refs(), writes: s.api.requests.filter((r) => r.method !== 'GET' && !r.injected).length }),
        unauthorized: () => count401(s.api.requests),
      });
    } else {
      // find-last-good-commit, auto-revert and whatever comes next (the one-step rollback): a broken main.
      const s = (scenario ??= await brokenMain());
      worlds.set(action, {
        run: (inputs) => runOnFailure(action, s, s.fail, { inputs, timeoutMs: KILL_MS }),
        snapshot: async () => ({ refs: await s.f.refs(), writes: s.api.requests.filter((r) => r.method !== 'GET' && !r.injected).length }),
        unauthorized: () => count401(s.api.requests),
      });
    }
  }
});
afterAll(async () => {
  await promoteWorld?.stop();
  await scenario?.stop();
  await incident?.stop();
  await service?.close();
});

describe.concurrent.each(actions)('%s: an input the GitHub API refuses is the user\'s mistake', (action) => {
  for (const bad of BAD_INPUTS.filter((b) => inputsOf(action).includes(b.input))) {
    it(`${bad.what}: exit 1 without retrying, one line naming Input "${bad.input}", nothing changed`, async () => {
      const world = worlds.get(action)!;
      const before = await world.snapshot();
      const refusedBefore = world.unauthorized();
      const r = await world.run({ [bad.input]: bad.value }).catch((error: Error) => {
        if (/did not finish within/.test(error.message)) throw new Error(`${action} did not give up on ${bad.what} within ${KILL_MS / 1000} s (killed)`);
        throw error;
      });
      expect(await world.snapshot(), `${action} changed something with ${bad.what}: ${r.errors.join(' | ').slice(0, 500)}`).toEqual(before);
      expectCleanVerdict(r, { action, label: bad.what });
      expect(r.code).toBe(1);
      expect(r.errors[0]).toMatch(new RegExp(`^Input "${bad.input}": `));
      // GitHub's 401 is an answer, not a fault: each refused request asked once, never again (a retry would ask
      // the same one again after a back-off).
      if (bad.value.startsWith('ghs_wellFormed')) {
        const refused = world.unauthorized().slice(refusedBefore.length);
        expect(refused.length, `${action}: no request was refused`).toBeGreaterThan(0);
        expect(new Set(refused).size, `${action} retried a 401: ${refused.join(', ')}`).toBe(refused.length);
      }
    }, 120_000);
  }
});
