/**
 * Seed 002's scenario, shared by test/e2e/scenario.test.ts and script/demo:
 *
 *   const world = await startWorld();
 *   const story = new Story(world);
 *   await story.goodBuild(); await story.badCommit(); …   // each returns its chapter (lines + traces)
 *   await world.stop();
 */
export { AppRepo, VERSIONS, type VersionName } from './app.js';
export { Story, expectJobs, step, type Chapter } from './story.js';
export { CI_INCIDENT, ERROR_RATE_QUERY, GREENLINE_REF, HEALTH_INCIDENT, LEDGER, OWNER, REPO, REPOSITORY, TOKEN, startWorld, type Deployment, type ScenarioWorld } from './world.js';
