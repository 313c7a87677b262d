import { createOnce, type Db } from './db/client.js';

export const SYSTEM_CONFIG_ID = '000000000000000000000001';

export interface SystemConfigValues {
  id: string;
  defaultRadiusMeters: number;
  maxBoxesInRadius: number;
  hierarchyLevels: unknown;
  createdAt: Date;
  updatedAt: Date;
}

/** The singleton system configuration, created from the environment's defaults on first use. */
export async function getSystemConfig(
  db: Db,
  defaultRadiusMeters: number,
): Promise<SystemConfigValues> {
  const upsert = () =>
    db.systemConfig.upsert({
      where: { id: SYSTEM_CONFIG_ID },
      create: { id: SYSTEM_CONFIG_ID, defaultRadiusMeters },
      update: {},
    });
  const row = await createOnce(upsert);
  return {
    id: row.id,
    defaultRadiusMeters: row.defaultRadiusMeters,
    maxBoxesInRadius: row.maxBoxesInRadius,
    hierarchyLevels: JSON.parse(row.hierarchyLevelsJson) as unknown,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
