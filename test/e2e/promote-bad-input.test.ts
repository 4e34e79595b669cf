import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';

// Every bad input: exit 1, one line naming the input, and nothing changed (no tag moved, no ref pushed,
// no ledger commit) — proved from the registry's access log and the remote's refs, not only the message.
let world: PromoteWorld;
let commit: string;
let stableBefore: string | undefined;
beforeAll(async () => {
  world = await startPromoteWorld();
  commit = await world.remote.commit({ 'app.py': 'print(1)\n' }, 'feature');
  await world.candidate('oci-index', commit);
  const first = await world.promote({}, { sha: commit });
  expect(first.code).toBe(0);
  const next = await world.remote.commit({ 'app.py': 'print(2)\n' }, 'next');
  await world.candidate('docker-manifest', next);
  commit = next;
  stableBefore = await world.tagDigest('stable');
});
afterAll(async () => world?.stop());

const closedPort = await freePort();
const cases: { name: string; input: string; inputs: () => Record<string, string>; message: RegExp }[] = [
  { name: 'space in image', input: 'image', inputs: () => ({ image: world.image.replace('acme/app', 'acme/my app') }), message: /invalid repository component/ },
  { name: 'tag in image', input: 'image', inputs: () => ({ image: `${world.image}:v1` }), message: /tag/ },
  { name: 'malformed digest', input: 'source', inputs: () => ({ source: 'sha256:1234xyz' }), message: /digest/ },
  { name: 'malformed expected-digest', input: 'expected-digest', inputs: () => ({ 'expected-digest': 'sha256:abc' }), message: /sha256/ },
  { name: 'unknown ledger-write', input: 'ledger-write', inputs: () => ({ 'ledger-write': 'ftp' }), message: /api, git, none/ },
  { name: 'empty tags', input: 'tags', inputs: () => ({ tags: ' , \n ' }), message: /at least one tag/ },
  { name: 'invalid tag', input: 'tags', inputs: () => ({ tags: 'stable,-bad' }), message: /not a valid tag/ },
  { name: 'unreachable registry', input: 'image', inputs: () => ({ image: `127.0.0.1:${closedPort}/acme/app` }), message: /reach|refused/i },
  { name: 'digest mismatch', input: 'expected-digest', inputs: () => ({ 'expected-digest': `sha256:${'0'.repeat(64)}` }), message: /resolves to sha256:/ },
  { name: 'metrics syntax', input: 'metrics', inputs: () => ({ metrics: 'accuracy=high' }), message: /name=number/ },
  { name: 'max-regression without direction', input: 'max-regression', inputs: () => ({ metrics: 'accuracy=0.9', 'max-regression': 'accuracy=0.02' }), message: /direction/ },
  { name: 'bad boolean', input: 'dry-run', inputs: () => ({ 'dry-run': 'yes' }), message: /true or false/ },
  { name: 'missing source tag', input: 'source', inputs: () => ({ source: 'does-not-exist' }), message: /not|unknown/i },
  { name: 'no image for the commit under any of its tags', input: 'source', inputs: () => ({ source: 'f'.repeat(40) }), message: /also tried sha-fffffff, sha-f{40}, fffffff\)$/ },
  { name: 'bad git tag', input: 'git-tag', inputs: () => ({ 'git-tag': 'sta..ble' }), message: /git tag/ },
];

describe('promote-to-stable rejects bad input and changes nothing', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const refsBefore = await world.remote.refs();
      const logBefore = (await world.registry.accessLog()).length;
      const r = await world.promote(c.inputs(), { sha: commit });
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(new RegExp(`^Input "${c.input}": `));
      expect(r.errors[0]).toMatch(c.message);
      expect(r.errors[0]).not.toContain('\n');
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
      const after = (await world.registry.accessLog()).slice(logBefore);
      expect(after.filter((e) => e.method === 'PUT')).toEqual([]);
      expect(await world.tagDigest('stable')).toBe(stableBefore);
      expect(await world.remote.refs()).toEqual(refsBefore);
    });
  }
});
