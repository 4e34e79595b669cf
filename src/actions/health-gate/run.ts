import { inputSchema, secretInputs } from './inputs.js';
import { main, secretsOf } from './main.js';
import { parseInputs } from '../../core/action/inputs.js';
import { addSecret, coreLogger, inputReader, runAction } from '../../core/action/runner.js';
import { readContext } from '../../core/action/context.js';

/** The only file of health-gate that touches @actions/core: inputs in, outputs and summary out. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = parseInputs(inputSchema, inputReader(secretInputs));
    // Each header value (and the token inside `Bearer …`, passwords in URLs) is masked on its own, before any log line.
    const urls = [inputs.url, inputs['prometheus-url']];
    for (const secret of secretsOf([...inputs.headers, ...inputs['prometheus-headers']], urls)) addSecret(secret);
    const result = await main(inputs, { log: coreLogger, workspace: readContext(process.env).workspace });
    return {
      outputs: {
        status: result.status,
        score: result.score,
        healthy: result.healthy,
        rollback: result.rollback,
        report: result.report,
      },
      summary: result.summary,
      ...(result.failure ? { failure: result.failure } : {}),
    };
  });
}
