// The demo behind script/demo: seed 002's story (bad deploy → detect → roll back → fix → deploy) played through
// the three example workflows, against a real registry, a bare git remote, a real HTTP service scraped by a
// real Prometheus, and the GitHub API stand-in; greenline's bundles run as the runner runs them. The same
// scenario as test/e2e/scenario.test.ts. Prints a timeline, then where to look.
import { Story, startWorld, type Chapter } from '../test/support/scenario/index.js';

const verbose = process.argv.includes('--verbose');
// --keep: leave the temp directories (the app's git remote with its ledger, the registry's storage, the issues
// written as markdown) for a look afterwards.
const keep = process.argv.includes('--keep');
if (keep) process.env.GREENLINE_KEEP_TMP = '1';
const line = (s = '') => console.log(s);
const started = Date.now();

line('greenline demo — seed 002: bad deployment → automatic rollback → fix → successful deployment');
line('starting a registry, a git remote, the GitHub API stand-in, the service and Prometheus …');
const world = await startWorld(
  verbose
    ? {
        onEvent: (e) => {
          if (e.type === 'step-end') console.log(`            · ${e.job} / ${e.step.name}: ${e.step.outcome}`);
        },
      }
    : {},
);
let failed = false;
try {
  line(`registry ${world.registry.url} · image ${world.image} · service ${world.service.url} · Prometheus ${world.prometheus.url}`);
  line('workflows examples/workflows/{ci-cd,health-monitor}.yml, run step by step by the local executor');
  const story = new Story(world);
  const print = (c: Chapter) => {
    line();
    line(`── ${c.n}. ${c.title} ${'─'.repeat(Math.max(3, 100 - c.title.length))}`);
    for (const l of c.lines) line(`  ${l}`);
  };
  print(await story.goodBuild());
  print(await story.badCommit());
  print(await story.badDeploy());
  print(await story.monitorRollsBack());
  print(await story.monitorAgain());
  print(await story.rolloutCompletes());
  print(await story.fix());
  print(await story.monitorHealthy());
  print(await story.drill());
  print(await story.nextPush());
  line();
  line(`── Where to look ${'─'.repeat(86)}`);
  for (const l of await story.whereToLook()) line(`  ${l}`);
  line();
  line(
    keep
      ? `done in ${((Date.now() - started) / 1000).toFixed(0)} s. Kept: ${world.dir.path} (app.git: the remote with the ledger; issues/: every incident as markdown).`
      : `done in ${((Date.now() - started) / 1000).toFixed(0)} s. Everything ran in ${world.dir.path}, removed on exit: script/demo --keep leaves it for a look.`,
  );
} catch (error) {
  failed = true;
  console.error(`\ndemo failed: ${(error as Error).message}`);
} finally {
  await world.stop();
}
process.exit(failed ? 1 : 0);
