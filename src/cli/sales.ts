// `alcance user ...` and `alcance webhook ...`: the sales workspace's people and notifications
// from the command line, with the same rules and audit trail as the admin API.
import { userInfo } from 'node:os';
import type { Config } from '../config.js';
import { ValidationError } from '../errors.js';
import type { Db } from '../ozmap-model/db/client.js';
import type { Actor } from '../sales/audit.js';
import { SalesUsers, type SalesUserRecord } from '../sales/users.js';
import { WebhookEndpoints, type WebhookEndpointRecord } from '../sales/webhooks.js';
import { SecretBox } from '../security/secret-box.js';
import { loadSecretsKey } from '../security/secrets-key.js';

type Flags = Record<string, string | true>;

export const USER_USAGE = `usage: alcance user create --username U --role admin|sales [--password-stdin]
       alcance user list
       alcance user disable U | enable U
       alcance user reset-password U [--password-stdin]`;

export const WEBHOOK_USAGE = `usage: alcance webhook create --url URL --events a,b --secret S [--pii] [--description TEXT]
       alcance webhook create --telegram-chat CHAT_ID --events a,b
       alcance webhook list | delete ID | deliveries ID
events: reservation.created, reservation.confirmed, reservation.expiring, reservation.released,
        prospect.created, handoff.requested, handoff.escalated (or * for all)`;

function cliActor(): Actor {
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    // No passwd entry (containers): keep "unknown".
  }
  return { type: 'system', name: `cli (${who})` };
}

function flag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (v === true) throw new ValidationError(`--${name} needs a value`, name);
  return v;
}

/** The password piped in (`--password-stdin`), without the trailing newline. */
async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

function describeUser(u: SalesUserRecord): string {
  const state = u.disabled ? 'disabled' : 'active';
  const last = u.lastLoginAt ? `last login ${u.lastLoginAt}` : 'never signed in';
  return `${u.id}  ${u.username}  ${u.role}  ${state}  ${last}`;
}

export async function userCommand(
  db: Db,
  config: Config,
  sub: string | undefined,
  ref: string | undefined,
  flags: Flags,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  const users = new SalesUsers(db, () => new Date(), {
    log2N: config.sales.passwordCost,
    r: 8,
    p: 3,
  });
  const actor = cliActor();
  const password = flags['password-stdin'] ? await readStdin(stdin) : undefined;
  switch (sub) {
    case 'create': {
      const created = await users.create(
        { username: flag(flags, 'username') ?? ref, role: flag(flags, 'role'), password },
        actor,
      );
      console.error(`created ${describeUser(created.user)}`);
      if (created.password) {
        console.error('generated password (shown only once):');
        console.log(created.password);
      }
      return 0;
    }
    case 'list':
      for (const u of await users.list()) console.log(describeUser(u));
      return 0;
    case 'disable':
    case 'enable':
      if (!ref) break;
      console.log(describeUser(await users.setDisabled(ref, sub === 'disable', actor)));
      return 0;
    case 'reset-password': {
      if (!ref) break;
      const reset = await users.resetPassword(ref, actor, password);
      console.error(`new password set for ${reset.user.username}; their sessions were ended`);
      if (reset.password) {
        console.error('generated password (shown only once):');
        console.log(reset.password);
      }
      return 0;
    }
    case undefined:
    default:
      break;
  }
  console.error(USER_USAGE);
  return 2;
}

function describeWebhook(w: WebhookEndpointRecord): string {
  const target = w.kind === 'telegram' ? `telegram:${w.url}` : w.url;
  const state = w.active ? 'active' : 'paused';
  return `${w.id}  ${target}  ${w.events.join(',')}  ${state}  pending=${w.pending} failed=${w.failed}${w.includePii ? '  pii' : ''}`;
}

export async function webhookCommand(
  db: Db,
  config: Config,
  sub: string | undefined,
  ref: string | undefined,
  flags: Flags,
): Promise<number> {
  const box = SecretBox.fromKey(loadSecretsKey(config.secrets).key);
  const webhooks = new WebhookEndpoints(db, box, () => new Date());
  const actor = cliActor();
  switch (sub) {
    case 'create': {
      const chat = flag(flags, 'telegram-chat');
      const created = await webhooks.create(
        {
          kind: chat ? 'telegram' : 'webhook',
          url: chat ?? flag(flags, 'url'),
          events: flag(flags, 'events'),
          secret: flag(flags, 'secret'),
          description: flag(flags, 'description'),
          includePii: flags.pii === true ? true : undefined,
        },
        actor,
      );
      console.log(describeWebhook(created));
      return 0;
    }
    case 'list':
      for (const w of await webhooks.list()) console.log(describeWebhook(w));
      return 0;
    case 'delete':
      if (!ref) break;
      await webhooks.remove(ref, actor);
      console.log(`deleted ${ref}`);
      return 0;
    case 'deliveries':
      if (!ref) break;
      for (const d of await webhooks.deliveries(ref)) {
        const answer = d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '-');
        console.log(
          `${d.id}  ${d.eventType}  ${d.status}  attempts=${d.attempts}  ${answer}  ${d.deliveredAt ?? d.createdAt}`,
        );
      }
      return 0;
    case undefined:
    default:
      break;
  }
  console.error(WEBHOOK_USAGE);
  return 2;
}
