// SGP payloads → our types. Small pure functions, lenient about what SGP leaves out (missing
// fields, numbers as strings, status text with spaces) and strict about what they claim.
import type {
  ContractStatus,
  LatLng,
  PointReading,
  SgpContract,
  SgpContractPage,
  SgpPlacement,
} from './types.js';

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or number field as trimmed text with inner runs of spaces collapsed; '' when absent. */
export function text(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\s+/g, ' ').trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

function textOrNull(value: unknown): string | null {
  return text(value) || null;
}

/** An id SGP may send as a number or a string ("123", 123). */
export function idText(value: unknown): string | null {
  const t = text(value);
  return /^[\w.-]{1,64}$/.test(t) ? t : null;
}

function fold(t: string): string {
  return t
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const STATUS_BY_TEXT: Record<string, ContractStatus> = {
  ativo: 1,
  inativo: 2,
  cancelado: 3,
  suspenso: 4,
  'inviabilidade tecnica': 5,
  novo: 6,
  'ativo v reduzida': 7,
  'ativo velocidade reduzida': 7,
  'ativo reduzido': 7,
  'ativo v reduzido': 7,
};

/** `1`…`7`, `"6"`, `" Ativo "`, `"Ativo V. Reduzida"`, `"INVIABILIDADE TÉCNICA"` → the code; else null. */
export function parseStatus(value: unknown): ContractStatus | null {
  const t = text(value);
  if (/^[1-7]$/.test(t)) return Number(t) as ContractStatus;
  return STATUS_BY_TEXT[fold(t)] ?? null;
}

/** `"online"`, `" Online "`, `true` → online; `"offline"`, `false` → offline; anything else → null. */
export function parseConnection(value: unknown): 'online' | 'offline' | null {
  if (value === true) return 'online';
  if (value === false) return 'offline';
  const t = fold(text(value));
  if (t === 'online') return 'online';
  if (t === 'offline') return 'offline';
  return null;
}

// An ONU reads between about -8 and -35 dBm; SGP writes 0 or -40 and below for "no light".
const RX_MIN = -60;
const RX_MAX = 10;

/** `"-20.017"`, `"-20,5"`, `"-20.0 dBm"`, `-19.2` → dBm (3 decimals); `"N/A"`, `""`, `"-"`, out of range → null. */
export function parseRx(value: unknown): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else {
    const t = text(value)
      .replace(/\s*dbm$/i, '')
      .replace(',', '.');
    if (!/^[+-]?\d+(\.\d+)?$/.test(t)) return null;
    n = Number(t);
  }
  if (!Number.isFinite(n) || n < RX_MIN || n > RX_MAX || n === 0) return null;
  return Math.round(n * 1000) / 1000;
}

function coordinate(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const t = text(value).replace(',', '.');
  return /^[+-]?\d+(\.\d+)?$/.test(t) ? Number(t) : null;
}

function reading(lat: number | null, lng: number | null, raw: string): PointReading {
  if (lat === null || lng === null) return raw ? { kind: 'invalid', raw } : { kind: 'missing' };
  // SGP stores 0,0 for "never located".
  if (lat === 0 && lng === 0) return { kind: 'missing' };
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180) return { kind: 'invalid', raw };
  return { kind: 'point', point: { lat, lng } };
}

/** Separate `latitude` / `longitude` fields (numbers, strings, decimal commas). */
export function parsePoint(lat: unknown, lng: unknown): PointReading {
  const raw = [text(lat), text(lng)].filter(Boolean).join(',');
  return reading(coordinate(lat), coordinate(lng), raw);
}

/** `endereco_ll` / `map_ll`: `"lat,lng"` with optional spaces. */
export function parseLatLngText(value: unknown): PointReading {
  const raw = text(value);
  if (!raw) return { kind: 'missing' };
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length !== 2) return { kind: 'invalid', raw };
  return reading(coordinate(parts[0]), coordinate(parts[1]), raw);
}

/** CPF/CNPJ with or without punctuation → digits; anything that is not 11 or 14 digits → null. */
export function parseDocument(value: unknown): string | null {
  const digits = text(value).replace(/\D/g, '');
  return digits.length === 11 || digits.length === 14 ? digits : null;
}

/** The spellings a CPF/CNPJ may be stored with here: digits, and the usual punctuation. */
export function documentSpellings(digits: string): string[] {
  if (digits.length === 11)
    return [digits, digits.replace(/^(\d{3})(\d{3})(\d{3})(\d{2})$/, '$1.$2.$3-$4')];
  if (digits.length === 14)
    return [digits, digits.replace(/^(\d{2})(\d{3})(\d{3})(\d{4})(\d{2})$/, '$1.$2.$3/$4-$5')];
  return [digits];
}

/** `endereco{logradouro, numero, complemento, bairro, cidade, uf, cep}` → one line, or null. */
export function formatAddress(value: unknown): string | null {
  if (!isRecord(value)) return null;
  const street = [text(value.logradouro), text(value.numero)].filter(Boolean).join(', ');
  const local = [street, text(value.complemento), text(value.bairro)].filter(Boolean).join(' - ');
  const city = [text(value.cidade), text(value.uf)].filter(Boolean).join(' - ');
  const line = [local, city, text(value.cep)].filter(Boolean).join(', ');
  return line || null;
}

function addressPoint(value: unknown): PointReading {
  if (!isRecord(value)) return { kind: 'missing' };
  const separate = parsePoint(value.latitude, value.longitude);
  if (separate.kind !== 'missing') return separate;
  return parseLatLngText(value.endereco_ll ?? value.ll);
}

function firstOf(value: unknown): string | null {
  if (!Array.isArray(value)) return textOrNull(value);
  for (const v of value) {
    const t = isRecord(v) ? text(v.contato ?? v.numero ?? v.email ?? v.valor) : text(v);
    if (t) return t;
  }
  return null;
}

/** The internet service that carries the installation address: the first with an address. */
function installationAddress(contract: Rec): Rec | undefined {
  const services = Array.isArray(contract.servicos) ? contract.servicos : [];
  for (const s of services) if (isRecord(s) && isRecord(s.endereco)) return s.endereco;
  return isRecord(contract.endereco) ? contract.endereco : undefined;
}

/**
 * One `/api/ura/clientes/` entry (a customer with `contratos[]`) → one SgpContract per contract.
 * The installation address and point are the service's when it has one, else the customer's.
 */
export function contractsOfCustomer(customer: unknown): {
  contracts: SgpContract[];
  rejected: Array<{ itemId: string; reason: string }>;
} {
  const contracts: SgpContract[] = [];
  const rejected: Array<{ itemId: string; reason: string }> = [];
  if (!isRecord(customer)) {
    rejected.push({ itemId: '?', reason: 'customer entry is not an object' });
    return { contracts, rejected };
  }
  const customerId = idText(customer.id ?? customer.cliente_id) ?? '?';
  const list = Array.isArray(customer.contratos) ? customer.contratos : [];
  const contacts = isRecord(customer.contatos) ? customer.contatos : {};
  for (const c of list) {
    if (!isRecord(c)) {
      rejected.push({ itemId: `cliente ${customerId}`, reason: 'contract entry is not an object' });
      continue;
    }
    const contractId = idText(c.id ?? c.contrato ?? c.contratoId);
    if (!contractId) {
      rejected.push({ itemId: `cliente ${customerId}`, reason: 'contract without an id' });
      continue;
    }
    const place = installationAddress(c);
    const own = place ? addressPoint(place) : { kind: 'missing' as const };
    const onu = isRecord(c.onu) ? c.onu : {};
    const conexao = isRecord(c.conexao) ? c.conexao.status : c.conexao;
    contracts.push({
      contractId,
      customerId,
      name: textOrNull(customer.nome ?? customer.razaoSocial),
      document: parseDocument(customer.cpfcnpj ?? customer.cpfCnpj),
      status: parseStatus(c.status ?? c.contratoStatus),
      statusText: text(c.status ?? c.contratoStatusDisplay ?? c.contratoStatus),
      address: formatAddress(place ?? customer.endereco),
      coordinates: own.kind === 'missing' ? addressPoint(customer.endereco) : own,
      connection: parseConnection(conexao),
      rxDbm: parseRx(onu.rx ?? onu.info_rx),
      phone: firstOf(contacts.celulares) ?? firstOf(contacts.telefones),
      email: firstOf(contacts.emails),
    });
  }
  return { contracts, rejected };
}

export class SgpShapeError extends Error {}

/** A `/api/ura/clientes/` answer `{clientes[], paginacao{total}}` → a converted page. */
export function contractPage(body: unknown, offset: number): SgpContractPage {
  if (!isRecord(body) || !Array.isArray(body.clientes)) {
    throw new SgpShapeError('the answer has no "clientes" list');
  }
  const paginacao = isRecord(body.paginacao) ? body.paginacao : {};
  const total = Number(paginacao.total ?? body.total);
  const page: SgpContractPage = {
    offset,
    total: Number.isFinite(total) && total >= 0 ? total : offset + body.clientes.length,
    customers: body.clientes.length,
    contracts: [],
    rejected: [],
  };
  for (const customer of body.clientes) {
    const { contracts, rejected } = contractsOfCustomer(customer);
    page.contracts.push(...contracts);
    page.rejected.push(...rejected);
  }
  return page;
}

function port(value: unknown): number | null {
  const t = text(value);
  return /^\d{1,4}$/.test(t) && Number(t) >= 1 ? Number(t) : null;
}

/**
 * `/api/fttx/onu/list/?contrato=` rows → where the contract's ONU sits. Rows of other contracts
 * are ignored; of several ONUs, the first that names a CTO wins.
 */
export function placementFromOnus(body: unknown, contractId: string): SgpPlacement | null {
  const rows = Array.isArray(body)
    ? body
    : isRecord(body) && Array.isArray(body.onus)
      ? body.onus
      : null;
  if (!rows) throw new SgpShapeError('the ONU list is not a list');
  let fallback: SgpPlacement | null = null;
  for (const row of rows) {
    if (!isRecord(row)) continue;
    const owner = idText(row.service_contrato ?? row.contrato);
    if (owner !== null && owner !== contractId) continue;
    const placement: SgpPlacement = {
      contractId,
      ctoName: textOrNull(row.cto ?? row.cto_ident),
      port: port(row.ctoport ?? row.cto_porta),
      rxDbm: parseRx(row.info_rx),
    };
    if (placement.ctoName) return placement;
    fallback ??= placement;
  }
  return fallback;
}

/** The point to compare against ours, when SGP gave a usable one. */
export function pointOf(reading: PointReading): LatLng | null {
  return reading.kind === 'point' ? reading.point : null;
}
