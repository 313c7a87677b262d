import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type Database from 'better-sqlite3';
import { WriteLock, type SqliteSession } from './sqlite-sync.js';

// Prisma's better-sqlite3 adapter prepares every statement anew (`prepare(sql).bind(args)`), and
// preparing was the largest single cost of a reservation (0.1 ms each, inside the serialised write
// transaction). This keeps the prepared statements by SQL text and hands the adapter a light view
// that binds its arguments per call.
//
// It also makes the adapter's transactions take the write lock when they begin. The adapter opens
// them with a deferred BEGIN: harmless while this connection is the file's only writer, but when
// another connection writes too (the SGP cycle's worker thread, `alcance import`), a transaction
// that read before the other's commit and then writes fails at once with SQLITE_BUSY_SNAPSHOT,
// which no busy timeout waits out. BEGIN IMMEDIATE waits for the lock instead (up to the busy
// timeout); this connection's transactions are serialised by the adapter's mutex already, so it
// costs nothing here.

const MAX_STATEMENTS = 1000;

type Statement = Database.Statement<unknown[]>;

// A prepared statement's result columns stay what they were when it was prepared (the schema does
// not change while the server runs; migrations run before it opens its connection), and the
// adapter asks for them on every query: 0.03 ms each, a few per reservation.
const columnsOf = new WeakMap<Statement, Database.ColumnDefinition[]>();

/** The part of a statement the adapter uses, over a cached statement with per-call arguments. */
class BoundStatement {
  private args: unknown[] = [];
  constructor(private readonly statement: Statement) {}
  get reader(): boolean {
    return this.statement.reader;
  }
  bind(args: unknown[]): this {
    this.args = args;
    return this;
  }
  run(): Database.RunResult {
    return this.statement.run(...this.args);
  }
  columns(): Database.ColumnDefinition[] {
    let columns = columnsOf.get(this.statement);
    if (!columns) {
      columns = this.statement.columns();
      columnsOf.set(this.statement, columns);
    }
    return columns;
  }
  raw(): { all: () => unknown[] } {
    this.statement.raw(true);
    return { all: () => this.statement.all(...this.args) };
  }
}

function cachePrepared(db: Database.Database): void {
  const prepare = db.prepare.bind(db) as (sql: string) => Statement;
  const cache = new Map<string, Statement>();
  (db as unknown as { prepare: (sql: string) => BoundStatement }).prepare = (text: string) => {
    const sql = text === 'BEGIN' ? 'BEGIN IMMEDIATE' : text;
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql); // most recently used last
    } else {
      statement = prepare(sql);
      if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, statement);
    return new BoundStatement(statement);
  };
}

type Factory = InstanceType<typeof PrismaBetterSqlite3>;
type Adapter = Awaited<ReturnType<Factory['connect']>>;
type Transaction = Awaited<ReturnType<Adapter['startTransaction']>>;

/**
 * Each transaction first takes the session's lock (shared with writeSync's synchronous
 * transactions), and gives it back when it commits or rolls back.
 */
function takeLockFirst(adapter: Adapter, lock: WriteLock): void {
  const start = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel): Promise<Transaction> => {
    const release = await lock.acquire();
    try {
      const tx = await start(isolationLevel);
      const commit = tx.commit.bind(tx);
      const rollback = tx.rollback.bind(tx);
      tx.commit = () => commit().finally(release);
      tx.rollback = () => rollback().finally(release);
      return tx;
    } catch (err) {
      release();
      throw err;
    }
  };
}

/**
 * Prisma's better-sqlite3 adapter factory whose connections keep their prepared statements, and
 * the session through which writeSync reaches the same connection.
 */
export function cachingSqliteAdapter(config: ConstructorParameters<typeof PrismaBetterSqlite3>[0]) {
  const factory = new PrismaBetterSqlite3(config);
  const connect = factory.connect.bind(factory);
  const session: SqliteSession = {
    lock: new WriteLock(),
    connect: async () => undefined,
  };
  factory.connect = async (): Promise<Adapter> => {
    const adapter = await connect();
    const driver = (adapter as unknown as { client: Database.Database }).client;
    cachePrepared(driver);
    takeLockFirst(adapter, session.lock);
    session.driver = driver;
    return adapter;
  };
  return { factory, session };
}
