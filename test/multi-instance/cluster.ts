// The multi-instance harness: a Redis of its own (so it can be restarted without disturbing other
// tests), a fresh PostgreSQL database, N instances in separate processes, and a round-robin proxy.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** redis-server on loopback with an append-only file, so a restart keeps its data (as in production). */
export class TestRedis {
  private process?: ChildProcess;
  readonly url: string;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(): Promise<TestRedis> {
    const redis = new TestRedis(await freePort(), mkdtempSync(join(tmpdir(), 'alcance-redis-')));
    await redis.up();
    return redis;
  }

  async up(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--save',
        '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
      lines.on('line', (line) => {
        if (/Ready to accept connections/.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    });
  }

  /** Stops it as an admin would (SIGTERM: the append-only file is flushed). */
  async down(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.process = undefined;
  }

  async close(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Instance {
  name: string;
  url: string;
  pid: number;
  process: ChildProcess;
  logFile: string;
  /** JSON log lines written so far. */
  logs(): Array<Record<string, unknown>>;
}

export interface ClusterOptions {
  instances: number;
  env?: Record<string, string>;
}

export class Cluster {
  readonly instances: Instance[] = [];
  private counter = 0;

  private constructor(
    readonly database: TestDatabase,
    readonly redis: TestRedis,
    readonly proxy: RoundRobinProxy,
    readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  /** Redis, the database (seeded by `seed` before any instance starts), the proxy, the instances. */
  static async start(
    options: ClusterOptions,
    seed?: (database: TestDatabase) => Promise<void>,
  ): Promise<Cluster> {
    const [database, redis] = await Promise.all([freshDatabase('postgresql'), TestRedis.start()]);
    await seed?.(database);
    const proxy = await startRoundRobinProxy([]);
    const cluster = new Cluster(
      database,
      redis,
      proxy,
      {
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        DEMO_NETWORK: 'off',
        PUBLIC_URL: proxy.url,
        ...options.env,
      },
      mkdtempSync(join(tmpdir(), 'alcance-cluster-')),
    );
    // A failed start (an instance that crashes) must not leave the others, or Redis, running.
    const started = await Promise.allSettled(
      Array.from({ length: options.instances }, () => cluster.spawn()),
    );
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await cluster.close(false);
      throw failed.reason;
    }
    return cluster;
  }

  /** Starts one more instance and puts it behind the proxy. */
  async spawn(): Promise<Instance> {
    const name = `i${++this.counter}`;
    const logFile = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/multi-instance/instance.ts'], {
      env: { ...process.env, ...this.env, INSTANCE_NAME: name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr.pipe(log);
    const tail: string[] = [];
    const keep = (line: string) => tail.push(line) > 40 && tail.shift();
    createInterface({ input: child.stderr }).on('line', keep);
    const started = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not start (${logFile}):\n${tail.join('\n')}`)),
        60_000,
      );
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        if (line.startsWith('ALCANCE_INSTANCE ')) {
          clearTimeout(timer);
          resolve(
            JSON.parse(line.slice('ALCANCE_INSTANCE '.length)) as { url: string; pid: number },
          );
        } else {
          log.write(`${line}\n`);
          keep(line);
        }
      });
      // The log file is gone with the machine when CI fails, so its end goes into the error.
      child.once('exit', (code) =>
        reject(new Error(`${name} exited with ${code} (${logFile}):\n${tail.join('\n')}`)),
      );
    });
    const instance: Instance = {
      name,
      ...started,
      process: child,
      logFile,
      logs: () =>
        readFileSync(logFile, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
    this.instances.push(instance);
    this.proxy.setBackends(this.alive().map((i) => i.url));
    return instance;
  }

  alive(): Instance[] {
    return this.instances.filter(
      (i) => i.process.exitCode === null && i.process.signalCode === null,
    );
  }

  /** SIGKILL: no shutdown, no lock release, leases left to expire. */
  async kill(instance: Instance): Promise<void> {
    const exited = new Promise((resolve) => instance.process.once('exit', resolve));
    instance.process.kill('SIGKILL');
    await exited;
  }

  /** Stops everything; `removeLogs: false` keeps the instances' logs for a failed start. */
  async close(removeLogs = true): Promise<void> {
    await Promise.all(
      this.alive().map(async (i) => {
        const exited = new Promise((resolve) => i.process.once('exit', resolve));
        i.process.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (i.process.exitCode === null) i.process.kill('SIGKILL');
      }),
    );
    await this.proxy.close();
    await this.redis.close();
    await this.database.drop();
    if (removeLogs) rmSync(this.logDir, { recursive: true, force: true });
  }
}
