import { readContext } from '../../core/action/context.js';
import { ConfigurationError } from '../../core/action/errors.js';
import { parseInputs } from '../../core/action/inputs.js';
import { addSecret, coreLogger, inputReader, runAction } from '../../core/action/runner.js';
import { loadGitHub } from '../../core/github/load.js';
import { octokitIncidentApi } from '../../core/incident/github.js';
import { autoRevert } from '../../core/lastgood/revert.js';
import { webhookSettings } from '../../core/notify/settings.js';
import { webhookSendDeps } from '../../core/notify/wiring.js';
import { revertSummary, tellAuthor } from '../auto-revert/main.js';
import { wireRevert } from '../auto-revert/wiring.js';
import type { HealthGateInputs } from '../health-gate/inputs.js';
import { main as gateMain, plan as gatePlan } from '../health-gate/main.js';
import { incidentInputsOf } from '../open-incident-issue/inputs.js';
import { promote } from '../promote-to-stable/main.js';
import { rollbackPromoteInputs, wirePromote } from '../promote-to-stable/wiring.js';
import { inputSchema, secretInputs, type MonitorInputs } from './inputs.js';
import { main } from './main.js';

/** The glue: inputs and the runner's context in, outputs and the job summary out (through runAction). */
export async function run(): Promise<void> {
  await runAction(async () => {
    // Every input is checked before the service is probed or anything is read: a bad one changes nothing.
    const inputs = parseInputs(inputSchema, inputReader(secretInputs));
    const ctx = readContext(process.env);
    const log = coreLogger;
    const gateInputs = healthGateInputs(inputs);
    const gate = gatePlan(gateInputs, ctx.workspace);
    for (const secret of gate.secrets) addSecret(secret);
    const webhook = webhookSettings(inputs);
    if (webhook.warning) log.warning(webhook.warning);
    if (!ctx.owner || !ctx.repo) throw new ConfigurationError('GITHUB_REPOSITORY is not set (owner/name): run this action in a GitHub Actions job');
    const branch = inputs.branch ?? (ctx.branch || ctx.defaultBranch || 'main');

    const github = await loadGitHub({ token: inputs.token, baseUrl: ctx.apiUrl, log, userAgent: 'greenline/health-monitor' });
    // promote-to-stable's own wiring for `ledger:previous` with rollback: the same ⏪ entries, tags, git tag and
    // deploy branch as a promotion; every one of its inputs is checked here, before the service is probed.
    const promoteWiring = await wirePromote(rollbackPromoteInputs(inputs, 'ledger:previous', inputs['dry-run']), { ...ctx, branch }, log);
    const ledger = promoteWiring.deps.ledger!;
    const now = promoteWiring.config.now;
    const imageName = promoteWiring.config.image;
    const tags = promoteWiring.config.tags;
    const { outputs, summary, failure } = await main(
      {
        image: imageName,
        tags,
        ledgerPath: inputs['ledger-path'],
        branch,
        incident: incidentInputsOf(inputs, { kind: 'health' }),
        details: inputs.details,
        context: { ...ctx, branch },
        dryRun: inputs['dry-run'],
        now,
      },
      {
        gate: () => gateMain(gateInputs, { log, workspace: ctx.workspace }),
        ledger,
        revert: async (build, reason) => {
          const { config, deps } = await wireRevert(
            {
              method: inputs.method,
              token: inputs.token,
              branch,
              'failing-sha': build,
              'target-sha': undefined,
              'ledger-path': inputs['ledger-path'],
              'ledger-source': 'auto',
              'preserve-paths': inputs['preserve-paths'],
              'require-checks': [],
              reason,
              message: inputs.message,
              'max-per-day': inputs['max-per-day'],
              fallback: inputs.fallback,
              'dry-run': inputs['dry-run'],
              'comment-on-pull-request': inputs['comment-on-pull-request'],
              confirm: 'none',
              'confirm-attempts': 2,
              // The build that serves production is judged as a whole: the health of a build names no culprit.
              undo: 'all',
              'failed-in': 'production',
            },
            ctx,
            log,
          );
          const result = await autoRevert(config, deps);
          await tellAuthor(result, config, deps);
          return { result, summary: revertSummary(result, config) };
        },
        restore: () => promote(promoteWiring.config, promoteWiring.deps),
        issues: octokitIncidentApi(github, ctx.owner, ctx.repo),
        log,
        now: () => Date.now(),
        ...(webhook.settings ? { webhook: { settings: webhook.settings, send: webhookSendDeps() } } : {}),
      },
    );
    return { outputs, summary, ...(failure ? { failure } : {}) };
  });
}

/** health-gate's inputs, from the monitor's (the same names and parsers). */
function healthGateInputs(inputs: MonitorInputs): HealthGateInputs {
  return {
    url: inputs.url,
    checks: inputs.checks,
    'prometheus-url': inputs['prometheus-url'],
    'prometheus-headers': inputs['prometheus-headers'],
    headers: inputs.headers,
    'ca-cert': inputs['ca-cert'],
    attempts: inputs.attempts,
    interval: inputs.interval,
    'initial-delay': inputs['initial-delay'],
    timeout: inputs.timeout,
    deadline: inputs.deadline,
    'pass-score': inputs['pass-score'],
    'marginal-score': inputs['marginal-score'],
    'fail-on': inputs['fail-on'],
    'rollback-on': inputs['rollback-on'],
  };
}
