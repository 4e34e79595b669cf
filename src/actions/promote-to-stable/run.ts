import { readContext } from '../../core/action/context.js';
import { parseInputs } from '../../core/action/inputs.js';
import { coreLogger, inputReader, runAction } from '../../core/action/runner.js';
import { inputSchema, secretInputs } from './inputs.js';
import { promote } from './main.js';
import { renderSummary } from './summary.js';
import { blameInput, wirePromote } from './wiring.js';

export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = parseInputs(inputSchema, inputReader(secretInputs));
    const ctx = readContext(process.env);
    const log = coreLogger;
    // Every input is checked before the first request: a bad one changes nothing.
    const { config, deps, registry } = await wirePromote(inputs, ctx, log);
    const result = await blameInput(() => promote(config, deps));
    for (const step of result.steps) log.info(step);
    const counts = registry.requestCounts();
    log.info(`Registry requests: ${counts.GET} GET, ${counts.HEAD} HEAD, ${counts.PUT} PUT, ${counts.token} token`);
    return {
      outputs: {
        digest: result.digest,
        'previous-digest': result.previousDigest,
        tags: result.moved.join(','),
        'ledger-entry': JSON.stringify(result.entry),
        'deploy-commit': result.deploy?.commit ?? '',
        'deploy-result': result.deploy ? (result.deploy.kind === 'create' ? 'created' : result.deploy.kind) : result.deployFailed ? 'failed' : '',
        'deploy-remote-commit': result.remoteDeploy?.commit ?? '',
      },
      summary: renderSummary(result),
      failure: result.failure,
    };
  });
}
