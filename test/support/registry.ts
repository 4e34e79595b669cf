import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { htpasswdLine } from './registry-htpasswd.js';
import { startTokenIssuer, type TokenIssuer, type TokenIssuerOptions } from './registry-token-issuer.js';
import { freePort } from './ports.js';
import { tempDir } from './tmp.js';

export { pushFixture, getManifestRaw, FIXTURE_KINDS } from './registry-fixtures.js';
export type { Fixture, FixtureKind, PushedManifest, RawManifest } from './registry-fixtures.js';
export type { TokenIssuer } from './registry-token-issuer.js';

export type RegistryAuthMode = 'none' | 'htpasswd' | 'token';

export interface StartRegistryOptions {
  auth?: RegistryAuthMode;
  username?: string;
  password?: string;
  /** token mode: which JSON field the issuer answers with. */
  tokenField?: TokenIssuerOptions['tokenField'];
  /** token mode: narrow the actions granted. */
  grant?: TokenIssuerOptions['grant'];
}

/** One line of the registry's access log (gorilla's combined format on its stdout). */
export interface AccessLogEntry {
  method: string;
  /** Path and query, as requested. */
  path: string;
  status: number;
  userAgent: string;
}

export interface TestRegistry {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT — what goes in front of the repository in an image name. */
  host: string;
  port: number;
  auth: RegistryAuthMode;
  /** Set in htpasswd and token modes. */
  username?: string;
  password?: string;
  tokenIssuer?: TokenIssuer;
  /** The access log (registry stdout); `appLogPath` has its application log (stderr). */
  registryLogPath: string;
  appLogPath: string;
  dir: string;
  /** Every request so far, after waiting for the log to settle (lines are written after the answer). */
  accessLog(): Promise<AccessLogEntry[]>;
  /** An Authorization header with pull and push on the repository, for test code talking to the registry directly. */
  authHeader(repository: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

const BIN = process.env.GREENLINE_REGISTRY_BIN ?? 'docker-registry';
const SERVICE = 'greenline-test-registry';
const ISSUER = 'greenline-test-issuer';

/**
 * Starts a real CNCF distribution (Debian's docker-registry 2.8) on a free loopback port, with its own config,
 * storage and logs in a temp dir. Retries on a port taken between freePort() and bind.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  const username = auth === 'none' ? undefined : (options.username ?? 'greenline');
  const password = auth === 'none' ? undefined : (options.password ?? `pw-${randomBytes(6).toString('hex')}`);
  const tmp = await tempDir('greenline-registry-');
  const dir = tmp.path;
  let tokenIssuer: TokenIssuer | undefined;
  try {
    let authYaml = '';
    if (auth === 'htpasswd') {
      await writeFile(join(dir, 'htpasswd'), `${await htpasswdLine(username!, password!)}\n`);
      authYaml = `auth:\n  htpasswd:\n    realm: greenline-test\n    path: ${join(dir, 'htpasswd')}\n`;
    } else if (auth === 'token') {
      tokenIssuer = await startTokenIssuer({
        dir,
        service: SERVICE,
        issuer: ISSUER,
        users: { [username!]: password! },
        tokenField: options.tokenField,
        grant: options.grant,
      });
      authYaml =
        `auth:\n  token:\n    realm: ${tokenIssuer.realm}\n    service: ${SERVICE}\n    issuer: ${ISSUER}\n` +
        `    rootcertbundle: ${tokenIssuer.certPath}\n`;
    }
    await mkdir(join(dir, 'data'));
    const registryLogPath = join(dir, 'access.log');
    const appLogPath = join(dir, 'registry.log');
    let lastError: unknown;
    for (let tries = 0; tries < 3; tries++) {
      const port = await freePort();
      const configPath = join(dir, 'config.yml');
      await writeFile(configPath, config(dir, port, authYaml));
      try {
        const child = await launch(configPath, registryLogPath, appLogPath, port);
        return handle(child, port);
      } catch (error) {
        lastError = error;
        if (!/address already in use/i.test(String(error))) break;
      }
    }
    throw lastError;

    function handle(child: ChildProcess, port: number): TestRegistry {
      const kill = () => child.kill('SIGKILL');
      process.once('exit', kill);
      const host = `127.0.0.1:${port}`;
      return {
        url: `http://${host}`,
        host,
        port,
        auth,
        username,
        password,
        tokenIssuer,
        registryLogPath,
        appLogPath,
        dir,
        accessLog: () => readAccessLog(registryLogPath),
        authHeader: async (repository) => {
          if (auth === 'htpasswd') return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
          if (auth === 'token') {
            return `Bearer ${await tokenIssuer!.mint(username!, [{ type: 'repository', name: repository, actions: ['pull', 'push'] }])}`;
          }
          return undefined;
        },
        stop: async () => {
          process.removeListener('exit', kill);
          if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once('exit', resolve));
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
            await exited;
            clearTimeout(timer);
          }
          await tokenIssuer?.stop();
          await tmp.cleanup();
        },
      };
    }
  } catch (error) {
    await tokenIssuer?.stop();
    await tmp.cleanup();
    throw error;
  }
}

function config(dir: string, port: number, authYaml: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: text',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    authYaml,
  ].join('\n');
}

/** Spawns the registry with its logs going straight to files, and waits until /v2/ answers (any status). */
async function launch(configPath: string, accessLog: string, appLog: string, port: number): Promise<ChildProcess> {
  const out = openSync(accessLog, 'a');
  const err = openSync(appLog, 'a');
  const child = spawn(BIN, ['serve', configPath], { stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `exited with ${signal ?? code}`));
  child.once('error', (e) => (exit = `could not start ${BIN}: ${e.message}`));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (exit) break;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill('SIGKILL');
  const stderr = await readFile(appLog, 'utf8').catch(() => '');
  throw new Error(`docker-registry did not come up on port ${port} (${exit ?? 'no answer within 10 s'}):\n${stderr.slice(-3000)}`);
}

const LINE = /^\S+ \S+ \S+ \[[^\]]*\] "(\S+) (\S+) [^"]*" (\d{3}) \S+ "[^"]*" "([^"]*)"/;

async function readAccessLog(path: string): Promise<AccessLogEntry[]> {
  // The combined-log handler writes after the answer has gone out: wait until the file stops growing.
  let size = -1;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 40));
    const now = (await stat(path)).size;
    if (now === size) break;
    size = now;
  }
  const entries: AccessLogEntry[] = [];
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    const m = LINE.exec(line);
    if (m) entries.push({ method: m[1]!, path: m[2]!, status: Number(m[3]), userAgent: m[4]! });
  }
  return entries;
}

/** Counts entries by method and path pattern, e.g. manifest GETs: countAccess(log, 'GET', /\/manifests\//). */
export function countAccess(entries: AccessLogEntry[], method: string, path: RegExp, status?: number): number {
  return entries.filter((e) => e.method === method && path.test(e.path) && (status === undefined || e.status === status)).length;
}
