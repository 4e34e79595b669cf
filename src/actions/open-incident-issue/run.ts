import { readContext } from '../../core/action/context.js';
import { ConfigurationError } from '../../core/action/errors.js';
import { parseInputs } from '../../core/action/inputs.js';
import { coreLogger, inputReader, runAction } from '../../core/action/runner.js';
import { webhookSettings } from '../../core/notify/settings.js';
import { webhookSendDeps } from '../../core/notify/wiring.js';
import { loadGitHub } from '../../core/github/load.js';
import { octokitIncidentApi } from '../../core/incident/github.js';
import { inputSchema, secretInputs } from './inputs.js';
import { main } from './main.js';

/** The glue: the only file of this action touching @actions/* (through core/action/runner). */
export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = parseInputs(inputSchema, inputReader(secretInputs));
    const webhook = webhookSettings(inputs);
    if (webhook.warning) coreLogger.warning(webhook.warning);
    const context = readContext(process.env);
    if (!context.owner || !context.repo) throw new ConfigurationError('GITHUB_REPOSITORY is not set (owner/name): run this action in a GitHub Actions job');
    const github = await loadGitHub({ token: inputs.token, baseUrl: context.apiUrl, log: coreLogger, userAgent: 'greenline/open-incident-issue' });
    return main(inputs, context, {
      api: octokitIncidentApi(github, context.owner, context.repo),
      log: coreLogger,
      now: () => Date.now(),
      ...(webhook.settings ? { webhook: { settings: webhook.settings, send: webhookSendDeps() } } : {}),
    });
  });
}
