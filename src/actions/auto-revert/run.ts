import { readContext } from '../../core/action/context.js';
import { ConfigurationError, describeError } from '../../core/action/errors.js';
import { parseInputs } from '../../core/action/inputs.js';
import { blameToken, coreLogger, inputReader, runAction } from '../../core/action/runner.js';
import { inputSchema, secretInputs } from './inputs.js';
import { main, revertFailed } from './main.js';
import { wireRevert } from './wiring.js';

/** The glue: inputs and the runner's context in, outputs and the job summary out (through runAction). */
export async function run(): Promise<void> {
  await runAction(async () => {
    // Every input is checked before the first request: a bad one moves nothing.
    const inputs = parseInputs(inputSchema, inputReader(secretInputs));
    const ctx = readContext(process.env);
    const { config, deps } = await wireRevert(inputs, ctx, coreLogger);
    try {
      const { outputs, summary, failure } = await main(config, deps);
      return { outputs, summary, ...(failure ? { failure } : {}) };
    } catch (error) {
      // A mistake in the inputs stays one line with no outputs; anything else still writes every output.
      if (error instanceof ConfigurationError) throw error;
      if (error instanceof Error) coreLogger.debug(error.stack ?? error.message);
      return revertFailed(config, blameToken(error) ?? describeError(error));
    }
  });
}
