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
import { blameInput, rollbackPromoteInputs, wirePromote } from '../promote-to-stable/wiring.js';
import { inputSchema, secretInputs, type ManualRollbackInputs } from './inputs.js';
import { main } from './main.js';
import { ledgerSource, parseTarget } from './target.js';

/** The glue: inputs and the runner's context in, outputs and the job summary out (through runAction). */
export async function run(): Promise<void> {
  await runAction(async () => {
    // Every input is checked before the first request: a bad one changes nothing.
    const inputs = parseInputs(inputSchema, inputReader(secretInputs));
    const target = parseTarget(inputs.to);
    const what = inputs.what;
    const source = ledgerSource(what, target);
    const webhook = webhookSettings(inputs);
    if (webhook.warning && inputs.incident) coreLogger.warning(webhook.warning);
    const ctx = readContext(process.env);
    const log = coreLogger;
    if ((what !== 'main' || source) && inputs.image.trim() === '') {
      throw new ConfigurationError(`Input "image": required with what: ${what}${what === 'main' ? ` and to: ${inputs.to} (the ledger entry of that build names it)` : ''}`);
    }
    if (inputs.incident && inputs.token === '') throw new ConfigurationError('Input "token": required to open the incident issue (issues: write); or set incident: false');
    if (inputs.incident && (!ctx.owner || !ctx.repo)) throw new ConfigurationError('GITHUB_REPOSITORY is not set (owner/name): run this action in a GitHub Actions job');

    const revertWiring = what !== 'image' ? await wireRevert(revertInputs(inputs), ctx, log) : undefined;
    // The ledger :stable's entries go to is on the branch the rollback is about.
    const branch = revertWiring?.config.branch ?? inputs.branch ?? ctx.branch;
    const promoteCtx = { ...ctx, branch };
    const resolveWiring = source ? await wirePromote(rollbackPromoteInputs(inputs, source, true), promoteCtx, log) : undefined;
    const restoreWiring = what !== 'main' && resolveWiring ? resolveWiring : undefined;

    const incident: IncidentInputs | undefined = inputs.incident ? incidentInputsOf(inputs, { kind: 'rollback' }) : undefined;
    const github = incident ? (revertWiring?.setup.github ?? (await loadGitHub({ token: inputs.token, baseUrl: ctx.apiUrl, log, userAgent: 'greenline/manual-rollback' }))) : undefined;
    const result = await main(
      {
        what,
        to: inputs.to || 'previous',
        target,
        reason: inputs.reason,
        actor: ctx.actor,
        ...(resolveWiring ? { resolve: resolveWiring.config } : {}),
        ...(restoreWiring ? { restore: restoreWiring.config } : {}),
        ...(revertWiring ? { revert: revertWiring.config } : {}),
        ...(incident ? { incident } : {}),
        details: inputs.details,
        dryRun: inputs['dry-run'],
        context: { ...ctx, branch },
      },
      {
        ...(resolveWiring ? { promote: resolveWiring.deps } : {}),
        ...(revertWiring ? { revert: revertWiring.deps } : {}),
        ...(github ? { issues: octokitIncidentApi(github, ctx.owner, ctx.repo) } : {}),
        ...(webhook.settings && incident ? { webhook: { settings: webhook.settings, send: webhookSendDeps() } } : {}),
        blame: (fn) => blameInput(fn, { source: 'to' }),
        log,
        now: () => Date.now(),
      },
    );
    if (resolveWiring) {
      const counts = resolveWiring.registry.requestCounts();
      log.info(`Registry requests: ${counts.GET} GET, ${counts.HEAD} HEAD, ${counts.PUT} PUT, ${counts.token} token`);
    }
    return { outputs: result.outputs, summary: result.summary, ...(result.failure ? { failure: result.failure } : {}) };
  });
}

/** auto-revert's inputs for main: the rollback workflow's settings (no confirmation: a person asked). */
function revertInputs(inputs: ManualRollbackInputs): Parameters<typeof wireRevert>[0] {
  return {
    method: inputs.method,
    token: inputs.token,
    branch: inputs.branch,
    'failing-sha': undefined,
    'target-sha': undefined,
    'ledger-path': inputs['ledger-path'],
    'ledger-source': 'auto',
    'preserve-paths': inputs['preserve-paths'],
    'require-checks': [],
    reason: `Manual rollback: ${inputs.reason}`,
    message: inputs.message,
    'max-per-day': inputs['max-per-day'],
    fallback: inputs.fallback,
    'dry-run': inputs['dry-run'],
    'comment-on-pull-request': true,
    confirm: 'none',
    'confirm-attempts': 2,
    // A person chose the build: everything after it is undone, never a culprit guessed from check verdicts.
    undo: 'all',
  };
}
