// The Geogrid parts of `alcance integration` and `alcance sync`:
//   integration create --name NAME --kind geogrid --url API_URL --token TOKEN
//       (--project-id ID | --project-name NAME) [--elements service-splitters,poles,boxes,...]
//   integration update NAME [--project-id ID | --project-name NAME | --unlink-project]
//       [--webhook-secret [SECRET]] [--elements …] [--token …]
//   sync geogrid --name NAME [--dry-run]: one full sync now, a progress line per page (stderr) and
//       a summary (stdout); exit 0 when it finished, 1 when Geogrid could not be read, 3 when a
//       run of NAME is in progress.
import type { AppContext } from '../context.js';
import { ValidationError } from '../errors.js';
import type { Db } from '../ozmap-model/db/client.js';
import type { SecretBox } from '../security/secret-box.js';
import {
  Integrations,
  type IntegrationInput,
  type IntegrationProfile,
} from '../services/integrations.js';
import { GeogridLinks, projectChoice } from '../integrations/geogrid/links.js';
import { countLine, summaryLines } from '../integrations/geogrid/report.js';
import { GeogridBusyError, GeogridSync } from '../integrations/geogrid/sync.js';

type Flags = Record<string, string | true>;

function text(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (v === true) throw new ValidationError(`--${name} needs a value`, name);
  return v;
}

function webhookLines(name: string, secret: string): string[] {
  return [
    `webhook: in Geogrid (Configuração integração) set URL https://<this server>/webhooks/geogrid/${name}`,
    `         and Authorization ${secret}`,
    '         (shown only now; alcance integration update NAME --webhook-secret makes a new one)',
  ];
}

/** `integration create --kind geogrid …`: the profile and its project link in one transaction. */
export async function createGeogrid(
  db: Db,
  secrets: SecretBox,
  chatbotDays: number,
  input: IntegrationInput & { name?: string },
  flags: Flags,
): Promise<{ profile: IntegrationProfile; lines: string[] }> {
  const choice = projectChoice({
    projectId: text(flags, 'project-id'),
    projectName: text(flags, 'project-name'),
  });
  const links = new GeogridLinks(db, secrets);
  const { profile, linked } = await db.$transaction(async (tx) => {
    const integrations = new Integrations(tx as unknown as Db, chatbotDays, { secrets });
    const created = await integrations.create(input);
    return { profile: created, linked: await links.link(created.name, choice, tx) };
  });
  const state = await links.state(profile.name);
  return {
    profile,
    lines: [
      `project: ${linked.projectId}${state.projectName ? ` ("${state.projectName}")` : ''}`,
      ...(linked.secret ? webhookLines(profile.name, linked.secret) : []),
    ],
  };
}

/** The Geogrid flags of `integration update`; returns the lines to print. */
export async function updateGeogrid(
  db: Db,
  secrets: SecretBox,
  name: string,
  flags: Flags,
): Promise<string[]> {
  const links = new GeogridLinks(db, secrets);
  const lines: string[] = [];
  const id = text(flags, 'project-id');
  const projectName = text(flags, 'project-name');
  if (flags['unlink-project'] !== undefined) {
    if (id || projectName)
      throw new ValidationError(
        '--unlink-project goes alone, without --project-id/--project-name',
        'unlink-project',
      );
    const r = await links.unlink(name);
    lines.push(
      r.projectId
        ? `removed from project ${r.projectId}: the sync stopped; ${r.boxes} box(es) stay, marked as no longer synced`
        : `${name} fills no project`,
    );
  }
  if (id !== undefined || projectName !== undefined) {
    const linked = await links.link(name, projectChoice({ projectId: id, projectName }));
    lines.push(`project: ${linked.projectId}`);
    if (linked.secret) lines.push(...webhookLines(name, linked.secret));
  }
  const secret = flags['webhook-secret'];
  if (secret !== undefined) {
    lines.push(
      ...webhookLines(
        name,
        await links.setWebhookSecret(name, secret === true ? undefined : secret),
      ),
    );
  }
  return lines;
}

export const GEOGRID_UPDATE_FLAGS = [
  'project-id',
  'project-name',
  'unlink-project',
  'webhook-secret',
];

/** `alcance sync geogrid --name NAME [--dry-run]`. */
export async function syncGeogrid(
  ctx: AppContext,
  flags: Flags,
  broadcasting: boolean,
): Promise<number> {
  const name = text(flags, 'name');
  if (!name) throw new ValidationError('--name is required', 'name');
  const dryRun = flags['dry-run'] === true || flags['dry-run'] === 'true';
  const sync = new GeogridSync({
    db: ctx.db,
    network: ctx.network,
    integrations: ctx.integrations,
    runs: ctx.syncRuns,
    links: new GeogridLinks(ctx.db, ctx.secrets, ctx.now),
    logger: ctx.logger,
    now: ctx.now,
    owner: `${ctx.jobs.ownerId}:cli`,
    leaseMs: ctx.config.scheduler.leaseMs,
  });
  let result;
  try {
    result = await sync.run(name, {
      dryRun,
      trigger: 'cli',
      onStart: (runId) =>
        console.error(
          `geogrid ${name}: run ${runId}${dryRun ? ' (dry run: nothing is written)' : ''}`,
        ),
      onPage: (p) =>
        console.error(
          `[${p.scan}] page ${p.page}/${p.pages}: ${p.records} ${p.scan === 'clients' ? 'clients' : 'items'}; ${countLine(p.counts)}`,
        ),
    });
  } catch (err) {
    if (err instanceof GeogridBusyError) {
      console.error(`error: ${err.message}`);
      return 3;
    }
    throw err;
  }
  const run = await ctx.syncRuns.get(result.runId, { limit: 1 });
  const seconds = run.durationMs === null ? '-' : `${(run.durationMs / 1000).toFixed(1)} s`;
  console.log(
    `geogrid ${name} full sync${dryRun ? ' (dry run)' : ''}: ${result.status} in ${seconds} (run ${result.runId})`,
  );
  for (const line of summaryLines(result.counts)) console.log(`  ${line}`);
  if (result.error) {
    console.error(`error: ${result.error.message}`);
    return 1;
  }
  if (!dryRun && !broadcasting) {
    // Without Redis, a running server learns of these writes from the change log.
    console.error(
      `note: a running server sees these changes within NETWORK_SYNC_INTERVAL_SECONDS (${ctx.config.networkSync.intervalMs / 1000} s), from the change log`,
    );
  }
  console.log(`  details: alcance sync runs --id ${result.runId}`);
  return 0;
}
