import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/harness.js';

// A run refused for a bad input pays only for what it needs to refuse it: each bundle checks its inputs before
// it loads run() (src/core/action/preflight.ts), so neither @actions/core's HTTP client (undici and Node's
// http, https, tls) nor git (child_process) nor the registry client is loaded. bench/cold-start times it; this
// proves it from the modules Node loaded (process.moduleLoadList, read at exit by a --import hook).
const dir = mkdtempSync(join(tmpdir(), 'greenline-loads-'));
const hook = join(dir, 'report-loads.mjs');
writeFileSync(hook, "process.on('exit', () => process.stderr.write(`LOADED ${JSON.stringify(process.moduleLoadList)}\\n`));\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAVY = ['http', 'https', 'tls', 'http2', 'child_process', 'zlib'];

async function run(action: string, inputs: Record<string, string>) {
  const r = await runAction(action, { inputs, env: { NODE_OPTIONS: `--import ${hook}` } });
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  if (!line) throw new Error(`no module list from ${action}: ${r.stderr}`);
  const builtins = (JSON.parse(line.slice('LOADED '.length)) as string[]).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  return { ...r, builtins };
}

const SECRET = 'ghs_loads_secret_token_0001';
/** action, the bad input and its value, and a secret input given alongside. */
const BAD: [string, string, string, Record<string, string>][] = [
  ['promote-to-stable', 'image', '', { password: SECRET }],
  ['find-last-good-commit', 'ledger-source', 'nowhere', { token: SECRET }],
  ['auto-revert', 'method', 'ftp', { token: SECRET }],
  ['health-gate', 'url', 'not a url', { headers: `Authorization: Bearer ${SECRET}` }],
  ['open-incident-issue', 'kind', 'outage', { token: SECRET }],
  ['health-monitor', 'url', 'not a url', { token: SECRET, image: 'ghcr.io/owner/app' }],
  ['rollback', 'method', 'ftp', { token: SECRET }],
  ['manual-rollback', 'what', 'sideways', { token: SECRET, reason: 'a person asked' }],
];

describe('a bad input is refused before the action is loaded', () => {
  it.each(BAD)('%s with a bad %s', async (action, input, value, secret) => {
    const r = await run(action, { ...secret, [input]: value });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(new RegExp(`^Input "${input}": `));
    expect(r.builtins.filter((m) => HEAVY.includes(m))).toEqual([]);
    // The token was masked before anything could quote it, as run() masks it.
    expect(r.stdout).toContain(`::add-mask::${Object.values(secret)[0]}`);
    expect(r.visibleStdout).not.toContain(SECRET);
    expect(r.summary).toBe('');
    expect(r.outputs).toEqual({});
  });

  it('good inputs do load the action (the check above can see a load)', async () => {
    // Good inputs, then a workspace that is not a checkout: refused by run(), at once and without a request.
    const r = await run('find-last-good-commit', { 'ledger-source': 'workspace' });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^Input "ledger-source": workspace need/); // run()'s check, not the schema's
    expect(r.builtins).toContain('http');
  });
});
