// The project a Geogrid integration fills, and the shared secret of its change notifications.
// Each Geogrid integration is tied to exactly one Alcance project (an existing one, or one made by
// name) and a project holds at most one integration. Removing the integration from its project
// stops the sync; what it synced stays, marked as no longer synced (a line in each box's
// observation, and the items' state), and linking the same project again takes it up again.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { Prisma } from '../../generated/sqlite/client.js';
import { newId } from '../../ids.js';
import { isUniqueViolation, type Db, type Tx } from '../../ozmap-model/db/client.js';
import type { SecretBox } from '../../security/secret-box.js';
import { inChunks } from './inventory.js';

export type ProjectChoice = { projectId: string } | { projectName: string };

export interface GeogridLinkState {
  integration: string;
  projectId: string | null;
  projectName: string | null;
  linkedAt: string | null;
  unlinkedAt: string | null;
  webhookSecret: boolean;
}

const dateFormat = new Intl.DateTimeFormat('pt-BR', {
  timeZone: 'America/Sao_Paulo',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** The line added to the boxes of an integration removed from its project (pt-BR). */
export function unlinkedNote(integration: string, at: Date): string {
  return `Sincronização Geogrid (${integration}) encerrada em ${dateFormat.format(at)}: dados não são mais sincronizados`;
}

export function newWebhookSecret(): string {
  return `ggw_${randomBytes(24).toString('base64url')}`;
}

function digest(v: string): Buffer {
  return createHash('sha256').update(v).digest();
}

/** Checks the project choice's shape: exactly one of projectId and projectName. */
export function projectChoice(input: {
  projectId?: unknown;
  projectName?: unknown;
}): ProjectChoice {
  const id = typeof input.projectId === 'string' ? input.projectId.trim() : undefined;
  const name = typeof input.projectName === 'string' ? input.projectName.trim() : undefined;
  if ((input.projectId !== undefined && !id) || (input.projectName !== undefined && !name)) {
    throw new ValidationError(
      'project-id and project-name need a value',
      id === undefined ? 'projectName' : 'projectId',
    );
  }
  if (id && name) {
    throw new ValidationError(
      'give either project-id (link an existing project) or project-name (create one), not both',
      'projectId',
    );
  }
  if (id) return { projectId: id };
  if (name) {
    if (name.length > 128)
      throw new ValidationError('project-name must be at most 128 characters', 'projectName');
    return { projectName: name };
  }
  throw new ValidationError(
    'a Geogrid integration fills one project: give project-id (an existing project) or project-name (a new one)',
    'projectId',
  );
}

export class GeogridLinks {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private secretContext(integration: string): string {
    return `integration:${integration}:geogrid-webhook`;
  }

  async state(integration: string): Promise<GeogridLinkState> {
    const row = await this.db.geogridIntegration.findUnique({ where: { integration } });
    const project = row?.projectId
      ? await this.db.project.findUnique({ where: { id: row.projectId }, select: { name: true } })
      : null;
    return {
      integration,
      projectId: row?.projectId ?? null,
      projectName: project?.name ?? null,
      linkedAt: row?.linkedAt?.toISOString() ?? null,
      unlinkedAt: row?.unlinkedAt?.toISOString() ?? null,
      webhookSecret: !!row?.webhookSecretSealed,
    };
  }

  /** The linked project's id, or null when the integration is not linked. */
  async projectOf(integration: string): Promise<string | null> {
    const row = await this.db.geogridIntegration.findUnique({
      where: { integration },
      select: { projectId: true },
    });
    return row?.projectId ?? null;
  }

  /**
   * Links the integration to a project (an existing one, or a new one by name) inside `tx` when
   * given (the CLI creates the profile and the link in one transaction). Returns the webhook
   * secret when one was made now (shown once), else null.
   */
  async link(
    integration: string,
    choice: ProjectChoice,
    tx?: Tx,
  ): Promise<{ projectId: string; secret: string | null }> {
    const run = async (t: Tx) => {
      const existing = await t.geogridIntegration.findUnique({ where: { integration } });
      if (existing?.projectId) {
        const already = 'projectId' in choice && choice.projectId === existing.projectId;
        if (already) return { projectId: existing.projectId, secret: null };
        throw new ConflictError(
          `integration ${integration} already fills project ${existing.projectId}: remove it from that project first (alcance integration update ${integration} --unlink-project)`,
          'projectId',
        );
      }
      let projectId: string;
      if ('projectId' in choice) {
        const project = await t.project.findUnique({
          where: { id: choice.projectId },
          select: { id: true },
        });
        if (!project) throw new NotFoundError('project', choice.projectId);
        const holder = await t.geogridIntegration.findUnique({ where: { projectId: project.id } });
        if (holder) {
          throw new ConflictError(
            `project ${project.id} already holds Geogrid integration ${holder.integration}: a project holds one integration`,
            'projectId',
          );
        }
        projectId = project.id;
      } else {
        const same = await t.project.findFirst({
          where: { name: choice.projectName },
          select: { id: true },
        });
        if (same) {
          throw new ConflictError(
            `a project named "${choice.projectName}" exists already (${same.id}): link it with project-id, or choose another name`,
            'projectName',
          );
        }
        projectId = newId(this.now().getTime());
        await t.project.create({ data: { id: projectId, name: choice.projectName } });
      }
      if (existing && existing.unlinkedAt && existing.projectId === null) {
        // A new project: what the earlier link synced stays where it is, no longer synced.
        const previous = await t.geogridItem.findFirst({
          where: { integration, state: 'unlinked' },
          select: { boxId: true },
        });
        const box = previous?.boxId
          ? await t.box.findUnique({ where: { id: previous.boxId }, select: { projectId: true } })
          : null;
        if (box && box.projectId !== projectId) {
          await t.geogridItem.deleteMany({ where: { integration } });
          await t.geogridSplitter.deleteMany({ where: { integration } });
        }
      }
      const secret = existing?.webhookSecretSealed ? null : newWebhookSecret();
      const data = {
        projectId,
        linkedAt: this.now(),
        unlinkedAt: null,
        ...(secret
          ? { webhookSecretSealed: this.secrets.seal(secret, this.secretContext(integration)) }
          : {}),
      };
      try {
        await t.geogridIntegration.upsert({
          where: { integration },
          create: { integration, ...data },
          update: data,
        });
      } catch (err) {
        if (isUniqueViolation(err))
          throw new ConflictError(
            `project ${projectId} already holds a Geogrid integration`,
            'projectId',
          );
        throw err;
      }
      return { projectId, secret };
    };
    return tx ? run(tx) : this.db.$transaction(run);
  }

  /**
   * Removes the integration from its project: the sync stops (schedules drop it at their next
   * refresh, notifications are refused); every box it synced gets a line saying so.
   */
  async unlink(integration: string): Promise<{ projectId: string | null; boxes: number }> {
    const row = await this.db.geogridIntegration.findUnique({ where: { integration } });
    if (!row?.projectId) return { projectId: null, boxes: 0 };
    const note = unlinkedNote(integration, this.now());
    const boxIds = (
      await this.db.geogridItem.findMany({
        where: { integration, boxId: { not: null } },
        select: { boxId: true },
      })
    ).map((r) => r.boxId!);
    await this.db.$transaction(
      async (tx) => {
        await inChunks(boxIds, async (chunk) => {
          await tx.$executeRaw(
            Prisma.sql`UPDATE "Box" SET "observation" = CASE WHEN "observation" IS NULL OR "observation" = '' THEN ${note} ELSE "observation" || ${`\n${note}`} END WHERE "id" IN (${Prisma.join(chunk)})`,
          );
          return [];
        });
        await tx.geogridItem.updateMany({ where: { integration }, data: { state: 'unlinked' } });
        await tx.geogridIntegration.update({
          where: { integration },
          data: { projectId: null, unlinkedAt: this.now() },
        });
      },
      { maxWait: 30_000, timeout: 120_000 },
    );
    return { projectId: row.projectId, boxes: boxIds.length };
  }

  /** Forgets the integration (profile deleted): unlinked first, then its bookkeeping dropped. */
  async forget(integration: string): Promise<void> {
    await this.unlink(integration);
    await this.db.geogridClient.deleteMany({ where: { integration } });
    await this.db.geogridIntegration.deleteMany({ where: { integration } });
  }

  /** Sets the notification secret (a new random one unless given); returns it (shown once). */
  async setWebhookSecret(integration: string, value?: string): Promise<string> {
    const secret = value?.trim() || newWebhookSecret();
    if (secret.length < 16 || secret.length > 256) {
      throw new ValidationError('the webhook secret must be 16 to 256 characters', 'webhookSecret');
    }
    const sealed = this.secrets.seal(secret, this.secretContext(integration));
    await this.db.geogridIntegration.upsert({
      where: { integration },
      create: { integration, webhookSecretSealed: sealed },
      update: { webhookSecretSealed: sealed },
    });
    return secret;
  }

  /** Whether `authorization` (the raw secret, or `Bearer <secret>`) is the integration's secret. */
  async checkSecret(integration: string, authorization: string | undefined): Promise<boolean> {
    const row = await this.db.geogridIntegration.findUnique({
      where: { integration },
      select: { webhookSecretSealed: true },
    });
    if (!row?.webhookSecretSealed || !authorization) return false;
    let secret: string;
    try {
      secret = this.secrets.open(row.webhookSecretSealed, this.secretContext(integration));
    } catch {
      return false;
    }
    const given = authorization.trim().replace(/^Bearer\s+/i, '');
    return timingSafeEqual(digest(given), digest(secret));
  }
}
