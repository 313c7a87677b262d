import type { Config } from '../config.js';
import { ValidationError } from '../errors.js';
import type { Db } from '../ozmap-model/db/client.js';
import { SecretBox } from '../security/secret-box.js';
import { loadSecretsKey } from '../security/secrets-key.js';
import {
  Integrations,
  type IntegrationInput,
  type IntegrationProfile,
} from '../services/integrations.js';

type Flags = Record<string, string | true>;

function numberFlag(flags: Flags, name: string): number | null | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (v === 'default' || v === 'none') return null;
  const n = Number(v);
  if (v === true || !Number.isFinite(n))
    throw new ValidationError(`--${name} must be a number (or "default")`, name);
  return n;
}

function textFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (v === true) throw new ValidationError(`--${name} needs a value`, name);
  return v;
}

function boolFlag(flags: Flags, name: string): boolean | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false')
    throw new ValidationError(`--${name} must be true or false`, name);
  return v === 'true';
}

/** Sync flags: --url, --token, --app, --user, --password, --enabled, --update-minutes, --cancel-minutes. */
function syncInput(flags: Flags): IntegrationInput {
  const settings: Record<string, unknown> = {};
  const app = textFlag(flags, 'app');
  const user = textFlag(flags, 'user');
  if (app !== undefined) settings.app = app;
  if (user !== undefined) settings.user = user;
  const update = numberFlag(flags, 'update-minutes');
  const cancel = numberFlag(flags, 'cancel-minutes');
  if (update !== undefined) settings.updateEveryMinutes = update;
  if (cancel !== undefined) settings.cancelEveryMinutes = cancel;
  return {
    url: textFlag(flags, 'url'),
    token: textFlag(flags, 'token'),
    password: textFlag(flags, 'password'),
    enabled: boolFlag(flags, 'enabled'),
    settings: Object.keys(settings).length ? settings : undefined,
  };
}

/** Flags shared by create and update: --kind, --reservation-days, --radius, --prospect-tags, --may-reserve, and the sync flags. */
export function integrationInput(flags: Flags): IntegrationInput {
  const mayReserve = flags['may-reserve'];
  if (mayReserve !== undefined && mayReserve !== 'true' && mayReserve !== 'false') {
    throw new ValidationError('--may-reserve must be true or false', 'may-reserve');
  }
  const tags = flags['prospect-tags'];
  const bool = (name: string): boolean | null | undefined => {
    const v = flags[name];
    if (v === undefined) return undefined;
    if (v === 'default' || v === 'none') return null;
    if (v !== 'true' && v !== 'false') {
      throw new ValidationError(`--${name} must be true, false or "default"`, name);
    }
    return v === 'true';
  };
  const mode = flags['viability-mode'];
  return {
    viabilityMode: mode === undefined ? undefined : mode === 'default' ? null : String(mode),
    poleAccessDistance: numberFlag(flags, 'pole-access'),
    maxDropLength: numberFlag(flags, 'max-drop'),
    maxBoxes: numberFlag(flags, 'max-boxes'),
    propertyPortsAsFree: bool('property-ports-free'),
    blockedPortsAsFree: bool('blocked-ports-free'),
    horizontalCondos: bool('horizontal-condos'),
    kind: typeof flags.kind === 'string' ? flags.kind : undefined,
    reservationDays: numberFlag(flags, 'reservation-days'),
    defaultRadiusMeters: numberFlag(flags, 'radius'),
    prospectTags:
      typeof tags === 'string'
        ? tags
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean)
        : undefined,
    mayReserve: mayReserve === undefined ? undefined : mayReserve === 'true',
    ...syncInput(flags),
  };
}

/** A sync profile in one line: never a secret, only whether one is stored. */
function describeSync(p: IntegrationProfile): string {
  const s = Object.fromEntries(
    Object.entries(p.settings).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
  const auth = p.credentials.token
    ? `app=${s.app}  token=stored (sealed)`
    : p.credentials.password
      ? `user=${s.user}  password=stored (sealed)`
      : 'no credentials';
  const cycles =
    s.updateEveryMinutes !== undefined
      ? `  updates every ${s.updateEveryMinutes} min  cancellations every ${s.cancelEveryMinutes} min`
      : '';
  return `${p.name}  kind=${p.kind}  enabled=${p.enabled}  url=${p.url ?? '-'}  ${auth}${cycles}`;
}

export function describeProfile(p: IntegrationProfile): string {
  if (p.url !== undefined) return describeSync(p);
  const days = p.reservationDays === null ? 'no expiry' : `${p.reservationDays} days`;
  const radius =
    p.defaultRadiusMeters === undefined ? 'system radius' : `${p.defaultRadiusMeters} m`;
  const tags = p.prospectTags.length ? p.prospectTags.join(',') : '-';
  const v = p.viability;
  const viability = [
    v.mode && `mode=${v.mode}`,
    v.poleAccessDistance !== undefined && `pole-access=${v.poleAccessDistance}m`,
    v.maxDropLength !== undefined && `max-drop=${v.maxDropLength}m`,
    v.maxBoxes !== undefined && `max-boxes=${v.maxBoxes}`,
    v.propertyPortsFree !== undefined && `property-ports-free=${v.propertyPortsFree}`,
    v.blockedPortsFree !== undefined && `blocked-ports-free=${v.blockedPortsFree}`,
    v.horizontalCondos !== undefined && `horizontal-condos=${v.horizontalCondos}`,
  ].filter(Boolean);
  return `${p.name}  kind=${p.kind}  reservations=${days}  radius=${radius}  prospect-tags=${tags}  may-reserve=${p.mayReserve}${viability.length ? `  ${viability.join('  ')}` : ''}`;
}

/** `alcance integration create|list|update|delete`. */
export async function integrationCommand(
  db: Db,
  config: Config,
  sub: string | undefined,
  name: string | undefined,
  flags: Flags,
): Promise<number> {
  const secrets = SecretBox.fromKey(loadSecretsKey(config.secrets).key);
  const integrations = new Integrations(db, config.reservations.chatbotDays, { secrets });
  switch (sub) {
    case 'create': {
      const created = await integrations.create({
        ...integrationInput(flags),
        name: typeof flags.name === 'string' ? flags.name : name,
      });
      console.log(describeProfile(created));
      return 0;
    }
    case 'list':
      for (const p of await integrations.list()) console.log(describeProfile(p));
      return 0;
    case 'update':
      if (!name) break;
      console.log(describeProfile(await integrations.update(name, integrationInput(flags))));
      return 0;
    case 'delete':
      if (!name) break;
      await integrations.remove(name);
      console.log(`deleted ${name}`);
      return 0;
    case undefined:
    default:
      break;
  }
  console.error(
    'usage: alcance integration create --name NAME --kind KIND [--reservation-days D] [--radius M] [--prospect-tags a,b] [--may-reserve true|false]\n' +
      '       alcance integration create --name NAME --kind sgp --url URL --token TOKEN --app APP\n' +
      '              [--update-minutes 10] [--cancel-minutes 30] [--enabled true|false]   (or --user U --password P)\n' +
      '       alcance integration list | update NAME [flags] | delete NAME',
  );
  return 2;
}
