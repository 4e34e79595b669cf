import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../ports.js';
import { tempDir } from '../tmp.js';

/**
 * A real Prometheus (Debian's `prometheus`) on loopback, scraping the given targets every second. Resolves
 * once it is ready (/-/ready) and has scraped every target at least once; otherwise rejects with its log.
 */
export interface RunningPrometheus {
  url: string;
  port: number;
  log(): string;
  /** Polls an instant query until `accept` holds for its result (or throws with the last answer). */
  waitFor(query: string, accept: (result: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  /** Stops the process and keeps its data (an outage, or the first half of a restart). */
  down(): Promise<void>;
  /** Starts it again on the same port and data; resolves when it is ready. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';

export async function startPrometheus(targets: string[], options: { attempts?: number; port?: number } = {}): Promise<RunningPrometheus> {
  let lastError: unknown;
  for (let i = 0; i < (options.attempts ?? 3); i++) {
    try {
      return await startOnce(targets, options.port);
    } catch (error) {
      lastError = error;
      if (!/address already in use/i.test(String((error as Error).message))) throw error;
    }
  }
  throw lastError;
}

/** `port`: listen there (a restart of a Prometheus that was stopped), else on a free port. */
async function startOnce(targets: string[], fixedPort?: number): Promise<RunningPrometheus> {
  const dir = await tempDir('greenline-prometheus-');
  const port = fixedPort ?? (await freePort());
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: service',
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
  const configPath = join(dir.path, 'prometheus.yml');
  await writeFile(configPath, config);
  let log = '';
  let child!: ChildProcess;
  let exited: number | null | undefined;
  let exit!: Promise<void>;
  // The same data directory and port each time: a restart keeps what was scraped, as a real restart does.
  const launch = () => {
    exited = undefined;
    child = spawn(
      PROMETHEUS_BIN,
      [`--config.file=${configPath}`, `--storage.tsdb.path=${join(dir.path, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=info'],
      { cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const proc = child;
    exit = new Promise<void>((resolve) =>
      proc.on('exit', (code) => {
        exited = code;
        resolve();
      }),
    );
    child.on('error', (e) => (log += `\nspawn error: ${e.message}`));
  };
  launch();
  const url = `http://127.0.0.1:${port}`;

  const halt = async () => {
    if (exited === undefined && child.pid) {
      const proc = child;
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killer);
    }
  };
  const stop = async () => {
    await halt();
    await dir.cleanup();
  };
  const fail = async (what: string): Promise<never> => {
    await stop();
    throw new Error(`prometheus ${what}\n--- prometheus log ---\n${log.trim().split('\n').slice(-40).join('\n')}`);
  };

  const query = async (q: string): Promise<PromSample[] | undefined> => {
    try {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as { status: string; data?: { result?: PromSample[] } };
      return body.status === 'success' ? (body.data?.result ?? []) : undefined;
    } catch {
      return undefined;
    }
  };

  const until = Date.now() + 20_000;
  for (;;) {
    if (exited !== undefined) return fail(`exited with code ${exited} before it was ready`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) return fail('was not ready (/-/ready) within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const scraped = Date.now() + 15_000;
  for (;;) {
    const up = await query('up{job="service"}');
    if (up && up.length === targets.length && up.every((s) => s.value[1] === '1')) break;
    if (exited !== undefined) return fail(`exited with code ${exited} before its first scrape`);
    if (Date.now() > scraped) {
      let health: string;
      try {
        health = JSON.stringify(await (await fetch(`${url}/api/v1/targets`)).json());
      } catch {
        health = '(targets unavailable)';
      }
      return fail(`did not scrape ${targets.join(', ')} within 15 s; up = ${JSON.stringify(up)}; targets: ${health}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    port,
    log: () => log,
    async waitFor(q, accept, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      let last: PromSample[] | undefined;
      for (;;) {
        last = await query(q);
        if (last && accept(last)) return last;
        if (Date.now() > end) throw new Error(`prometheus: ${q} did not reach the expected result within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async down() {
      await halt();
    },
    async up() {
      launch();
      const end = Date.now() + 20_000;
      for (;;) {
        try {
          if ((await fetch(`${url}/-/ready`)).ok) return;
        } catch {
          // not listening yet
        }
        if (exited !== undefined || Date.now() > end) throw new Error(`prometheus did not come back up\n${log.trim().split('\n').slice(-20).join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
}
