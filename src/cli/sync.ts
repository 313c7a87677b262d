// `alcance sync sgp --name NAME [--dry-run] [--only create|update|cancel]`: one cycle now, a
// progress line per page (stderr) and a summary (stdout); exit 0 when the cycle finished (even
// with skipped contracts), 1 when SGP could not be read, 3 when a cycle of NAME is running.
// `alcance sync runs [--name NAME] [--limit N] [--id RUN [--outcome O]]`: the run reports.
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { ValidationError } from '../errors.js';
import { buildContext } from '../server.js';
import { SgpSync, SyncBusyError, stepsFor } from '../integrations/sgp/sync.js';
import { countLine, summaryLines } from '../integrations/sgp/report.js';
import {
  SYNC_OUTCOMES,
  type SyncOutcome,
  type SyncRunSummary,
} from '../integrations/sync-runs/store.js';

type Flags = Record<string, string | true>;

export const SYNC_USAGE = `usage: alcance sync sgp --name NAME [--dry-run] [--only create|update|cancel]
       alcance sync runs [--name NAME] [--limit N]
       alcance sync runs --id RUN_ID [--outcome created|updated|skipped|error|...]`;

function text(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (v === true) throw new ValidationError(`--${name} needs a value`, name);
  return v;
}

function seconds(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

function runLine(r: SyncRunSummary): string {
  const tag = r.dryRun ? ' (dry run)' : '';
  const why = r.error ? `  — ${r.error}` : '';
  return `${r.id}  ${r.startedAt}  ${r.integration}  ${r.kind}  ${r.cycle}${tag}  ${r.trigger}  ${r.status}  ${seconds(r.durationMs)}  ${countLine(r.counts)}${why}`;
}

export async function syncCommand(
  config: Config,
  logger: Logger,
  sub: string | undefined,
  flags: Flags,
): Promise<number> {
  if (sub !== 'sgp' && sub !== 'runs') {
    console.error(SYNC_USAGE);
    return 2;
  }
  // The CLI's own log lines would interleave with its output; keep them to warnings.
  const quiet = logger.level === 'info' ? logger.child({}, { level: 'warn' }) : logger;
  const built = await buildContext(config, quiet);
  try {
    return sub === 'sgp'
      ? await sgpCycle(built.ctx, flags, !!built.redis)
      : await runs(built.ctx, flags);
  } finally {
    await built.close();
  }
}

async function sgpCycle(
  ctx: Awaited<ReturnType<typeof buildContext>>['ctx'],
  flags: Flags,
  broadcasting: boolean,
): Promise<number> {
  const name = text(flags, 'name');
  if (!name) throw new ValidationError('--name is required', 'name');
  const only = text(flags, 'only');
  const steps = stepsFor(only);
  const dryRun = flags['dry-run'] === true || flags['dry-run'] === 'true';
  const sync = new SgpSync({
    ...ctx,
    runs: ctx.syncRuns,
    owner: `${ctx.jobs.ownerId}:cli`,
    leaseMs: ctx.config.scheduler.leaseMs,
  });
  let result;
  try {
    result = await sync.run(name, {
      steps,
      dryRun,
      trigger: 'cli',
      onStart: (runId) =>
        console.error(`sgp ${name}: run ${runId}${dryRun ? ' (dry run: nothing is written)' : ''}`),
      onPage: (p) =>
        console.error(
          `[${p.scan}] page ${p.page}/${p.pages}: ${p.contracts} contracts; ${countLine(p.counts)}`,
        ),
    });
  } catch (err) {
    if (err instanceof SyncBusyError) {
      console.error(`error: ${err.message}`);
      return 3;
    }
    throw err;
  }
  const run = await ctx.syncRuns.get(result.runId, { limit: 1 });
  console.log(
    `sgp ${name} ${result.cycle}${dryRun ? ' (dry run)' : ''}: ${result.status} in ${seconds(run.durationMs)} (run ${result.runId})`,
  );
  for (const line of summaryLines(result.counts)) console.log(`  ${line}`);
  if (result.error) {
    console.error(`error: ${result.error.message}`);
    return 1;
  }
  if (!dryRun && !broadcasting) {
    console.error(
      'note: without REDIS_URL a running server sees these changes after its restart; ' +
        'POST /admin/sync-runs runs the cycle inside the server instead',
    );
  }
  console.log(`  details: alcance sync runs --id ${result.runId}`);
  return 0;
}

async function runs(
  ctx: Awaited<ReturnType<typeof buildContext>>['ctx'],
  flags: Flags,
): Promise<number> {
  const id = text(flags, 'id');
  if (id) {
    const outcome = text(flags, 'outcome');
    if (outcome !== undefined && !(SYNC_OUTCOMES as readonly string[]).includes(outcome)) {
      throw new ValidationError(`--outcome must be one of ${SYNC_OUTCOMES.join(', ')}`, 'outcome');
    }
    const run = await ctx.syncRuns.get(id, {
      outcome: outcome as SyncOutcome | undefined,
      limit: 10_000,
    });
    console.log(runLine(run));
    for (const line of summaryLines(run.counts)) console.log(`  ${line}`);
    for (const i of run.items) {
      console.log(
        `  #${i.seq}  ${i.itemId}  ${i.outcome}${i.reason ? `  ${i.reason}` : ''}  ${i.message}`,
      );
    }
    if (run.itemsTruncated)
      console.log(`  (items beyond the first ${run.items.length} were counted, not kept)`);
    return 0;
  }
  const limit = text(flags, 'limit');
  const n = limit === undefined ? 20 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 500) {
    throw new ValidationError('--limit must be a whole number from 1 to 500', 'limit');
  }
  const list = await ctx.syncRuns.list({ integration: text(flags, 'name'), limit: n });
  if (list.length === 0) console.log('no sync runs yet');
  for (const r of list) console.log(runLine(r));
  return 0;
}
