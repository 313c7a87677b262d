import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

/**
 * The PostgreSQL backends running statements for one unit of work (an HTTP request), so they can
 * be cancelled when nobody waits for the answer any more (the client went away).
 */
export class StatementScope {
  /** Backend pid → whether it was asked to stop (then its connection is closed, not reused). */
  readonly running = new Map<number, { doomed: boolean }>();
}

const scopes = new AsyncLocalStorage<StatementScope>();

/** Runs `fn` with the statements it starts (outside interactive transactions) tracked in `scope`. */
export function withStatementScope<T>(scope: StatementScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

type QueryConfig = pg.QueryConfig & { rowMode?: string };
type Cancel = (pids: number[]) => Promise<void>;
const cancellers = new WeakMap<pg.Pool, Cancel>();

/**
 * A pool whose `query(config)` (what Prisma's adapter calls for every statement outside an
 * interactive transaction) notes the backend running it in the caller's StatementScope. Writes in
 * transactions take their own connection and are never cancelled this way.
 */
export function cancellablePool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  const plain = pool.query.bind(pool) as (c: QueryConfig) => Promise<pg.QueryResult>;
  const tracked = async (c: QueryConfig): Promise<pg.QueryResult> => {
    const scope = scopes.getStore();
    if (!scope || typeof c !== 'object') return plain(c);
    const client = await pool.connect();
    // A connection the server ends while it is checked out must fail its query, not the process.
    const onError = () => undefined;
    client.on('error', onError);
    const pid = (client as unknown as { processID?: number }).processID;
    const entry = { doomed: false };
    if (pid) scope.running.set(pid, entry);
    try {
      return await client.query(c);
    } finally {
      if (pid) scope.running.delete(pid);
      client.removeListener('error', onError);
      // A connection asked to cancel is closed: its pid must never cancel another's statement.
      client.release(
        entry.doomed ? new Error('statement cancelled: its client is gone') : undefined,
      );
    }
  };
  pool.query = tracked as unknown as typeof pool.query;
  cancellers.set(pool, async (pids) => {
    // Outside any scope, on another pooled connection: PostgreSQL stops each backend's statement.
    await plain({
      text: 'SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid',
      values: [pids],
    });
  });
  return pool;
}

/** Cancels what `scope` still runs on `pool`; returns how many statements were asked to stop. */
export async function cancelScope(pool: pg.Pool, scope: StatementScope): Promise<number> {
  const cancel = cancellers.get(pool);
  if (!cancel) return 0;
  const pids: number[] = [];
  for (const [pid, entry] of scope.running) {
    entry.doomed = true;
    pids.push(pid);
  }
  if (pids.length) await cancel(pids);
  return pids.length;
}
