// Messages the bot sends on its own initiative, and the approved templates that carry them once the
// customer's 24-hour window is closed. Pure: the channel decides which form to send.
import {
  TEMPLATE_PURPOSES,
  type TemplatePurpose,
  type TemplateSpec,
  type WhatsAppCloudConfig,
} from '../../config.js';
import type { CloudMessage } from './to-cloud-message.js';

/** Something worth telling a customer outside a conversation. */
export type CustomerNotice =
  /** Their chat reservation lapses soon. */
  | { kind: 'reservation-expiring'; name?: string; expiresAt: Date; address?: string }
  /** Coverage reached the point they asked about. */
  | { kind: 'fibre-available'; name?: string; address?: string }
  /** A person from the sales team answered them. */
  | { kind: 'handoff-reply'; name?: string; message: string };

export const PURPOSE_OF = {
  'reservation-expiring': 'reservationExpiring',
  'fibre-available': 'fibreAvailable',
  'handoff-reply': 'handoffReply',
} as const satisfies Record<CustomerNotice['kind'], TemplatePurpose>;

export type CloudTemplates = WhatsAppCloudConfig['templates'];
export type TemplateMessage = Extract<CloudMessage, { type: 'template' }>;

const TIME_ZONE = 'America/Sao_Paulo';
/** Meta refuses a template whose body (fixed text and parameters together) exceeds this. */
const TEMPLATE_BODY_LIMIT = 1024;

/** The notice as a free-form message, for when the 24-hour window is open (pt-BR). */
export function noticeText(notice: CustomerNotice): string {
  const hello = `Olá, ${firstName(notice.name)}!`;
  switch (notice.kind) {
    case 'reservation-expiring':
      return `${hello} Passando para lembrar que a reserva da sua instalação vale até ${formatDate(notice.expiresAt)}. Para agendar, responda "atendente" e nossa equipe fala com você.`;
    case 'fibre-available':
      return `${hello} Boa notícia: a fibra chegou${notice.address ? ` em ${notice.address}` : ' ao seu endereço'} 🎉 Quer reservar sua instalação? Responda "oi" e eu te ajudo por aqui.`;
    case 'handoff-reply':
      return notice.message;
  }
}

/** What each template parameter name stands for in this notice. */
export function noticeValues(notice: CustomerNotice): Record<string, string> {
  const values: Record<string, string> = { name: firstName(notice.name) };
  switch (notice.kind) {
    case 'reservation-expiring':
      values.expires_at = formatDate(notice.expiresAt);
      values.address = notice.address || 'seu endereço';
      break;
    case 'fibre-available':
      values.address = notice.address || 'seu endereço';
      break;
    case 'handoff-reply':
      values.message = notice.message;
      break;
  }
  return values;
}

/** How a configured template turned out to be defined at Meta (checked at start). */
export interface ResolvedTemplate extends TemplateSpec {
  /** Placeholders are names ({{name}}) rather than numbers. */
  named: boolean;
  /** Characters of the body outside its placeholders. */
  fixedLength: number;
}

/** The template message carrying `notice`, parameters cleaned to what Meta accepts. */
export function templateMessage(
  notice: CustomerNotice,
  template: ResolvedTemplate,
  language: string,
): TemplateMessage {
  const values = noticeValues(notice);
  const fixed = template.parameters.filter((p) => p !== 'message');
  const fixedValues = fixed.map((p) => sanitizeParameter(values[p] ?? ''));
  // The free text takes whatever room the rest of the body leaves.
  const room =
    TEMPLATE_BODY_LIMIT - template.fixedLength - fixedValues.reduce((n, v) => n + v.length, 0);
  const parameters = template.parameters.map((p) =>
    sanitizeParameter(values[p] ?? '', p === 'message' ? Math.max(room, 60) : 200),
  );
  return {
    type: 'template',
    name: template.name,
    language,
    parameters,
    ...(template.named ? { names: template.parameters } : {}),
  };
}

/**
 * A parameter as Meta accepts it: no line breaks or tabs, no more than 4 spaces in a row (error
 * 132018), never empty, at most `max` characters.
 */
export function sanitizeParameter(text: string, max = 200): string {
  const flat = text
    .replace(/\s*[\r\n\t]+\s*/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (!flat) return '-';
  if (flat.length <= max) return flat;
  return `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** A template as Meta lists it (GET /<WABA_ID>/message_templates). */
export interface MetaTemplate {
  name: string;
  language: string;
  status: string;
  parameterFormat?: string;
  components: Array<{
    type: string;
    format?: string;
    text?: string;
    buttons?: Array<{ type: string; url?: string }>;
  }>;
}

export interface TemplateCheck {
  /** One sentence per problem; empty when every purpose has a usable template. */
  problems: string[];
  resolved: Partial<Record<TemplatePurpose, ResolvedTemplate>>;
}

/**
 * Checks the configured templates against the business account's: each must exist in the
 * language, be approved, and have exactly the body placeholders the configuration fills, and
 * nothing else to fill (header media or variables, dynamic URL buttons).
 */
export function checkTemplates(templates: CloudTemplates, found: MetaTemplate[]): TemplateCheck {
  const problems: string[] = [];
  const resolved: TemplateCheck['resolved'] = {};
  for (const purpose of Object.keys(TEMPLATE_PURPOSES) as TemplatePurpose[]) {
    const spec = templates[purpose];
    const where = `${TEMPLATE_PURPOSES[purpose].variable} (${spec.name})`;
    const sameName = found.filter((t) => t.name === spec.name);
    if (sameName.length === 0) {
      problems.push(`${where}: no template with this name in the WhatsApp Business Account`);
      continue;
    }
    const template = sameName.find((t) => t.language === templates.language);
    if (!template) {
      const languages = sameName.map((t) => t.language).join(', ');
      problems.push(`${where}: exists in ${languages}, not in ${templates.language}`);
      continue;
    }
    if (template.status !== 'APPROVED') {
      problems.push(`${where}: is ${template.status}, not APPROVED`);
      continue;
    }
    const problem = shapeProblem(template, spec);
    if (problem) {
      problems.push(`${where}: ${problem}`);
      continue;
    }
    const body = template.components.find((c) => c.type === 'BODY')?.text ?? '';
    resolved[purpose] = {
      ...spec,
      named: template.parameterFormat === 'NAMED',
      fixedLength: body.replace(PLACEHOLDER, '').length,
    };
  }
  return { problems, resolved };
}

const PLACEHOLDER = /\{\{\s*([\w]+)\s*\}\}/g;

function shapeProblem(template: MetaTemplate, spec: TemplateSpec): string | undefined {
  for (const c of template.components) {
    if (c.type === 'HEADER' && c.format && c.format !== 'TEXT') {
      return `its ${c.format.toLowerCase()} header needs a parameter Alcance cannot fill`;
    }
    if (c.type === 'HEADER' && c.text?.includes('{{')) {
      return 'its header has a variable Alcance cannot fill';
    }
    if (c.type === 'BUTTONS' && c.buttons?.some((b) => b.url?.includes('{{'))) {
      return 'a URL button has a variable Alcance cannot fill';
    }
  }
  const body = template.components.find((c) => c.type === 'BODY')?.text ?? '';
  const placeholders = [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
  const list = spec.parameters.join(',') || 'none';
  if (template.parameterFormat === 'NAMED') {
    const same =
      placeholders.length === spec.parameters.length &&
      placeholders.every((p) => spec.parameters.includes(p));
    if (!same) {
      return `its body uses {{${placeholders.join('}}, {{')}}} but the configuration fills ${list}`;
    }
    return undefined;
  }
  const expected = spec.parameters.map((_, i) => String(i + 1));
  const same =
    placeholders.length === expected.length && expected.every((n) => placeholders.includes(n));
  if (!same) {
    return `its body has ${placeholders.length} placeholder(s) but the configuration fills ${spec.parameters.length} (${list})`;
  }
  return undefined;
}

function firstName(name: string | undefined): string {
  const first = name?.trim().split(/\s+/)[0];
  return first ? first : 'cliente';
}

function formatDate(date: Date): string {
  return date.toLocaleDateString('pt-BR', { timeZone: TIME_ZONE });
}
