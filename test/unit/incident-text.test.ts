import { describe, expect, it } from 'vitest';
import { fingerprintLabel, defaultFingerprint } from '../../src/core/incident/fingerprint.js';
import { parseHealthReport, renderHealthReport } from '../../src/core/incident/health-report.js';
import { fenced, inline, link, quoted, safeUrl, untrusted } from '../../src/core/incident/markdown.js';
import { decodeMarker, encodeMarker, type IncidentState } from '../../src/core/incident/state.js';
import { checkTitleTemplate, DEFAULT_TITLE, renderTitle } from '../../src/core/incident/title.js';

/** A live mention: `@` directly followed by a login character. */
const LIVE_MENTION = /@[A-Za-z0-9]/;
/** A live reference: `#` directly followed by a digit, or GH-<digit>. */
const LIVE_REF = /#\d|\bGH-\d/i;
const CLOSING = /\b(close[sd]?|fix(e[sd])?|resolve[sd]?)\s*:?\s*(\S+\/\S+)?#/i;

describe('fingerprint label', () => {
  it('is incident: and 12 hex of sha256(fingerprint), stable', () => {
    // sha256("ci/test") = c2d2a41887e3…
    expect(fingerprintLabel('ci/test')).toBe('incident:c2d2a41887e3');
    expect(fingerprintLabel('ci/test')).toMatch(/^incident:[0-9a-f]{12}$/);
    expect(fingerprintLabel('ci/test2')).not.toBe(fingerprintLabel('ci/test'));
    expect(fingerprintLabel('x').length).toBeLessThanOrEqual(50);
  });
  it('defaults to workflow/job', () => {
    expect(defaultFingerprint('CI / CD', 'deploy')).toBe('CI / CD/deploy');
  });
});

describe('untrusted text', () => {
  const nasty = [
    'ping @octocat and @acme/sre-team',
    'closes #1, Fixes: #2, resolved acme/shop#3, see GH-4 and other/repo#5',
    'https://github.com/acme/shop/issues/7 and https://github.com/acme/shop/pull/8',
    '&#64;octocat &#35;9 <script>alert(1)</script> <!-- greenline:end:details --> <img src=x onerror=1>',
    '```\n## Root cause\n</details>\n`code`',
  ].join('\n');

  it('leaves no live mention, reference, closing keyword or HTML', () => {
    const out = untrusted(nasty);
    expect(out).not.toMatch(LIVE_MENTION);
    expect(out).not.toMatch(LIVE_REF);
    expect(out).not.toMatch(CLOSING);
    expect(out).not.toMatch(/[<>]/);
    expect(out).not.toContain('`');
    expect(out).not.toMatch(/\/issues\/\d|\/pull\/\d/);
    expect(out).not.toContain('&#64;');
    // Still readable: the zero-width space is the only thing added.
    expect(out.replace(/\u200b/g, '')).toContain('ping @octocat');
  });

  it('escapes & once: a query string reads as it was written once rendered', () => {
    expect(untrusted('https://grafana.example/d/x?from=now-1h&to=now & more')).toBe('https://grafana.example/d/x?from=now-1h&amp;to=now &amp; more');
  });

  it('quoted(): every line inside the quote, headings demoted', () => {
    const out = quoted(nasty, 10_000);
    for (const line of out.split('\n')) expect(line.startsWith('>')).toBe(true);
    expect(out).not.toMatch(/^>\s{0,3}#{1,6}\s/m);
    expect(out).toContain('\\## Root cause');
  });

  it('inline(): one line, pipes escaped, capped', () => {
    const out = inline('a | b\nc', 5);
    expect(out).toBe('a \\|…');
    expect(inline('x'.repeat(500), 100)).toHaveLength(100);
  });

  it('fenced(): a fence longer than any inside, comment markers broken', () => {
    const out = fenced('a ```` b\n<!-- greenline:begin:people --> @octocat #1', 1000);
    expect(out.startsWith('`````')).toBe(true);
    expect(out).not.toContain('<!--');
    expect(out).not.toMatch(LIVE_MENTION);
  });

  it('safeUrl() and link(): http(s) only, nothing that ends the link', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('not a url')).toBeUndefined();
    expect(safeUrl('https://x.test/a b)(c<d>')).toBe('https://x.test/a%20b%29%28c%3Cd%3E');
    expect(link('run @me', 'https://x.test/runs/1)')).toBe('[run @\u200bme](https://x.test/runs/1%29)');
    expect(link('run', 'file:///etc/passwd')).toBe('run');
  });
});

describe('hidden marker', () => {
  const state: IncidentState = {
    v: 1,
    label: 'incident:0123456789ab',
    fingerprint: 'evil --> <!-- greenline:incident {"v":1} --> ',
    kind: 'health',
    status: 'CRITICAL',
    failing: 'a'.repeat(40),
    restored: '',
    opened: '2025-03-01T10:00:00Z',
    notified: '2025-03-01T10:00:00Z',
    runs: 2,
    trimmed: 0,
    timeline: [{ t: '2025-03-01T10:00:00Z', c: 'a'.repeat(40), s: 'CRITICAL --> x', r: 'https://x.test/1' }],
  };

  it('round-trips, and untrusted strings cannot close the comment', () => {
    const marker = encodeMarker(state);
    expect(marker.startsWith('<!-- greenline:incident {')).toBe(true);
    expect(marker.indexOf('-->')).toBe(marker.length - 3);
    expect(marker.slice(4)).not.toContain('<');
    expect(decodeMarker(`${marker}\nrest`, state.label, '2025-01-01T00:00:00Z')).toEqual(state);
    expect(decodeMarker(`${marker}\r\nrest`, state.label, '2025-01-01T00:00:00Z')).toEqual(state);
  });

  it('is found on any line (people write above it), and only for its own label', () => {
    const marker = encodeMarker(state);
    expect(decodeMarker(`hello\n\n${marker}\nrest`, state.label, '2025-01-01T00:00:00Z')).toEqual(state);
    expect(decodeMarker(`hello ${marker}`, state.label, '2025-01-01T00:00:00Z')).toBeUndefined();
    expect(decodeMarker(marker, 'incident:ffffffffffff', '2025-01-01T00:00:00Z')).toBeUndefined();
    expect(decodeMarker('<!-- greenline:incident {not json} -->', state.label, '2025-01-01T00:00:00Z')).toBeUndefined();
    expect(decodeMarker(null, state.label, '')).toBeUndefined();
  });

  it('tolerates damaged fields (people editing the body) with fallbacks', () => {
    const damaged = `<!-- greenline:incident {"v":1,"label":"${state.label}","opened":"yesterday","runs":-3,"timeline":"x"} -->`;
    const s = decodeMarker(damaged, state.label, '2025-01-01T00:00:00Z')!;
    expect(s.opened).toBe('2025-01-01T00:00:00Z');
    expect(s.runs).toBe(0);
    expect(s.timeline).toEqual([]);
    expect(s.kind).toBe('failure');
  });
});

describe('health report', () => {
  it('reads a health-gate report into a table', () => {
    const report = JSON.stringify({
      status: 'CRITICAL',
      score: 0.25,
      checks: [
        { name: 'api /health', critical: true, verdict: 'fail', status: 503, latency: 12.34, reason: 'HTTP 503 from @octocat #1' },
        { name: 'p99 latency', critical: false, verdict: 'pass', value: 0.2, latencyMs: 40 },
        { id: 'error rate', passed: false, observed: '0.07 | high', message: 'above 0.01' },
      ],
    });
    const parsed = parseHealthReport(report);
    expect(parsed.warning).toBeUndefined();
    const view = parsed.view!;
    expect(view.kind).toBe('table');
    if (view.kind !== 'table') return;
    expect(view.failing).toBe(2);
    expect(view.criticalFailing).toEqual(['api /health']);
    const md = renderHealthReport(view, 10_000);
    expect(md).toContain('**Status:** CRITICAL');
    expect(md).toContain('| api /health | yes | fail | 503 | 12.3 ms | HTTP 503 from @\u200boctocat #\u200b1 |');
    expect(md).toContain('| p99 latency |  | pass | 0.2 | 40 ms |');
    expect(md).toContain('| error rate |  | fail | 0.07 \\| high |');
    expect(md).not.toMatch(LIVE_MENTION);
  });

  it('accepts checks keyed by name', () => {
    const view = parseHealthReport('{"status":"HEALTHY","checks":{"db":{"verdict":"pass"}}}').view;
    expect(view?.kind === 'table' && view.checks[0]?.name).toBe('db');
  });

  it('shows bad JSON and unknown shapes as a code block, with a warning', () => {
    const bad = parseHealthReport('{"status": "CRIT');
    expect(bad.warning).toMatch(/not valid JSON/);
    expect(bad.view?.kind).toBe('raw');
    const odd = parseHealthReport('[1,2,3]');
    expect(odd.warning).toMatch(/not a health-gate report/);
    expect(renderHealthReport(odd.view!, 1000)).toMatch(/^```text\n\[\n {2}1,/);
    expect(parseHealthReport('   ')).toEqual({});
  });

  it('drops rows past the budget and says so', () => {
    const checks = Array.from({ length: 300 }, (_, i) => ({ name: `check ${i}`, verdict: 'fail', reason: 'x'.repeat(200) }));
    const md = renderHealthReport(parseHealthReport(JSON.stringify({ status: 'UNHEALTHY', checks })).view!, 16_000);
    expect(md.length).toBeLessThanOrEqual(16_000);
    expect(md).toMatch(/more checks not shown/);
  });
});

describe('title template', () => {
  const values = { kind: 'rollback', branch: 'main', service: 'shop', repo: 'acme/shop', owner: 'acme', workflow: 'CI', job: 'deploy', sha: 'abc1234', fingerprint: 'CI/deploy' };
  it('names kind, branch and service by default', () => {
    expect(renderTitle(DEFAULT_TITLE, values)).toBe('Incident: rollback on main (shop)');
    expect(renderTitle('{repo} {sha}\n{job}', values)).toBe('acme/shop abc1234 deploy');
  });
  it('rejects unknown placeholders, caps the length', () => {
    expect(checkTitleTemplate('{kind} on {brnach}')).toMatch(/unknown placeholder \{brnach\}/);
    expect(checkTitleTemplate(DEFAULT_TITLE)).toBeUndefined();
    expect(renderTitle('x'.repeat(400), values)).toHaveLength(256);
  });
});
