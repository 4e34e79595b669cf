import { readContext } from '../../core/action/context.js';
import { ConfigurationError } from '../../core/action/errors.js';
import { parseInputs } from '../../core/action/inputs.js';
import { coreLogger, inputReader, runAction } from '../../core/action/runner.js';
import { loadGitHub } from '../../core/github/load.js';
import { octokitIncidentApi } from '../../core/incident/github.js';
import { webhookSettings } from '../../core/notify/settings.js';
import { webhookSendDeps } from '../../core/notify/wiring.js';
import { wireRevert } from '../auto-revert/wiring.js';
import { incidentInputsOf, type IncidentInputs } from '../open-incident-issue/inputs.js';
import { inputSchema, secretInputs } from './inputs.js';
import { main } from './main.js';

/** The glue: inputs and the runner's context in, outputs and the job summary out (through runAction). */
export async function run(): Promise<void> {
  await runAction(async () => {
    // Every input, the incident's included, is checked before the first request: a bad one changes nothing.
    const inputs = parseInputs(inputSchema, inputReader(secretInputs));
    // Chat follows the incident: no incident, no message (the webhook inputs are still checked).
    const webhook = webhookSettings(inputs);
    if (webhook.warning && inputs.incident) coreLogger.warning(webhook.warning);
    const ctx = readContext(process.env);
    const log = coreLogger;
    if (inputs.incident && inputs.token === '') throw new ConfigurationError('Input "token": required to open the incident issue (issues: write); or set incident: false');
    if (inputs.incident && (!ctx.owner || !ctx.repo)) throw new ConfigurationError('GITHUB_REPOSITORY is not set (owner/name): run this action in a GitHub Actions job');
    const { config: revert, deps, setup } = await wireRevert(inputs, ctx, log);
    const failingSha = revert.failingSha;
    const incident: IncidentInputs | undefined = inputs.incident
      ? incidentInputsOf(inputs, { kind: inputs.kind, 'failing-sha': failingSha, 'health-report': inputs['health-report'] })
      : undefined;
    const github = incident ? (setup.github ?? await loadGitHub({ token: inputs.token, baseUrl: ctx.apiUrl, log, userAgent: 'greenline/rollback' })) : undefined;
    const { outputs, summary, failure } = await main(
      {
        revert,
        ...(incident ? { incident } : {}),
        details: inputs.details,
        context: ctx,
      },
      {
        revert: deps,
        ...(github ? { issues: octokitIncidentApi(github, ctx.owner, ctx.repo) } : {}),
        log,
        now: () => Date.now(),
        ...(webhook.settings && incident ? { webhook: { settings: webhook.settings, send: webhookSendDeps() } } : {}),
      },
    );
    return { outputs, summary, ...(failure ? { failure } : {}) };
  });
}
