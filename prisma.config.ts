// Used only by the Prisma CLI (authoring migrations, drift checks). The service applies the
// committed migrations itself at start-up; see src/ozmap-model/db/migrate.ts.
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL ?? 'file:./data/alcance.db';
const dir = /^postgres(ql)?:/.test(url) ? 'postgres' : 'sqlite';

export default defineConfig({
  schema: `prisma/${dir}/schema.prisma`,
  migrations: { path: `prisma/${dir}/migrations` },
  datasource: { url },
});
