import { readContext } from '../../core/action/context.js';
import { ConfigurationError, ExternalError } from '../../core/action/errors.js';
import { parseInputs } from '../../core/action/inputs.js';
import { coreLogger, inputReader, runAction } from '../../core/action/runner.js';
import { loadGitHub } from '../../core/github/load.js';
import { RegistryAccessError, RegistryError, lowercaseRepository, parseImage } from '../../core/registry/index.js';
import { inputSchema, secretInputs } from './inputs.js';
import { promote } from './main.js';
import { parseMetrics, parseRegressionGate } from './metrics.js';
import { parseSource, validateGitTag, validateTags } from './plan.js';
import { renderSummary } from './summary.js';
import { promotePorts } from './wiring.js';

export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = parseInputs(inputSchema, inputReader(secretInputs));
    const ctx = readContext(process.env);
    const log = coreLogger;

    // Every input is checked before the first request: a bad one changes nothing.
    const imageText = lowercaseRepository(inputs.image);
    if (imageText !== inputs.image.trim()) log.info(`Input "image": using ${imageText} (registries keep repository names in lowercase)`);
    const image = prefixed('image', () => parseImage(imageText));
    const source = parseSource(inputs.source);
    const tags = validateTags(inputs.tags);
    const metrics = parseMetrics(inputs.metrics);
    const gate = parseRegressionGate(inputs['max-regression']);
    const gitTag = validateGitTag(inputs['git-tag']);
    const ledgerWrite = inputs['ledger-write'];
    const usesApi = ledgerWrite === 'api' || (gitTag !== undefined && ledgerWrite !== 'git');
    if (usesApi && !inputs.token) throw new ConfigurationError(`Input "token": is required for ledger-write: api and for moving the git tag through the API`);
    if ((usesApi || ledgerWrite !== 'none') && !ctx.owner) throw new ConfigurationError('GITHUB_REPOSITORY is not set: cannot tell which repository holds the ledger');
    // A tag push or a release has no branch: the ledger lives on the default branch.
    const branch = ctx.branch || ctx.defaultBranch || 'main';

    // The ledger is read when it is written, or when the source or the metrics gate need it; with
    // ledger-write: none nothing else touches GitHub, and Octokit is not even loaded.
    const needsLedger = source.kind === 'ledger' || source.kind === 'ledger-previous' || inputs.rollback || gate.limits.length > 0;
    const talksToGitHub = ledgerWrite !== 'git' && (ledgerWrite === 'api' || needsLedger || gitTag !== undefined);
    const github = inputs.token && talksToGitHub ? await loadGitHub({ token: inputs.token, baseUrl: ctx.apiUrl, log }) : undefined;
    const ports = promotePorts(
      {
        image,
        username: inputs.username,
        password: inputs.password,
        insecure: inputs.insecure,
        ledgerPath: inputs['ledger-path'],
        ledgerWrite,
        gitTag,
        branch,
        github,
        ledgerViaApi: ledgerWrite === 'api' || needsLedger,
      },
      ctx,
      log,
    );
    const { registry, ledger, gitTag: gitTagPort } = ports;

    const result = await blameInput(() => promote(
      {
        image: `${image.registry}/${image.repository}`,
        source,
        sourceText: inputs.source,
        expectedDigest: inputs['expected-digest'],
        tags,
        metrics,
        maxRegression: gate.limits,
        onMissing: gate.onMissing,
        rollback: inputs.rollback,
        gitTag,
        commit: ctx.eventHeadSha || ctx.sha,
        runUrl: ctx.runUrl,
        runAttempt: Number(process.env.GITHUB_RUN_ATTEMPT ?? '1') || 1,
        dryRun: inputs['dry-run'],
        now: new Date(),
      },
      { registry, ledger, writeLedger: ledgerWrite !== 'none', gitTag: gitTagPort, log },
    ));
    for (const step of result.steps) log.info(step);
    const counts = registry.requestCounts();
    log.info(`Registry requests: ${counts.GET} GET, ${counts.HEAD} HEAD, ${counts.PUT} PUT, ${counts.token} token`);
    return {
      outputs: {
        digest: result.digest,
        'previous-digest': result.previousDigest,
        tags: result.moved.join(','),
        'ledger-entry': JSON.stringify(result.entry),
      },
      summary: renderSummary(result),
      failure: result.failure,
    };
  });
}

/**
 * Registry failures are told in terms of what the user gave: a manifest that is not there is the `source`;
 * a registry that cannot be reached or refuses the credentials is the `image` (its host) and its login.
 */
async function blameInput<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const registryFault =
      error instanceof RegistryAccessError || error instanceof RegistryError || (error instanceof ExternalError && /^cannot reach (the token service of )?registry/.test(error.message));
    if (registryFault && !error.message.startsWith('Input "')) {
      const status = error instanceof RegistryAccessError ? error.status : undefined;
      const input = status === 404 ? 'source' : status === 401 || status === 403 ? 'password' : 'image';
      throw new ConfigurationError(`Input "${input}": ${error.message}`);
    }
    throw error;
  }
}

/** Domain parsers throw without the input's name; the glue knows which input it was. */
export function prefixed<T>(input: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConfigurationError && !error.message.startsWith('Input "')) {
      throw new ConfigurationError(`Input "${input}": ${error.message}`);
    }
    throw error;
  }
}
