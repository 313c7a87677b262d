// The deployment files, followed as an admin would: the environment template lists every
// variable and is a valid configuration once filled in; the systemd unit passes systemd's own
// check and its ExecStart, run as written from the built app, serves; the nginx example, with a
// certificate, serves both instances over HTTPS.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_VARIABLES, loadConfig } from '../../src/config.js';
import { freePort } from '../multi-instance/cluster.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const required = (command: string) => has(command) || process.env.CI === 'true';

/** KEY=value lines of an environment file; `# KEY=value` lines are documented defaults. */
function envFile(text: string): { set: Map<string, string>; documented: Set<string> } {
  const set = new Map<string, string>();
  const documented = new Set<string>();
  for (const line of text.split('\n')) {
    const assignment = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (assignment) set.set(assignment[1]!, assignment[2]!);
    const commented = /^# ([A-Z][A-Z0-9_]*)=/.exec(line);
    if (commented) documented.add(commented[1]!);
  }
  return { set, documented };
}

/** The [Service] settings of a unit, with %i replaced by the instance name. */
function unitSettings(text: string, instance: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of text.replaceAll('%i', instance).split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), m[2]!]);
  }
  return settings;
}

describe('deploy/.env.example', () => {
  const { set, documented } = envFile(readFileSync(join(DEPLOY, '.env.example'), 'utf8'));

  it('lists every variable the service reads, and nothing else', () => {
    const listed = new Set([...set.keys(), ...documented]);
    expect([...ENV_VARIABLES].filter((v) => !listed.has(v))).toEqual([]);
    expect([...listed].filter((v) => !ENV_VARIABLES.includes(v))).toEqual([]);
  });

  it('is a valid configuration once its secrets are filled in', () => {
    const env = Object.fromEntries(set);
    env.SECRETS_KEY = randomBytes(32).toString('base64');
    env.METRICS_TOKEN = randomBytes(16).toString('hex');
    const config = loadConfig(env);
    expect(config.database.provider).toBe('postgresql');
    expect(config.http.trustProxy).toBe(true);
    expect(config.demo.mode).toBe('off');
  });
});

describe.runIf(required('systemd-analyze'))('deploy/alcance@.service', () => {
  it('passes systemd-analyze verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alcance-unit-'));
    try {
      const unit = join(dir, 'alcance@3001.service');
      copyFileSync(join(DEPLOY, 'alcance@.service'), unit);
      const run = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
      expect(run.stderr + run.stdout).toBe('');
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(required('nginx') && required('openssl') && process.env.TEST_POSTGRES_URL)(
  'the unit and the reverse proxy, followed',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'alcance-deploy-'));
    const instances: ChildProcess[] = [];
    let nginx: ChildProcess | undefined;
    let httpsPort = 0;
    let httpPort = 0;
    let database = '';
    const ports: number[] = [];
    const unit = readFileSync(join(DEPLOY, 'alcance@.service'), 'utf8');

    beforeAll(async () => {
      // The install steps: the built app (npm run build) and the filled-in environment file.
      execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--missing'], {
        stdio: 'inherit',
      });
      const env = Object.fromEntries(
        envFile(readFileSync(join(DEPLOY, '.env.example'), 'utf8')).set,
      );
      database = `alcance_deploy_${randomBytes(4).toString('hex')}`;
      execFileSync('psql', [process.env.TEST_POSTGRES_URL!, '-qc', `CREATE DATABASE ${database}`]);
      const pg = new URL(process.env.TEST_POSTGRES_URL!);
      pg.pathname = `/${database}`;
      Object.assign(env, {
        DATABASE_URL: pg.toString(),
        REDIS_URL: process.env.TEST_REDIS_URL ?? '',
        SECRETS_KEY: randomBytes(32).toString('base64'),
        METRICS_TOKEN: 'deploy-metrics-token-01',
        LOG_LEVEL: 'warn',
      });
      writeFileSync(
        join(dir, 'alcance.env'),
        Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
      );

      // Two instances, each exactly as systemd starts alcance@PORT: ExecStart, WorkingDirectory,
      // EnvironmentFile, Environment.
      for (let n = 0; n < 2; n++) {
        const port = await freePort();
        ports.push(port);
        const s = unitSettings(unit, String(port));
        const [command, ...args] = s.get('ExecStart')![0]!.split(' ');
        expect(command).toBe('/usr/bin/node');
        const fileEnv = Object.fromEntries(
          envFile(readFileSync(join(dir, 'alcance.env'), 'utf8')).set,
        );
        const unitEnv: Record<string, string> = Object.fromEntries(
          s
            .get('Environment')!
            .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
        );
        expect(s.get('WorkingDirectory')![0]).toBe('/opt/alcance');
        const child = spawn(process.execPath, args, {
          cwd: ROOT, // /opt/alcance here is this checkout
          env: { PATH: process.env.PATH, ...fileEnv, ...unitEnv },
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        instances.push(child);
      }
      for (const port of ports) await waitFor(`http://127.0.0.1:${port}/ready`);

      // nginx with the example config: its upstreams, certificate and ports pointed at this run.
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      httpsPort = await freePort();
      httpPort = await freePort();
      const site = readFileSync(join(DEPLOY, 'nginx.conf'), 'utf8')
        .replace('127.0.0.1:3001', `127.0.0.1:${ports[0]}`)
        .replace('127.0.0.1:3002', `127.0.0.1:${ports[1]}`)
        .replace(/listen \[::\]:\d+[^;]*;\n/g, '')
        .replace('listen 80;', `listen 127.0.0.1:${httpPort};`)
        .replace('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`)
        .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${join(dir, 'cert.pem')};`)
        .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${join(dir, 'key.pem')};`);
      expect(site).toContain(`127.0.0.1:${ports[1]}`);
      writeFileSync(
        join(dir, 'nginx.conf'),
        `pid ${dir}/nginx.pid; error_log ${dir}/error.log; events {}
http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
${site} }`,
      );
      const check = spawnSync('nginx', ['-t', '-c', join(dir, 'nginx.conf'), '-p', dir], {
        encoding: 'utf8',
      });
      expect(check.status, check.stderr).toBe(0);
      nginx = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir, '-g', 'daemon off;'], {
        stdio: 'ignore',
      });
      await waitFor(`http://127.0.0.1:${httpPort}/`, [301]);
    }, 180_000);

    afterAll(async () => {
      nginx?.kill('SIGTERM');
      await Promise.all(instances.map((c) => stop(c)));
      if (database)
        execFileSync('psql', [
          process.env.TEST_POSTGRES_URL!,
          '-qc',
          `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`,
        ]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('serves over HTTPS through nginx, redirects plain HTTP, and balances both instances', async () => {
      const plain = await fetch(`http://127.0.0.1:${httpPort}/ready`, { redirect: 'manual' });
      expect(plain.status).toBe(301);
      expect(plain.headers.get('location')).toMatch(/^https:\/\//);
      const ids = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const res = await httpsGet(httpsPort, '/ready');
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toMatchObject({
          status: 'ready',
          database: { provider: 'postgresql' },
        });
        expect(res.headers['strict-transport-security']).toMatch(/max-age/);
        ids.add(String(res.headers['x-request-id']));
      }
      // nginx's $request_id reaches the app, which answers with it: one per request.
      expect(ids.size).toBe(4);
    });

    it('stops cleanly on the unit’s KillSignal within its TimeoutStopSec', async () => {
      const s = unitSettings(unit, '0');
      expect(s.get('KillSignal')).toEqual(['SIGTERM']);
      const timeoutMs = Number(s.get('TimeoutStopSec')![0]) * 1000;
      const child = instances.pop()!;
      const started = Date.now();
      const code = await stop(child);
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(timeoutMs);
    });
  },
);

async function waitFor(url: string, statuses = [200]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(url, { redirect: 'manual' });
      if (statuses.includes(res.status)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

function httpsGet(
  port: number,
  path: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
