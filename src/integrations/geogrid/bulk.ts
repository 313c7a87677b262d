// Multi-row INSERTs inside the caller's Prisma transaction, for a page's new boxes, splitters,
// ports and holds: Prisma's createMany costs about half a millisecond per row here, a raw
// multi-row statement a fifth of that (docs/benchmarks.md). Statements stay under SQLite's bound
// parameter limit; dates, booleans and nulls are bound as Prisma binds them.
import { Prisma } from '../../generated/sqlite/client.js';
import type { Tx } from '../../ozmap-model/db/client.js';

const MAX_PARAMS = 900;

export async function insertRows(
  tx: Tx,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
): Promise<void> {
  if (rows.length === 0) return;
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const head = Prisma.raw(
    `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES `,
  );
  for (let i = 0; i < rows.length; i += perStatement) {
    const tuples = rows
      .slice(i, i + perStatement)
      .map((r) => Prisma.sql`(${Prisma.join(r as unknown[])})`);
    await tx.$executeRaw(Prisma.sql`${head}${Prisma.join(tuples)}`);
  }
}
