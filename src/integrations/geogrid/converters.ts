// Geogrid payloads → our types, and our data → Geogrid payloads: small pure functions, each with
// its own tests (test/geogrid/converters.test.ts). Geogrid's conventions met here: `{dados, pasta}`
// records, `registros`/`totalRegistros` pages, `S`/`N` flags, numbers and coordinates as strings
// (sometimes with a decimal comma), HTML in `observacao`, comma lists in parameters.
import type {
  EquipmentSummary,
  FieldErrors,
  LatLng,
  Page,
  PointReading,
  RemoteClient,
  RemoteEquipment,
  RemoteItem,
  RemotePort,
} from './types.js';

/** The answer does not have the shape Geogrid's API gives (wrong URL, a proxy's page, a change). */
export class GeogridShapeError extends Error {}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t ? t : null;
}

/** An id as Geogrid writes it (number or string) → our string id; null when absent. */
export function idOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && /^[\w-]{1,64}$/.test(v.trim())) return v.trim();
  return null;
}

/** `S`/`N` (any case), booleans, 1/0 → true/false; anything else → null (not said). */
export function flag(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v !== 'string') return null;
  const t = v.trim().toUpperCase();
  if (t === 'S' || t === 'SIM' || t === 'TRUE' || t === '1') return true;
  if (t === 'N' || t === 'NAO' || t === 'NÃO' || t === 'FALSE' || t === '0') return false;
  return null;
}

/** A whole number Geogrid may send as a string. */
function count(v: unknown): number | null {
  const n = typeof v === 'string' ? Number(v.trim()) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
}

/** `-23.4253`, `"-23,4253"`, `" -23.4253 "` → number; `""`/null → null; garbage → NaN. */
export function coordinate(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return Number.NaN;
  const t = v.trim();
  if (!t) return null;
  const normalised = /^-?\d+,\d+$/.test(t) ? t.replace(',', '.') : t;
  return /^-?\d+(\.\d+)?$/.test(normalised) ? Number(normalised) : Number.NaN;
}

/** A latitude/longitude pair; 0,0 (Geogrid's "not placed") counts as missing. */
export function pointOf(lat: unknown, lng: unknown): PointReading {
  const a = coordinate(lat);
  const b = coordinate(lng);
  if (a === null && b === null) return { kind: 'missing' };
  const raw = `${typeof lat === 'string' || typeof lat === 'number' ? lat : ''},${typeof lng === 'string' || typeof lng === 'number' ? lng : ''}`;
  if (a === null || b === null || Number.isNaN(a) || Number.isNaN(b)) {
    return { kind: 'invalid', raw };
  }
  if (a === 0 && b === 0) return { kind: 'missing' };
  if (a < -90 || a > 90 || b < -180 || b > 180) return { kind: 'invalid', raw };
  const point: LatLng = { lat: a, lng: b };
  return { kind: 'point', point };
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  aacute: 'á',
  eacute: 'é',
  iacute: 'í',
  oacute: 'ó',
  uacute: 'ú',
  atilde: 'ã',
  otilde: 'õ',
  ccedil: 'ç',
  ecirc: 'ê',
  ocirc: 'ô',
  acirc: 'â',
};

/** Geogrid's HTML `observacao` → plain text lines; null when nothing readable is left. */
export function htmlToText(html: unknown): string | null {
  if (typeof html !== 'string') return null;
  const withBreaks = html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h\d|pre)>/gi, '\n')
    .replace(/<[^>]*>/g, '');
  const decoded = withBreaks.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n =
        code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : Number(code.slice(1));
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : '';
    }
    return ENTITIES[code.toLowerCase()] ?? whole;
  });
  const lines = decoded
    .split(/\r?\n/)
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter((l, i, all) => l || (i > 0 && all[i - 1]));
  const out = lines.join('\n').trim();
  return out ? out : null;
}

/** CPF/CNPJ in any spelling → its 11 or 14 digits; null otherwise. */
export function documentDigits(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const digits = String(v).replace(/\D/g, '');
  return digits.length === 11 || digits.length === 14 ? digits : null;
}

/** Our client ids are 24 hex digits: the first one written in `observacao` (HTML or not). */
export function ourIdFromObservation(v: unknown): string | null {
  const t = htmlToText(v) ?? '';
  return /\b([0-9a-f]{24})\b/i.exec(t)?.[1]?.toLowerCase() ?? null;
}

/**
 * The API base from what the provider was given: the API URL itself (`…/api/v3`) or the panel
 * URL (`https://eros.geogridmaps.com.br/alencar`), which HubSoft's docs call api_url.
 */
export function apiBase(url: string): URL {
  const u = new URL(url);
  const path = u.pathname.replace(/\/+$/, '');
  if (/\/api\/v\d+$/.test(path)) u.pathname = `${path}/`;
  else if (/\/api$/.test(path)) u.pathname = `${path}/v3/`;
  else u.pathname = `${path}/api/v3/`;
  return u;
}

function records(body: unknown, key: string, where: string): unknown[] {
  if (!isObj(body)) throw new GeogridShapeError(`${where}: not a JSON object`);
  const list = body[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new GeogridShapeError(`${where}: ${key} is not a list`);
  return list;
}

function total(body: unknown, fallback: number): number {
  const t = isObj(body) ? count(body.totalRegistros) : null;
  return t ?? fallback;
}

/**
 * One network item, from a list record (`{dados, pasta}`) or a map record (`{dados, idPasta}`).
 * `planned` is the scan's `modoProjeto` when the record itself does not say.
 */
export function itemFromRecord(rec: unknown, planned: boolean | null = null): RemoteItem | null {
  if (!isObj(rec)) return null;
  const d = isObj(rec.dados) ? rec.dados : rec;
  const id = idOf(d.id);
  if (!id) return null;
  const folder = isObj(rec.pasta) ? idOf(rec.pasta.id) : idOf(rec.idPasta ?? d.idPasta);
  return {
    id,
    type: text(d.item) ?? '',
    name: text(d.sigla),
    point: pointOf(d.latitude, d.longitude),
    observation: htmlToText(d.observacao),
    folderId: folder,
    planned: flag(d.modoProjeto) ?? planned,
  };
}

/** A page of `GET /itensRede` (or `/itensRede/mapa`). */
export function itemsPage(body: unknown, page: number, planned: boolean | null): Page<RemoteItem> {
  const list = records(body, 'registros', 'itensRede');
  const out: Page<RemoteItem> = {
    page,
    total: total(body, list.length),
    records: [],
    rejected: [],
  };
  list.forEach((rec, i) => {
    const item = itemFromRecord(rec, planned);
    if (item) out.records.push(item);
    else out.rejected.push({ itemId: `page ${page} #${i + 1}`, reason: 'a record without an id' });
  });
  return out;
}

function portFromRecord(rec: unknown): (RemotePort & { output: boolean }) | null {
  if (!isObj(rec)) return null;
  const d = isObj(rec.dados) ? rec.dados : rec;
  const id = idOf(d.id);
  const number = count(d.porta);
  if (!id || number === null) return null;
  const c = isObj(rec.cliente) ? rec.cliente : null;
  const clientId = c ? idOf(c.id) : null;
  const reserved =
    (text(d.reservaStatus) ?? text(rec.reservaStatus) ?? '').toLowerCase() === 'reserva';
  return {
    id,
    number,
    output: (text(d.tipo) ?? 'S').toUpperCase() !== 'E',
    client: clientId ? { id: clientId, name: text(c?.nome) } : null,
    reserved: reserved && !clientId,
  };
}

/**
 * `GET /equipamentos/itemRede/{id}/portas`: `{registros:[{dados:{id, sigla, atendimento},
 * portas:[{dados:{id, porta, tipo}, cliente:{id, nome}}]}]}`, one record per equipment.
 * `service` is what the query asked for (`atendimento[]=S`) when the record does not say.
 */
export function equipmentFromPorts(body: unknown, service: boolean | null): RemoteEquipment[] {
  const out: RemoteEquipment[] = [];
  records(body, 'registros', 'portas').forEach((rec, i) => {
    if (!isObj(rec)) throw new GeogridShapeError(`portas: equipment #${i + 1} is not an object`);
    const d = isObj(rec.dados) ? rec.dados : isObj(rec.equipamento) ? rec.equipamento : {};
    const ports = Array.isArray(rec.portas) ? rec.portas : [];
    const parsed = ports.map(portFromRecord);
    if (parsed.some((p) => p === null)) {
      throw new GeogridShapeError(`portas: equipment #${i + 1} has a port without id or number`);
    }
    const all = parsed as Array<RemotePort & { output: boolean }>;
    const firstPort = all[0]?.id;
    const id = idOf(d.id) ?? (firstPort ? `p${firstPort}` : null);
    if (!id) return; // an equipment with no ports and no id carries nothing we can use
    out.push({
      id,
      name: text(d.sigla) ?? text(d.nome),
      service: flag(d.atendimento) ?? service,
      inputs: all.filter((p) => !p.output).length,
      outputs: all
        .filter((p) => p.output)
        .map(({ output: _o, ...p }) => p)
        .sort((a, b) => a.number - b.number),
    });
  });
  return out;
}

/**
 * Why an item's port list cannot be believed, or null: an output port number twice, numbers
 * that are not 1..n, a port id in two places.
 */
export function portContradiction(equipment: readonly RemoteEquipment[]): string | null {
  const portIds = new Set<string>();
  for (const e of equipment) {
    const label = e.name ? `"${e.name}"` : e.id;
    const numbers = e.outputs.map((p) => p.number);
    const distinct = new Set(numbers);
    if (distinct.size !== numbers.length) {
      const twice = numbers.find((n, i) => numbers.indexOf(n) !== i);
      return `equipment ${label} lists output port ${twice} twice`;
    }
    const max = Math.max(0, ...numbers);
    if (numbers.some((n) => n < 1) || max !== numbers.length) {
      return `equipment ${label} has output ports ${numbers.join(',')}: not 1 to ${numbers.length}`;
    }
    for (const p of e.outputs) {
      if (portIds.has(p.id)) return `port id ${p.id} appears twice`;
      portIds.add(p.id);
    }
  }
  return null;
}

/**
 * `GET /equipamentos/itemRede/portas?itensRede=…`: per item, its equipment's port counts.
 * Items the answer leaves out have no equipment of the kind asked for.
 */
export function summariesFromBody(body: unknown): Map<string, EquipmentSummary[]> {
  const out = new Map<string, EquipmentSummary[]>();
  for (const rec of records(body, 'itensRede', 'portas (resumo)')) {
    if (!isObj(rec)) continue;
    const id = idOf(rec.idItemRede);
    if (!id) continue;
    const equipment = Array.isArray(rec.equipamentos) ? rec.equipamentos : [];
    out.set(
      id,
      equipment.map((e) => {
        const v = isObj(e) && isObj(e.viabilidade) ? e.viabilidade : {};
        return {
          outputs: count(v.saidas) ?? 0,
          inputs: count(v.entradas) ?? 0,
          free: count(v.livres) ?? 0,
          taken: count(v.ocupadasTotal) ?? 0,
          reserved: (count(v.reservadas) ?? 0) + (count(v.reservadasCliente) ?? 0),
        };
      }),
    );
  }
  return out;
}

export function clientFromRecord(rec: unknown): RemoteClient | null {
  if (!isObj(rec)) return null;
  const d = isObj(rec.dados) ? rec.dados : rec;
  const id = idOf(d.id);
  if (!id) return null;
  return {
    id,
    name: text(d.nome),
    document: documentDigits(d.cpfCnpj),
    ourId: ourIdFromObservation(d.observacao),
  };
}

/** A page of `GET /clientes`: `{dados:[…], totalRegistros}`. */
export function clientsPage(body: unknown, page: number): Page<RemoteClient> {
  const list = records(body, 'dados', 'clientes');
  const out: Page<RemoteClient> = {
    page,
    total: total(body, list.length),
    records: [],
    rejected: [],
  };
  list.forEach((rec, i) => {
    const c = clientFromRecord(rec);
    if (c) out.records.push(c);
    else out.rejected.push({ itemId: `page ${page} #${i + 1}`, reason: 'a client without an id' });
  });
  return out;
}

/** `{dados:{id, …}}` from `POST /clientes` or `GET /clientes/{id}`. */
export function clientIdFromAnswer(body: unknown): string {
  const d = isObj(body) && isObj(body.dados) ? body.dados : null;
  const id = d ? idOf(d.id) : null;
  if (!id) throw new GeogridShapeError('clientes: the answer has no dados.id');
  return id;
}

/** Field errors in a 409/422 answer (`{portaReservada: "…"}`, `{erros: {…}}`), as text pairs. */
export function fieldErrors(body: unknown): FieldErrors {
  if (!isObj(body)) return {};
  const src = isObj(body.erros) ? body.erros : isObj(body.errors) ? body.errors : body;
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(src)) {
    const t = Array.isArray(v) ? v.filter((x) => typeof x === 'string').join('; ') : text(v);
    if (t && k !== 'dados') out[k] = t;
  }
  return out;
}

/** What we send Geogrid about a confirmed client: its basic data, our id in `observacao`. */
export interface OutgoingClient {
  ourId: string;
  name: string | null;
  document: string | null;
  address: string | null;
}

/** `POST /clientes` body. Only basic data; our id in `observacao` so Geogrid's record points back. */
export function clientPayload(c: OutgoingClient): { dados: Record<string, string> } {
  const document = documentDigits(c.document);
  return {
    dados: {
      nome: (c.name ?? '').trim() || `Cliente ${c.ourId}`,
      ...(document ? { cpfCnpj: document, tipo: document.length === 14 ? 'J' : 'F' } : {}),
      ...(c.address ? { endereco: c.address } : {}),
      observacao: c.ourId,
    },
  };
}

/** `POST /integracao/atender` body: the client on the port, placed at the box (within 2 m). */
export function attachPayload(o: {
  portId: string;
  clientId: string;
  at: LatLng;
}): Record<string, unknown> {
  const lat = String(o.at.lat);
  const lng = String(o.at.lng);
  return {
    idPorta: Number.isSafeInteger(Number(o.portId)) ? Number(o.portId) : o.portId,
    idCliente: Number.isSafeInteger(Number(o.clientId)) ? Number(o.clientId) : o.clientId,
    local: { latitude: lat, longitude: lng },
    pontos: [{ latitude: lat, longitude: lng }],
  };
}

/**
 * The item ids a change notification names. Geogrid's notification body is not documented, so
 * the usual spellings are read: `{idItemRede}`, `{id}`, `{dados:{id}}`, `{ids:[…]}`,
 * `{itens|itensRede|registros:[…]}` and a bare list of any of these.
 */
export function notificationItemIds(body: unknown): string[] {
  const ids: string[] = [];
  const visit = (v: unknown, depth: number) => {
    if (depth > 3) return;
    if (Array.isArray(v)) {
      for (const x of v) {
        const bare = idOf(x);
        if (bare) ids.push(bare);
        else visit(x, depth + 1);
      }
      return;
    }
    if (!isObj(v)) return;
    const own =
      idOf(v.idItemRede) ??
      idOf(v.idItem) ??
      (isObj(v.dados) ? idOf(v.dados.id) : null) ??
      idOf(v.id);
    if (own) ids.push(own);
    for (const key of ['ids', 'itens', 'itensRede', 'registros']) {
      if (Array.isArray(v[key])) visit(v[key], depth + 1);
    }
  };
  visit(body, 0);
  return [...new Set(ids)];
}
