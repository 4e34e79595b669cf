import { readContext } from '../../core/action/context.js';
import { parseInputs } from '../../core/action/inputs.js';
import { coreLogger, inputReader, runAction } from '../../core/action/runner.js';
import { actionsExec } from '../../core/git/actions-exec.js';
import { setupLastGood } from '../../core/lastgood/setup.js';
import { inputSchema, secretInputs } from './inputs.js';
import { main } from './main.js';

/** The glue: inputs and the runner's context in, outputs and the job summary out (through runAction). */
export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = parseInputs(inputSchema, inputReader(secretInputs));
    const ctx = readContext(process.env);
    const setup = await setupLastGood({
      workspace: ctx.workspace,
      exec: actionsExec,
      token: inputs.token,
      apiUrl: ctx.apiUrl,
      owner: ctx.owner,
      repo: ctx.repo,
      ledgerPath: inputs['ledger-path'],
      ledgerSource: inputs['ledger-source'],
      requireChecks: inputs['require-checks'],
      log: coreLogger,
    });
    const { outputs, summary } = await main(
      {
        ...(inputs.head ? { head: inputs.head } : {}),
        ...(inputs.branch ? { branch: inputs.branch } : {}),
        eventHead: ctx.eventName === 'workflow_run' ? ctx.eventHeadSha : ctx.sha,
        eventBranch: ctx.branch,
        ledgerPath: inputs['ledger-path'],
        requireChecks: inputs['require-checks'],
      },
      setup,
      coreLogger,
    );
    return { outputs, summary };
  });
}
