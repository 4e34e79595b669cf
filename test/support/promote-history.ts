import { randomBytes } from 'node:crypto';
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseLedger, type LedgerEntry } from '../../src/core/ledger/index.js';
import { git } from './git-fixture.js';
import type { RunResult } from './harness.js';
import { LEDGER, type PromoteWorld } from './promote-world.js';
import { getManifestRaw, pushFixture, type FixtureKind } from './registry.js';

export type LedgerMode = 'api' | 'git';

/** The event's commit, the workflow run (id and attempt) and the event payload of one run. */
export interface RunAs {
  sha: string;
  runId?: string;
  attempt?: number;
  event?: Record<string, unknown>;
}

/**
 * One image repository of the shared world, with its own git tag, promoted through `ledger-write: mode`
 * (for git, every run gets its own fresh checkout, as a runner would). Each scenario uses its own image and
 * git tag, so one ledger holds many images: every reading the action makes must keep to its own.
 */
export class ImageLane {
  private static runIds = 5000;
  readonly image: string;
  readonly world: PromoteWorld;
  readonly mode: LedgerMode;
  readonly repository: string;
  readonly gitTag: string;
  /** `host`: where the action talks to the registry (a fault proxy's, or the registry's own). */
  constructor(world: PromoteWorld, mode: LedgerMode, repository: string, gitTag: string, host = world.registry.host) {
    this.world = world;
    this.mode = mode;
    this.repository = repository;
    this.gitTag = gitTag;
    this.image = `${host}/${repository}`;
  }

  async commit(label: string): Promise<string> {
    return this.world.remote.commit({ [`${this.repository}/${label}-${randomBytes(3).toString('hex')}.txt`]: `${label}\n` }, `${this.repository} ${label}`);
  }

  async build(kind: FixtureKind, commit: string, annotations?: Record<string, string>): Promise<string> {
    const f = await pushFixture(this.world.registry, kind, { repository: this.repository, tag: commit, ...(annotations ? { annotations } : {}) });
    return f.digest;
  }

  /** Runs the bundle; `runId`/`attempt` say which workflow run (and which attempt of it) this is. */
  async run(inputs: Record<string, string>, opts: RunAs): Promise<RunResult> {
    const runId = opts.runId ?? String(ImageLane.runIds++);
    const workspace = this.mode === 'git' ? await this.world.remote.clone(`ws-${this.repository.replace(/\//g, '-')}-${runId}-${randomBytes(3).toString('hex')}`, { depth: 1 }) : undefined;
    return this.world.promote(
      { image: this.image, 'ledger-write': this.mode, 'git-tag': this.gitTag, ...inputs },
      {
        sha: opts.sha,
        ...(workspace ? { workspace } : {}),
        ...(opts.event ? { event: opts.event } : {}),
        env: { GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: String(opts.attempt ?? 1), ...(opts.event ? { GITHUB_EVENT_NAME: 'workflow_dispatch' } : {}) },
      },
    );
  }

  async promoted(inputs: Record<string, string>, opts: RunAs): Promise<RunResult> {
    const r = await this.run(inputs, opts);
    expect(r.errors, r.stdout).toEqual([]);
    expect(r.code).toBe(0);
    return r;
  }

  async served(tag = 'stable'): Promise<string | undefined> {
    const raw = await getManifestRaw(this.world.registry, this.repository, tag);
    return raw.status === 200 ? (raw.digestHeader ?? undefined) : undefined;
  }

  async gitTagAt(): Promise<string | undefined> {
    return (await this.world.remote.refs())[`refs/tags/${this.gitTag}`];
  }

  /** This image's entries in the ledger on the remote, oldest first. */
  async entries(): Promise<LedgerEntry[]> {
    const parsed = parseLedger((await this.world.ledger()) ?? '');
    return parsed.entries.filter((e) => e.image === this.image);
  }

  /** Everything a run could change: the tags, the git tag, the ledger text. */
  async state(): Promise<{ stable?: string; latest?: string; gitTag?: string; ledger?: string }> {
    return { stable: await this.served('stable'), latest: await this.served('latest'), gitTag: await this.gitTagAt(), ledger: await this.world.ledger() };
  }

  /** Image tags, ledger and git tag agree: all on the ledger's newest good entry for this image on stable. */
  async expectConsistent(): Promise<LedgerEntry> {
    const newest = [...(await this.entries())].reverse().find((e) => (e.status === 'passed' || e.status === 'restored') && e.tags.includes('stable'));
    expect(newest?.digest).toBeDefined();
    expect(await this.served('stable')).toBe(newest!.digest);
    expect(await this.served('latest')).toBe(newest!.digest);
    expect(await this.gitTagAt()).toBe(newest!.commit);
    return newest!;
  }
}

/** Appends hand-written text to the ledger on main, as a person would (clone, edit, commit, push). */
export async function appendByHand(world: PromoteWorld, text: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const dir = await world.remote.clone(`hand-${randomBytes(4).toString('hex')}`, { depth: 1 });
    const path = join(dir, LEDGER);
    const before = await readFile(path, 'utf8').catch(() => '');
    await writeFile(path, `${before.replace(/\n*$/, '\n')}\n${text}\n`);
    await git(dir, ['add', '--', LEDGER]);
    await git(dir, ['-c', 'user.name=On Call', '-c', 'user.email=oncall@example.com', 'commit', '-q', '-m', 'ledger: by hand']);
    try {
      await git(dir, ['push', '-q', 'origin', 'HEAD:refs/heads/main']);
      return;
    } catch {
      // someone pushed first: start again from the new tip
    }
  }
  throw new Error('appendByHand: could not push');
}
