import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from './git-fixture.js';
import { freePort } from './ports.js';
import { tempDir, type TempDir } from './tmp.js';

const LIGHTTPD = process.env.GREENLINE_LIGHTTPD ?? '/usr/sbin/lighttpd';
const MODULES = process.env.GREENLINE_LIGHTTPD_MODULES ?? '/usr/lib/lighttpd';
const BACKEND = process.env.GREENLINE_GIT_HTTP_BACKEND ?? '/usr/lib/git-core/git-http-backend';

/** A real smart-HTTP git host on loopback: lighttpd running git http-backend as CGI behind HTTP Basic auth. */
export interface GitHttpServer {
  /** `http://127.0.0.1:<port>/git` */
  base: string;
  username: string;
  password: string;
  /** Creates a bare repository `<name>.git` (receive.denyNonFastForwards, like a host that refuses force pushes). */
  createRepo(name: string, initial?: { files: Record<string, string>; branch?: string; message?: string }): Promise<{ url: string; bare: string }>;
  /** Refs of a repository, read on disk. */
  refs(name: string): Promise<Record<string, string>>;
  /** The directory of the bare repository. */
  bare(name: string): string;
  /** lighttpd's access log (every request line, with the user that authenticated). */
  accessLog(): Promise<string>;
  stop(): Promise<void>;
}

export async function startGitHttpServer(options: { username?: string; password?: string } = {}): Promise<GitHttpServer> {
  const dir: TempDir = await tempDir('greenline-git-http-');
  const repos = join(dir.path, 'repos');
  await mkdir(repos);
  await mkdir(join(dir.path, 'www'));
  const username = options.username ?? 'space-owner';
  const password = options.password ?? 'hf_test_0123456789abcdefSECRET';
  await writeFile(join(dir.path, 'users'), `${username}:${password}\n`, { mode: 0o600 });
  let child: ChildProcess | undefined;
  let port = 0;
  let lastError = '';
  // The port was free a moment ago; another process may take it first: a few tries, then fail loudly.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const conf = join(dir.path, `lighttpd-${port}.conf`);
    await writeFile(conf, config(dir.path, repos, port));
    try {
      child = await launch(conf, dir.path, port, username, password);
    } catch (error) {
      lastError = (error as Error).message;
    }
  }
  if (!child) {
    await dir.cleanup();
    throw new Error(`git http server (lighttpd + git-http-backend) did not come up: ${lastError}`);
  }
  const base = `http://127.0.0.1:${port}/git`;
  const running = child;
  return {
    base,
    username,
    password,
    bare: (name) => join(repos, `${name}.git`),
    async createRepo(name, initial) {
      const bare = join(repos, `${name}.git`);
      const branch = initial?.branch ?? 'main';
      await git(repos, ['init', '--quiet', '--bare', `--initial-branch=${branch}`, bare]);
      await git(bare, ['config', 'receive.denyNonFastForwards', 'true']);
      await git(bare, ['config', 'http.receivepack', 'true']);
      if (initial) {
        const work = join(dir.path, `seed-${name}`);
        await git(dir.path, ['init', '--quiet', `--initial-branch=${branch}`, work]);
        for (const [path, text] of Object.entries(initial.files)) {
          await mkdir(join(work, path, '..'), { recursive: true });
          await writeFile(join(work, path), text);
        }
        await git(work, ['add', '-A']);
        await git(work, ['commit', '-q', '-m', initial.message ?? 'initial commit']);
        await git(work, ['push', '-q', bare, `HEAD:refs/heads/${branch}`]);
      }
      return { url: `${base}/${name}.git`, bare };
    },
    async refs(name) {
      const out = await git(join(repos, `${name}.git`), ['for-each-ref', '--format=%(refname) %(objectname)']);
      return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
    },
    accessLog: () => readFile(join(dir.path, 'access.log'), 'utf8').catch(() => ''),
    async stop() {
      if (running.exitCode === null) {
        const exited = new Promise((r) => running.once('exit', r));
        running.kill('SIGTERM');
        await exited;
      }
      await dir.cleanup();
    },
  };
}

function config(root: string, repos: string, port: number): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    `server.modules = ( "mod_access", "mod_alias", "mod_setenv", "mod_cgi", "mod_auth", "mod_authn_file", "mod_accesslog" )`,
    `server.document-root = ${q(join(root, 'www'))}`,
    `server.bind = "127.0.0.1"`,
    `server.port = ${port}`,
    `server.errorlog = ${q(join(root, 'error.log'))}`,
    `accesslog.filename = ${q(join(root, 'access.log'))}`,
    `accesslog.format = "%u %r %>s"`,
    `alias.url = ( "/git" => ${q(BACKEND)} )`,
    `$HTTP["url"] =~ "^/git" {`,
    `  cgi.assign = ( "" => "" )`,
    `  setenv.add-environment = ( "GIT_PROJECT_ROOT" => ${q(repos)}, "GIT_HTTP_EXPORT_ALL" => "" )`,
    `}`,
    `auth.backend = "plain"`,
    `auth.backend.plain.userfile = ${q(join(root, 'users'))}`,
    `auth.require = ( "/git" => ( "method" => "basic", "realm" => "git", "require" => "valid-user" ) )`,
    '',
  ].join('\n');
}

/** Starts lighttpd in the foreground and waits until an authenticated smart-HTTP request is answered. */
async function launch(conf: string, root: string, port: number, username: string, password: string): Promise<ChildProcess> {
  const log = openSync(join(root, 'lighttpd.out'), 'a');
  const child = spawn(LIGHTTPD, ['-D', '-f', conf, '-m', MODULES], { stdio: ['ignore', log, log] });
  closeSync(log);
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `exited with ${signal ?? code}`));
  child.once('error', (e) => (exit = `could not start ${LIGHTTPD}: ${e.message}`));
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !exit) {
    try {
      // Any answer from the server proves it listens; 404 (no such repository) is the expected one.
      const res = await fetch(`http://127.0.0.1:${port}/git/none.git/info/refs?service=git-upload-pack`, { headers: { authorization: auth }, signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 404 || res.status === 200) return child;
      exit = `answered ${res.status} to an authenticated request`;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill('SIGKILL');
  const logs = [await readFile(join(root, 'lighttpd.out'), 'utf8').catch(() => ''), await readFile(join(root, 'error.log'), 'utf8').catch(() => '')].join('\n');
  throw new Error(`lighttpd on port ${port}: ${exit ?? 'no answer within 10 s'}\n${logs.slice(-3000)}`);
}
