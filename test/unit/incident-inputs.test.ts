import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/action/errors.js';
import { parseInputs } from '../../src/core/action/inputs.js';
import { recordingLogger } from '../../src/core/action/log.js';
import { configure } from '../../src/actions/open-incident-issue/main.js';
import { inputSchema } from '../../src/actions/open-incident-issue/inputs.js';
import type { RunContext } from '../../src/core/action/context.js';
import { untrusted, quoted } from '../../src/core/incident/markdown.js';
import { readActionYml } from '../support/action-yml.js';

const meta = readActionYml('open-incident-issue');
/** The action.yml defaults, with `${{ github.token }}` standing for a token. */
const defaults = Object.fromEntries(
  Object.entries(meta.inputs ?? {}).map(([k, v]) => [k, String(v.default ?? '').replace('${{ github.token }}', 'ghs_x')]),
);
const parse = (given: Record<string, string>) => parseInputs(inputSchema, (name) => (given[name] ?? defaults[name] ?? '').trim());

const context: RunContext = {
  sha: 'd'.repeat(40),
  ref: 'refs/heads/main',
  branch: 'main',
  defaultBranch: 'main',
  eventHeadSha: 'd'.repeat(40),
  repository: 'acme/shop',
  owner: 'acme',
  repo: 'shop',
  apiUrl: 'https://api.github.com',
  serverUrl: 'https://github.com',
  runId: '42',
  runUrl: 'https://github.com/acme/shop/actions/runs/42',
  workflow: 'CI',
  job: 'deploy',
  actor: 'octocat',
  workspace: '/tmp',
  eventName: 'push',
  event: {},
};

describe('inputs', () => {
  it('defaults: open, failure, incident label, 4h, 1d, this run, GITHUB_SHA, workflow/job', () => {
    const inputs = parse({});
    const c = configure(inputs, context, recordingLogger());
    expect(c).toMatchObject({
      mode: 'open',
      kind: 'failure',
      fingerprint: 'CI/deploy',
      failingSha: 'd'.repeat(40),
      restoredSha: '',
      runUrl: 'https://github.com/acme/shop/actions/runs/42',
      labels: ['incident'],
      assignees: [],
      repeatIntervalMs: 4 * 3_600_000,
      reopenWindowMs: 24 * 3_600_000,
      title: 'Incident: failure on main (shop)',
      dryRun: false,
    });
  });

  it('uses the workflow_run head commit as the default failing commit', () => {
    const c = configure(parse({}), { ...context, eventHeadSha: 'e'.repeat(40) }, recordingLogger());
    expect(c.failingSha).toBe('e'.repeat(40));
  });

  it.each([
    [{ mode: 'close' }, /^Input "mode": must be one of open, resolve, got "close"$/],
    [{ kind: 'outage' }, /^Input "kind": must be one of rollback, health, failure, got "outage"$/],
    [{ 'repeat-interval': 'four hours' }, /^Input "repeat-interval": must be a duration/],
    [{ 'reopen-window': '-1h' }, /^Input "reopen-window": must be a duration/],
    [{ title: '{kind} on {brnach}' }, /^Input "title": unknown placeholder \{brnach\}/],
    [{ 'failing-sha': 'abc123' }, /^Input "failing-sha": must be a full 40-character/],
    [{ 'restored-sha': 'main' }, /^Input "restored-sha": must be a full 40-character/],
    [{ 'run-url': 'javascript:alert(1)' }, /^Input "run-url": must be an http\(s\) URL$/],
    [{ assignees: 'octocat, not a login' }, /^Input "assignees": "not a login" is not a GitHub login$/],
    [{ labels: 'incident, incident:0123456789ab' }, /^Input "labels": "incident:0123456789ab" is not allowed/],
    [{ token: '' }, /^Input "token": is required/],
    [{ 'dry-run': 'maybe' }, /^Input "dry-run": must be true or false/],
  ])('%o → one line naming the input', (given, message) => {
    let error: unknown;
    try {
      parse(given as Record<string, string>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('accepts durations, lists and @logins', () => {
    const inputs = parse({ 'repeat-interval': '1h30m', 'reopen-window': '2d', labels: 'incident\nprod', assignees: '@octocat,hubot', mode: 'resolve', kind: 'health' });
    expect(inputs).toMatchObject({ 'repeat-interval': 5_400_000, 'reopen-window': 172_800_000, labels: ['incident', 'prod'], assignees: ['octocat', 'hubot'], mode: 'resolve', kind: 'health' });
  });

  it('a bad health report is a warning naming the input, not an error', () => {
    const log = recordingLogger();
    const c = configure(parse({ 'health-report': '{"status":' }), context, log);
    expect(log.warnings).toEqual([expect.stringMatching(/^Input "health-report": is not valid JSON .*; shown as a code block$/)]);
    expect(c.health?.kind).toBe('raw');
  });

  it('fuzz: any input values end in parsed inputs or one line naming an input', () => {
    const names = Object.keys(inputSchema.shape);
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.string({ maxLength: 60 })), (given) => {
        try {
          const inputs = parse(given);
          configure(inputs, context, recordingLogger());
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigurationError);
          expect((e as Error).message).toMatch(/^Input "[a-z-]+": [^\n]+$/);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('neutralisation, fuzzed', () => {
  const piece = fc.constantFrom('@', '#', '1', 'a', 'closes ', 'owner/repo', '&', '#64;', '<', '>', '!--', '`', '\n', ' ', 'GH-', '/issues/', '# ', '|', '\u200b');
  const text = fc.array(piece, { maxLength: 40 }).map((a) => a.join(''));
  it('untrusted() never leaves a live mention, reference or tag', () => {
    fc.assert(
      fc.property(text, (t) => {
        const out = untrusted(t);
        expect(out).not.toMatch(/@[A-Za-z0-9]/);
        expect(out).not.toMatch(/#\d/);
        expect(out).not.toMatch(/\bGH-\d/i);
        expect(out).not.toMatch(/[<>`]/);
        expect(out).not.toMatch(/\/issues\/\d/);
      }),
      { numRuns: 2000 },
    );
  });
  it('quoted() keeps every line inside the quote', () => {
    fc.assert(
      fc.property(text, (t) => {
        for (const line of quoted(t, 10_000).split('\n')) expect(line.startsWith('>')).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
