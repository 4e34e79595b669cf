/**
 * health-gate's bundle, run as the runner runs it, on cases a real deployment meets: a long soak whose report
 * must still fit into the next step's input, bodies served gzip/deflate/br-encoded whether asked or not
 * (pre-compressed objects on S3 / CloudFront), and bodies in a legacy charset.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { runAction } from '../support/harness.js';
import { check, gate } from '../support/health/run.js';
import { startTestService, type TestService } from '../support/health/service.js';
import { OWNER, REPO, TOKEN, startIncidentStandin } from '../support/incident/standin.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc.close();
});
beforeEach(() => svc.resetRoutes());

/** Linux refuses to start a process with one environment string over 128 KiB (MAX_ARG_STRLEN); inputs are environment variables. */
const MAX_ARG_STRLEN = 128 * 1024;

describe('report output size', () => {
  it('a 100-attempt soak gives a report under 64 KiB that open-incident-issue takes as its health-report input', async () => {
    svc.route('/api/v1/models/current/version', { status: 200, body: '{"version":"611b29b","model":"purchasing-power-ml"}' });
    svc.route('/docs', { status: 404, body: 'no docs here' });
    const r = await gate(
      {
        url: svc.url,
        attempts: '100',
        interval: '0s',
        // 100 attempts of up to 5 s each: the worst case must fit the deadline (or the input is refused).
        deadline: '10m',
        checks: [
          '- name: model-version',
          '  url: /api/v1/models/current/version',
          '  json-path: $.version',
          '  equals: 611b29b',
          '- name: model-name',
          '  url: /api/v1/models/current/version',
          '  body-contains: purchasing-power-ml',
        ].join('\n'),
      },
      { env: {} },
    );
    expect(r.code).toBe(0);
    const bytes = Buffer.byteLength(r.outputs.report!, 'utf8');
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    // Every check is still there with its verdict and its full tally; only per-attempt detail was dropped.
    expect(r.report.checks.map((c) => c.name)).toEqual(['connectivity', 'health', 'docs', 'response-time', 'status-code', 'root-content', 'model-version', 'model-name']);
    expect(check(r.report, 'connectivity').tally).toEqual({ pass: 100, fail: 0, inconclusive: 0, error: 0 });
    expect(check(r.report, 'docs')).toMatchObject({ verdict: 'FAIL', reason: 'unexpected-status', tally: { pass: 0, fail: 1, inconclusive: 0, error: 0 } });
    expect(check(r.report, 'model-version')).toMatchObject({ verdict: 'PASS', value: '611b29b' });
    // What was dropped is said, in the report and in the log.
    expect(r.report.trimmed).toMatchObject({ limitBytes: 64 * 1024 });
    expect(r.report.trimmed!.fullBytes).toBeGreaterThan(MAX_ARG_STRLEN);
    expect(r.report.trimmed!.attemptsOmitted).toBeGreaterThan(0);
    const kept = check(r.report, 'connectivity');
    expect(kept.attempts.length).toBeLessThan(100);
    expect(kept.attempts.at(-1)!.n).toBe(100); // the newest attempts are the ones kept
    expect(kept.attemptsOmitted).toBe(100 - kept.attempts.length);
    expect(r.stdout).toMatch(/report trimmed from \d+ to \d+ bytes/);

    // The monitor workflow hands it on: `health-report: ${{ needs.gate.outputs.report }}`.
    const s = await startIncidentStandin();
    try {
      const inc = await runAction('open-incident-issue', {
        inputs: { kind: 'health', fingerprint: 'health-monitor', 'health-report': r.outputs.report! },
        env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}` },
        github: { token: TOKEN },
      });
      expect(inc.code, inc.stdout + inc.stderr).toBe(0);
      expect(inc.warnings).toEqual([]);
      const [issue] = s.open(fingerprintLabel('health-monitor'));
      expect(issue!.body).toContain('model-version');
      expect(issue!.body).toContain(r.outputs.status!);
      expect(issue!.body).toMatch(/docs.*FAIL/);
    } finally {
      await s.stop();
    }
  }, 120_000);

  it('a small report is left whole (no trimmed field)', async () => {
    const r = await gate({ url: svc.url, attempts: '3', interval: '0s' });
    expect(r.report.trimmed).toBeUndefined();
    expect(check(r.report, 'health').attempts).toHaveLength(3);
  });
});

describe('compressed bodies', () => {
  const json = '{"status":"ok","db":{"state":"up","lag":0.2}}';
  it.each([
    ['gzip', gzipSync(json)],
    ['deflate', deflateSync(json)],
    ['br', brotliCompressSync(json)],
  ])('a %s-encoded body is decoded before the body rules', async (encoding, bytes) => {
    svc.route('/health', { status: 200, body: bytes, headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
    const r = await gate({
      checks: [
        `- name: db`,
        `  url: ${svc.url}/health`,
        `  json-path: $.db.state`,
        `  equals: up`,
        `- name: lag`,
        `  url: ${svc.url}/health`,
        `  json-path: $.db.lag`,
        `  fail-if: "> 1"`,
        `- name: health`,
        `  url: ${svc.url}/health`,
        `  healthy-body: true`,
      ].join('\n'),
    });
    expect(r.code, r.stdout).toBe(0);
    expect(check(r.report, 'db')).toMatchObject({ verdict: 'PASS', value: 'up' });
    expect(check(r.report, 'lag')).toMatchObject({ verdict: 'PASS', value: 0.2 });
    expect(check(r.report, 'health')).toMatchObject({ verdict: 'PASS', reason: 'ok' });
  });

  it('a gzip bomb is read only up to 1 MiB of decoded body', async () => {
    const big = gzipSync(Buffer.concat([Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from('END-MARKER')]));
    expect(big.length).toBeLessThan(1024 * 1024);
    svc.route('/', { status: 200, body: big, headers: { 'content-type': 'text/html', 'content-encoding': 'gzip' } });
    const r = await gate({ checks: `- name: root\n  url: ${svc.url}/\n  body-contains: END-MARKER\n` });
    expect(check(r.report, 'root')).toMatchObject({ verdict: 'FAIL', reason: 'body-mismatch' });
    expect(check(r.report, 'root').message).toContain('(in the first 1 MiB read)');
  });

  it('a body that is not what its Content-Encoding says is a FAIL naming the encoding, not garbage', async () => {
    svc.route('/health', { status: 200, body: '{"status":"ok"}', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    const r = await gate({ checks: `- name: health\n  url: ${svc.url}/health\n  healthy-body: true\n` });
    expect(check(r.report, 'health')).toMatchObject({ verdict: 'FAIL', reason: 'bad-encoding' });
    expect(check(r.report, 'health').message).toMatch(/gzip/);
  });
});

describe('body charsets', () => {
  it('an ISO-8859-1 body is decoded by its Content-Type charset', async () => {
    svc.route('/', { status: 200, body: Buffer.from('<p>Größe: 42 — Straße OK</p>'.replace('—', '-'), 'latin1'), headers: { 'content-type': 'text/html; charset=ISO-8859-1' } });
    const r = await gate({ checks: `- name: umlaut\n  url: ${svc.url}/\n  body-contains: Größe\n- name: regex\n  url: ${svc.url}/\n  body-regex: Stra(ß|ss)e\n` });
    expect(r.code, r.stdout).toBe(0);
    expect(check(r.report, 'umlaut').verdict).toBe('PASS');
    expect(check(r.report, 'regex').verdict).toBe('PASS');
  });

  it('a Shift_JIS body is decoded; an unknown charset falls back to UTF-8', async () => {
    // 稼働中 ("in operation") in Shift_JIS.
    svc.route('/', { status: 200, body: Buffer.from([0x89, 0xd2, 0x93, 0xad, 0x92, 0x86]), headers: { 'content-type': 'text/plain; charset="Shift_JIS"' } });
    svc.route('/health', { status: 200, body: Buffer.from('{"status":"ok"}'), headers: { 'content-type': 'application/json; charset=x-made-up' } });
    const r = await gate({ checks: `- name: jp\n  url: ${svc.url}/\n  body-contains: 稼働中\n- name: health\n  url: ${svc.url}/health\n  healthy-body: true\n` });
    expect(check(r.report, 'jp').verdict).toBe('PASS');
    expect(check(r.report, 'health').verdict).toBe('PASS');
  });
});
