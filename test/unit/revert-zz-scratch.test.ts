import { it } from 'vitest';
import { recordingLogger } from '../../src/core/action/log.js';
import { parseLedger } from '../../src/core/ledger/parse.js';
import { findLastGood } from '../../src/core/lastgood/find.js';
import { autoRevert, DEFAULT_MESSAGE_TEMPLATE } from '../../src/core/lastgood/revert.js';
import { FakeBackend } from '../support/revert/fake-backend.js';
import { FakeRepo } from '../support/revert/fake-history.js';
import { LEDGER, ledgerWith, passed } from '../support/revert/ledger.js';
import { seedOneLiner } from '../support/revert/oneliner.js';
it('scratch', async () => {
  const repo = new FakeRepo();
  const base = repo.add([], { 'app.py': 'v1', [LEDGER]: '' }, 'base');
  const g = repo.child(base, { 'app.py': 'v2' }, 'good');
  const l = repo.child(g, { [LEDGER]: ledgerWith([passed(g)]) }, 'ledger [skip ci]');
  const w = repo.child(l, { 'app.py': 'v3' }, 'v3');
  const l2 = repo.child(w, { [LEDGER]: ledgerWith([passed(w)], repo.commits.get(l)!.files[LEDGER]) }, 'ledger w [skip ci]');
  const backend = new FakeBackend(repo); backend.heads.set('main', l2);
  const log = recordingLogger();
  const r = await autoRevert({ branch: 'main', failingSha: l2, ledgerPath: LEDGER, requireChecks: [], preservePaths: [LEDGER], reason: 'Health', messageTemplate: DEFAULT_MESSAGE_TEMPLATE, maxPerDay: 9, fallback: 'none', dryRun: false, now: new Date(), runUrl: '' },
    { backend, history: repo, log, readLedger: async () => repo.commits.get(l2)!.files[LEDGER] });
  const text = repo.commits.get(r.revertSha)!.files[LEDGER]!;
  console.log('target', r.targetSha === g, 'oneliner', (await seedOneLiner(text)) === g);
  const onR = await findLastGood(text, { head: r.revertSha, ledgerPath: LEDGER, requireChecks: [] }, { history: repo, log });
  console.log('find on R:', onR.found, onR.sha === g, onR.reason);
  // preserve-paths without the ledger
  backend.heads.set('main', l2);
  const r2 = await autoRevert({ branch: 'main', failingSha: l2, ledgerPath: LEDGER, requireChecks: [], preservePaths: [], reason: 'Health', messageTemplate: DEFAULT_MESSAGE_TEMPLATE, maxPerDay: 9, fallback: 'none', dryRun: false, now: new Date(), runUrl: '' },
    { backend, history: repo, log, readLedger: async () => repo.commits.get(l2)!.files[LEDGER] });
  const t2 = repo.commits.get(r2.revertSha)?.files[LEDGER] ?? '';
  console.log('no-preserve:', r2.reverted, r2.reason, r2.targetSha === g, JSON.stringify(parseLedger(t2).entries.map((e) => [e.status, e.commit === g ? 'g' : e.commit === w ? 'w' : e.commit])), 'oneliner', await seedOneLiner(t2));
  // failing test build with no preserve
  const f = repo.child(l, { 'app.py': 'broken' }, 'broken');
  backend.heads.set('main', f);
  const r3 = await autoRevert({ branch: 'main', failingSha: f, ledgerPath: LEDGER, requireChecks: [], preservePaths: [], reason: 'Tests', messageTemplate: DEFAULT_MESSAGE_TEMPLATE, maxPerDay: 9, fallback: 'none', dryRun: false, now: new Date(), runUrl: '' },
    { backend, history: repo, log, readLedger: async () => repo.commits.get(f)!.files[LEDGER] });
  const t3 = repo.commits.get(r3.revertSha)?.files[LEDGER] ?? '';
  console.log('no-preserve tests failed:', r3.reverted, r3.targetSha === g, JSON.stringify(t3), 'oneliner', await seedOneLiner(t3));
});
