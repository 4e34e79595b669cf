/**
 * A container job (`jobs.<id>.container`) runs the steps as root in a workspace the runner's user owns, and
 * git then refuses every command with "detected dubious ownership" unless the workspace is a safe.directory
 * (actions/checkout adds it only for its own run). greenline trusts the checkout it was pointed at, for its
 * own git commands only (`-c safe.directory=<workspace>`), as actions/checkout does.
 *
 * Needs root to give the workspace away (CI runs as root).
 */
import { chown, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git as gitIn } from '../support/git-fixture.js';
import { brokenMain, runOnFailure, type Scenario } from '../support/revert/scenario.js';
import { startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';

const isRoot = process.getuid?.() === 0;
const OTHER_UID = 1001;

async function giveAway(path: string): Promise<void> {
  await chown(path, OTHER_UID, OTHER_UID);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) await giveAway(p);
    else await chown(p, OTHER_UID, OTHER_UID);
  }
}

const open: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.stop();
});

describe.skipIf(!isRoot)('a workspace owned by another user (container jobs)', () => {
  it('auto-revert method git reverts main from it', async () => {
    const s: Scenario = await brokenMain();
    open.push(s);
    const workspace = await s.f.clone('ws-owned', { depth: 1, ref: s.fail });
    await giveAway(workspace);
    // The situation itself: plain git refuses this checkout.
    await expect(gitIn(workspace, ['status', '--porcelain'])).rejects.toThrow(/dubious ownership/);
    const r = await runOnFailure('auto-revert', s, s.fail, { inputs: { method: 'git' }, workspace });
    expect(r.errors, r.stdout).toEqual([]);
    expect(r.outputs.reverted, r.outputs.reason).toBe('true');
    expect(await s.f.remoteHead()).toBe(r.outputs['revert-sha']);
  });

  it('promote-to-stable ledger-write git appends the entry from it', async () => {
    const world: PromoteWorld = await startPromoteWorld();
    open.push(world);
    const sha = await world.remote.commit({ 'app.py': 'print(1)\n' }, 'feature');
    await world.candidate('oci-index', sha);
    const workspace = await world.remote.clone('ws-owned-promote', { depth: 1 });
    await giveAway(workspace);
    const r = await world.promote({ 'ledger-write': 'git' }, { sha, workspace });
    expect(r.errors, r.stdout).toEqual([]);
    expect(await world.ledger()).toContain(`Commit: ${sha}`);
    expect((await world.remote.refs())['refs/tags/stable']).toBe(sha);
  });
});
