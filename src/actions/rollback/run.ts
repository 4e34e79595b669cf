import { readContext } from '../../core/action/context.js';
import { ConfigurationError } from '../../core/action/errors.js';
import { parseInputs } from '../../core/action/inputs.js';
import { coreLogger, inputReader, runAction } from '../../core/action/runner.js';
import { actionsExec } from '../../core/git/actions-exec.js';
import { createGitHub } from '../../core/github/client.js';
import { octokitIncidentApi } from '../../core/incident/github.js';
import { covered, DEFAULT_MESSAGE_TEMPLATE } from '../../core/lastgood/revert.js';
import { setupLastGood } from '../../core/lastgood/setup.js';
import { revertDeps } from '../auto-revert/main.js';
import type { IncidentInputs } from '../open-incident-issue/inputs.js';
import { inputSchema } from './inputs.js';
import { main } from './main.js';

const FULL_SHA = /^[0-9a-f]{40}$/;

/** The glue: inputs and the runner's context in, outputs and the job summary out (through runAction). */
export async function run(): Promise<void> {
  await runAction(async () => {
    // Every input, the incident's included, is checked before the first request: a bad one changes nothing.
    const inputs = parseInputs(inputSchema, inputReader(['token']));
    const ctx = readContext(process.env);
    const log = coreLogger;
    if (inputs.method === 'api' && inputs.token === '') throw new ConfigurationError('Input "token": required with method: api (the Git Data API needs contents: write)');
    if (inputs.incident && inputs.token === '') throw new ConfigurationError('Input "token": required to open the incident issue (issues: write); or set incident: false');
    if (inputs.incident && (!ctx.owner || !ctx.repo)) throw new ConfigurationError('GITHUB_REPOSITORY is not set (owner/name): run this action in a GitHub Actions job');
    const branch = inputs.branch ?? ctx.branch;
    if (!branch) throw new ConfigurationError('Input "branch": the event names no branch; set branch');
    const failingSha = inputs['failing-sha'] ?? (ctx.eventName === 'workflow_run' ? ctx.eventHeadSha : ctx.sha);
    if (!FULL_SHA.test(failingSha) || /^0+$/.test(failingSha)) throw new ConfigurationError('Input "failing-sha": not given and the event has no commit SHA; set failing-sha');
    const ledgerPath = inputs['ledger-path'];
    const preservePaths = covered(ledgerPath, inputs['preserve-paths']) ? inputs['preserve-paths'] : [ledgerPath, ...inputs['preserve-paths']];
    const setup = setupLastGood({
      workspace: ctx.workspace,
      exec: actionsExec,
      token: inputs.token,
      apiUrl: ctx.apiUrl,
      owner: ctx.owner,
      repo: ctx.repo,
      ledgerPath,
      ledgerSource: inputs['ledger-source'],
      requireChecks: inputs['require-checks'],
      log,
    });
    const deps = revertDeps(inputs.method, setup, failingSha, log);
    const incident: IncidentInputs | undefined = inputs.incident
      ? {
          mode: 'open',
          fingerprint: inputs.fingerprint,
          kind: inputs.kind,
          title: inputs.title,
          'failing-sha': failingSha,
          'restored-sha': undefined,
          'run-url': undefined,
          'health-report': inputs['health-report'],
          details: '',
          labels: inputs.labels,
          assignees: inputs.assignees,
          'repeat-interval': inputs['repeat-interval'],
          'reopen-window': inputs['reopen-window'],
          token: inputs.token,
          'dry-run': inputs['dry-run'],
        }
      : undefined;
    const github = incident ? (setup.github ?? createGitHub({ token: inputs.token, baseUrl: ctx.apiUrl, log, userAgent: 'greenline/rollback' })) : undefined;
    const { outputs, summary, failure } = await main(
      {
        revert: {
          branch,
          failingSha,
          ...(inputs['target-sha'] ? { targetSha: inputs['target-sha'] } : {}),
          ledgerPath,
          requireChecks: inputs['require-checks'],
          preservePaths,
          reason: inputs.reason,
          messageTemplate: inputs.message.trim() === '' ? DEFAULT_MESSAGE_TEMPLATE : inputs.message,
          maxPerDay: inputs['max-per-day'],
          fallback: inputs.fallback,
          dryRun: inputs['dry-run'],
          now: new Date(),
          runUrl: ctx.runUrl,
        },
        ...(incident ? { incident } : {}),
        details: inputs.details,
        context: ctx,
      },
      {
        revert: deps,
        ...(github ? { issues: octokitIncidentApi(github, ctx.owner, ctx.repo) } : {}),
        log,
        now: () => Date.now(),
      },
    );
    return { outputs, summary, ...(failure ? { failure } : {}) };
  });
}
