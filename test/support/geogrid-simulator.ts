// A simulated Geogrid (GeogridMaps) API for tests and benchmarks, built from
// ../shared/reference/isp-apis.md §2 and issue 14:
// - HTTPS on 127.0.0.1 with the run's test CA (test-tls.ts); base `/<conta>/api/v3/`;
// - auth: header `api-key`; missing or wrong → 401 {mensagem};
// - list parameters as `x[]=a&x[]=b` or `x=a,b`; pages `pagina` (1-based) and
//   `registrosPorPagina` (capped at 500) with `registros`/`totalRegistros`;
// - GET /itensRede?item&modoProjeto=S|N&pesquisa → {registros:[{dados:{id, item, sigla, latitude,
//   longitude, status, observacao(HTML)}, pasta:{id, nome}}], totalRegistros}, by id;
// - GET /itensRede/mapa?ids → {registros:[{dados:{…, modoProjeto}, idPasta}]} (deleted ids left
//   out), GET /itensRede/{id}/mapa;
// - GET /equipamentos/itemRede/{id}/portas?atendimento=S|N&tipo=S,E → {registros:[{dados:{id,
//   sigla, atendimento}, portas:[{dados:{id, porta, tipo}, cliente:{id, nome}|null,
//   reservaStatus}]}]}; GET /equipamentos/itemRede/portas?itensRede&atendimento → per item its
//   equipment's {viabilidade:{saidas, entradas, livres, ocupadasTotal, reservadas,
//   reservadasCliente}} (items without such equipment left out; more than 500 ids → 422);
// - GET /clientes (paged) → {dados:[…], totalRegistros}, GET /clientes/{id} → {dados} | 404,
//   POST /clientes {dados} → 201 {dados:{id}} | 422 {nome|cpfCnpj|codigoIntegracao: "…"};
// - POST /integracao/atender {idPorta, idCliente, local, pontos} → 200 {dados} | 404
//   {naoEncontrado} | 409 {portaOcupada} | 422 {portaReservada: "A porta está reservada"};
//   a `local` farther than 2 m from the box is recorded as a drawn drop;
// - 429 past `perMinute` requests in a clock minute (Retry-After unless turned off).
// Assumptions where the reference is silent: equipment records carry `dados` (id, sigla,
// atendimento); the batched summary and the port list take `atendimento` as a filter; the map
// records say `modoProjeto`. Tests change the network between runs (add, move, re-flag, delete,
// attach clients) and inject faults (status, slow, dropped connection, garbage).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { testTls, type TestTls } from './test-tls.js';

export interface SimPort {
  id: number;
  porta: number;
  clientId: number | null;
  reserved: boolean;
}

export interface SimEquipment {
  id: number;
  sigla: string;
  service: boolean;
  inputPortIds: number[];
  ports: SimPort[];
}

export interface SimItem {
  id: number;
  type: string;
  sigla: string;
  lat: number | string;
  lng: number | string;
  observacao: string;
  planned: boolean;
  folderId: number;
  equipment: SimEquipment[];
}

export interface SimClient {
  id: number;
  nome: string;
  cpfCnpj: string;
  observacao: string;
  endereco: string;
  codigoIntegracao?: string;
}

export interface SplitterSpec {
  ports?: number;
  service?: boolean;
  sigla?: string;
  /** Port number → a client (existing id, or a new client's data). */
  clients?: Record<number, number | Partial<Omit<SimClient, 'id'>>>;
  reserved?: number[];
}

export interface ItemSpec {
  type?: string;
  sigla?: string;
  lat?: number | string;
  lng?: number | string;
  observacao?: string;
  planned?: boolean;
  folderId?: number;
  splitters?: SplitterSpec[];
}

export type SimFault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'drop' }
  | { kind: 'garbage'; body?: string; contentType?: string };

interface ArmedFault {
  fault: SimFault;
  path?: string;
  skip: number;
  times: number;
}

export interface SimRequest {
  method: string;
  /** Path under the API base, e.g. `itensRede` or `equipamentos/itemRede/12/portas`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  apiKey: string | undefined;
}

export interface AttachRecord {
  portId: number;
  clientId: number;
  /** `local` was more than 2 m from the box: Geogrid would draw an access point and a drop. */
  drawnDrop: boolean;
}

const MAX_PAGE = 500;

function haversine(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const r = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(h));
}

/** `x[]=a&x[]=b`, `x=a,b` or `x=a` → [a, b]. */
function listParam(url: URL, name: string): string[] | undefined {
  const values = [...url.searchParams.getAll(`${name}[]`), ...url.searchParams.getAll(name)];
  if (values.length === 0) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

export class GeogridSimulator {
  token: string;
  readonly account: string;
  /** Requests per clock minute before 429 (Infinity: no limit). */
  perMinute = Number.POSITIVE_INFINITY;
  /** Send Retry-After with 429s. */
  retryAfter = true;
  /** The simulator's clock (rate-limit minutes); tests move it. */
  now: () => number = Date.now;
  readonly requests: SimRequest[] = [];
  readonly attached: AttachRecord[] = [];
  /** Keep a log of requests (off in benchmarks). */
  recordRequests = true;

  private readonly items = new Map<number, SimItem>();
  private readonly clients = new Map<number, SimClient>();
  private readonly ports = new Map<
    number,
    { item: SimItem; equipment: SimEquipment; port: SimPort }
  >();
  private sortedIds: number[] | null = [];
  private faults: ArmedFault[] = [];
  private minute = -1;
  private inMinute = 0;
  private nextItem = 10_000;
  private nextEquipment = 50_000;
  private nextPort = 100_000;
  private nextClient = 500;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    options: { token: string; account: string },
  ) {
    this.token = options.token;
    this.account = options.account;
  }

  static async start(
    options: { token?: string; account?: string; tls?: TestTls; port?: number } = {},
  ): Promise<GeogridSimulator> {
    const tls = options.tls ?? testTls();
    const server = createServer({ key: tls.keyPem, cert: tls.certPem, keepAlive: true });
    const sim = new GeogridSimulator(server, {
      token: options.token ?? 'gg-7d41e0c2a9b84f55',
      account: options.account ?? 'provedor',
    });
    server.on('request', (req, res) => void sim.handle(req, res));
    server.on('secureConnection', (socket: Socket) => {
      sim.sockets.add(socket);
      socket.on('close', () => sim.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    return sim;
  }

  /** The API base the provider would be given. */
  get url(): string {
    return `${this.origin}/${this.account}/api/v3`;
  }

  get origin(): string {
    const { port } = this.server.address() as AddressInfo;
    return `https://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- network controls ------------------------------------------------------------------------

  /** Adds an item (a CTO by default, one 1x8 service splitter); returns it. */
  addItem(spec: ItemSpec = {}): SimItem {
    const id = this.nextItem++;
    const item: SimItem = {
      id,
      type: spec.type ?? 'terminal',
      sigla: spec.sigla ?? `CTO-${id}`,
      lat: spec.lat ?? -23.4253,
      lng: spec.lng ?? -51.9386,
      observacao: spec.observacao ?? '',
      planned: spec.planned ?? false,
      folderId: spec.folderId ?? 1,
      equipment: [],
    };
    this.items.set(id, item);
    this.sortedIds = null;
    const splitters = spec.splitters ?? (item.type === 'terminal' ? [{}] : []);
    for (const s of splitters) this.addSplitter(id, s);
    return item;
  }

  addSplitter(itemId: number, spec: SplitterSpec = {}): SimEquipment {
    const item = this.item(itemId);
    const equipment: SimEquipment = {
      id: this.nextEquipment++,
      sigla: spec.sigla ?? `SPL-${item.equipment.length + 1}`,
      service: spec.service ?? true,
      inputPortIds: [this.nextPort++],
      ports: [],
    };
    for (let n = 1; n <= (spec.ports ?? 8); n++) {
      const port: SimPort = { id: this.nextPort++, porta: n, clientId: null, reserved: false };
      equipment.ports.push(port);
      this.ports.set(port.id, { item, equipment, port });
    }
    item.equipment.push(equipment);
    for (const [n, c] of Object.entries(spec.clients ?? {})) {
      const clientId = typeof c === 'number' ? c : this.addClient(c).id;
      equipment.ports[Number(n) - 1]!.clientId = clientId;
    }
    for (const n of spec.reserved ?? []) equipment.ports[n - 1]!.reserved = true;
    return equipment;
  }

  item(id: number): SimItem {
    const item = this.items.get(id);
    if (!item) throw new Error(`no simulated item ${id}`);
    return item;
  }

  /** Port `porta` of the item's equipment #`equipment` (0-based). */
  port(itemId: number, porta: number, equipment = 0): SimPort {
    const e = this.item(itemId).equipment[equipment];
    const p = e?.ports.find((x) => x.porta === porta);
    if (!p) throw new Error(`item ${itemId} has no port ${porta} on equipment #${equipment}`);
    return p;
  }

  updateItem(
    id: number,
    patch: Partial<Pick<SimItem, 'sigla' | 'lat' | 'lng' | 'observacao' | 'planned'>>,
  ): void {
    Object.assign(this.item(id), patch);
  }

  /** Moves an item `meters` to the north. */
  moveNorth(id: number, meters: number): void {
    const item = this.item(id);
    item.lat = Number(item.lat) + meters / 111_195;
  }

  /** Marks an equipment service (atendimento = S) or distribution. */
  reflag(equipmentId: number, service: boolean): void {
    for (const item of this.items.values()) {
      const e = item.equipment.find((x) => x.id === equipmentId);
      if (e) {
        e.service = service;
        return;
      }
    }
    throw new Error(`no simulated equipment ${equipmentId}`);
  }

  removeSplitter(equipmentId: number): void {
    for (const item of this.items.values()) {
      const i = item.equipment.findIndex((x) => x.id === equipmentId);
      if (i < 0) continue;
      for (const p of item.equipment[i]!.ports) this.ports.delete(p.id);
      item.equipment.splice(i, 1);
      return;
    }
    throw new Error(`no simulated equipment ${equipmentId}`);
  }

  deleteItem(id: number): void {
    const item = this.item(id);
    for (const e of item.equipment) for (const p of e.ports) this.ports.delete(p.id);
    this.items.delete(id);
    this.sortedIds = null;
  }

  addClient(spec: Partial<Omit<SimClient, 'id'>> = {}): SimClient {
    const id = this.nextClient++;
    const client: SimClient = {
      id,
      nome: spec.nome ?? `Cliente Geogrid ${id}`,
      cpfCnpj: spec.cpfCnpj ?? '',
      observacao: spec.observacao ?? '',
      endereco: spec.endereco ?? '',
      ...(spec.codigoIntegracao ? { codigoIntegracao: spec.codigoIntegracao } : {}),
    };
    this.clients.set(id, client);
    return client;
  }

  client(id: number): SimClient | undefined {
    return this.clients.get(id);
  }

  get clientList(): SimClient[] {
    return [...this.clients.values()];
  }

  attach(portId: number, clientId: number | null): void {
    const at = this.ports.get(portId);
    if (!at) throw new Error(`no simulated port ${portId}`);
    at.port.clientId = clientId;
  }

  get itemCount(): number {
    return this.items.size;
  }

  // ---- faults and the request log --------------------------------------------------------------

  inject(fault: SimFault, options: { path?: string; times?: number; after?: number } = {}): void {
    this.faults.push({
      fault,
      path: options.path,
      skip: options.after ?? 0,
      times: options.times ?? 1,
    });
  }

  clearFaults(): void {
    this.faults = [];
  }

  requestsTo(path?: string, method?: string): SimRequest[] {
    return this.requests.filter(
      (r) =>
        (path === undefined || r.path === path || r.path.startsWith(`${path}/`)) &&
        (!method || r.method === method),
    );
  }

  /** What Geogrid does on a change: POST the notification to the configured URL. */
  async notify(
    url: string,
    body: unknown,
    authorization: string | undefined,
  ): Promise<{ status: number; body: unknown }> {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization !== undefined ? { authorization } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  // ---- the API ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const prefix = `/${this.account}/api/v3/`;
    const raw = await readBody(req);
    const path = url.pathname.startsWith(prefix)
      ? url.pathname.slice(prefix.length).replace(/\/+$/, '')
      : '';
    const log: SimRequest = {
      method: req.method ?? 'GET',
      path: path || url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: raw ? safeJson(raw) : undefined,
      status: 0,
      apiKey: header(req, 'api-key'),
    };
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      if (this.recordRequests) this.requests.push(log);
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, {
        'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
        'content-length': Buffer.byteLength(text),
        ...headers,
      });
      res.end(text);
    };
    if (!path) return send(404, '<html><body>GeogridMaps</body></html>');

    const fault = this.takeFault(path);
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.kind === 'drop') {
      log.status = -1;
      if (this.recordRequests) this.requests.push(log);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100_000 });
      res.write('{"registros":[');
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    if (fault?.kind === 'garbage') {
      log.status = 200;
      if (this.recordRequests) this.requests.push(log);
      res.writeHead(200, { 'content-type': fault.contentType ?? 'text/html' });
      res.end(fault.body ?? '<html><body>Manutenção</body></html>');
      return;
    }
    if (fault?.kind === 'status')
      return send(fault.status, fault.body ?? { mensagem: 'Erro interno' }, fault.headers);

    if (log.apiKey !== this.token)
      return send(401, { mensagem: 'Chave de API inválida ou ausente' });

    const minute = Math.floor(this.now() / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.inMinute = 0;
    }
    if (++this.inMinute > this.perMinute) {
      const wait = Math.max(1, Math.ceil(((minute + 1) * 60_000 - this.now()) / 1000));
      return send(
        429,
        { mensagem: 'Limite de requisições por minuto excedido' },
        this.retryAfter ? { 'retry-after': String(wait) } : {},
      );
    }

    const method = req.method ?? 'GET';
    const seg = path.split('/');
    try {
      if (method === 'GET' && path === 'itensRede') return send(200, this.itensRede(url));
      if (method === 'GET' && path === 'itensRede/mapa')
        return send(200, this.mapa(listParam(url, 'ids') ?? []));
      if (method === 'GET' && seg[0] === 'itensRede' && seg[2] === 'mapa' && seg.length === 3) {
        const item = this.items.get(Number(seg[1]));
        if (!item) return send(404, { naoEncontrado: 'Item de rede não encontrado' });
        return send(200, this.mapRecord(item));
      }
      if (method === 'GET' && path === 'equipamentos/itemRede/portas') {
        const ids = listParam(url, 'itensRede') ?? [];
        if (ids.length > MAX_PAGE) return send(422, { itensRede: 'Informe no máximo 500 itens' });
        return send(200, this.summary(ids, listParam(url, 'atendimento')));
      }
      if (
        method === 'GET' &&
        seg[0] === 'equipamentos' &&
        seg[1] === 'itemRede' &&
        seg[3] === 'portas'
      ) {
        const item = this.items.get(Number(seg[2]));
        if (!item) return send(404, { naoEncontrado: 'Item de rede não encontrado' });
        return send(200, this.itemPorts(item, url));
      }
      if (method === 'GET' && path === 'clientes') return send(200, this.clientes(url));
      if (method === 'GET' && seg[0] === 'clientes' && seg.length === 2) {
        const c = this.clients.get(Number(seg[1]));
        return c ? send(200, { dados: c }) : send(404, { naoEncontrado: 'Cliente não encontrado' });
      }
      if (method === 'POST' && path === 'clientes') {
        const r = this.createClient(log.body);
        return send(r.status, r.body);
      }
      if (method === 'POST' && path === 'integracao/atender') {
        const r = this.atender(log.body);
        return send(r.status, r.body);
      }
    } catch (err) {
      return send(500, { mensagem: (err as Error).message });
    }
    return send(404, { mensagem: 'Rota não encontrada' });
  }

  private takeFault(path: string): SimFault | undefined {
    for (const f of this.faults) {
      if (f.path !== undefined && !(path === f.path || path.startsWith(`${f.path}/`))) continue;
      if (f.skip > 0) {
        f.skip--;
        return undefined;
      }
      f.times--;
      if (f.times <= 0) this.faults = this.faults.filter((x) => x !== f);
      return f.fault;
    }
    return undefined;
  }

  private ordered(): number[] {
    this.sortedIds ??= [...this.items.keys()].sort((a, b) => a - b);
    return this.sortedIds;
  }

  private page(url: URL): { page: number; size: number } {
    const page = Math.max(1, Number(url.searchParams.get('pagina') ?? 1) || 1);
    const size = Math.min(
      MAX_PAGE,
      Math.max(1, Number(url.searchParams.get('registrosPorPagina') ?? 50) || 50),
    );
    return { page, size };
  }

  private itensRede(url: URL): unknown {
    const types = listParam(url, 'item');
    const mode = url.searchParams.get('modoProjeto')?.toUpperCase();
    const search = url.searchParams.get('pesquisa')?.toLowerCase();
    const { page, size } = this.page(url);
    const matching: SimItem[] = [];
    for (const id of this.ordered()) {
      const item = this.items.get(id)!;
      if (types && !types.includes(item.type)) continue;
      if (mode === 'S' && !item.planned) continue;
      if (mode === 'N' && item.planned) continue;
      if (search && !item.sigla.toLowerCase().includes(search)) continue;
      matching.push(item);
    }
    return {
      registros: matching.slice((page - 1) * size, page * size).map((item) => ({
        dados: this.dados(item),
        pasta: { id: item.folderId, nome: `Pasta ${item.folderId}` },
      })),
      totalRegistros: matching.length,
    };
  }

  private dados(item: SimItem) {
    return {
      id: item.id,
      item: item.type,
      sigla: item.sigla,
      latitude: String(item.lat),
      longitude: String(item.lng),
      status: item.planned ? 'Em projeto' : 'Implantado',
      observacao: item.observacao,
    };
  }

  private mapRecord(item: SimItem) {
    return {
      dados: { ...this.dados(item), modoProjeto: item.planned ? 'S' : 'N' },
      idPasta: item.folderId,
    };
  }

  private mapa(ids: string[]): unknown {
    const registros = ids
      .map((id) => this.items.get(Number(id)))
      .filter((i): i is SimItem => !!i)
      .map((i) => this.mapRecord(i));
    return { registros, totalRegistros: registros.length };
  }

  private wanted(e: SimEquipment, atendimento: string[] | undefined): boolean {
    if (!atendimento) return true;
    const flags = atendimento.map((a) => a.toUpperCase());
    return flags.includes(e.service ? 'S' : 'N');
  }

  private summary(ids: string[], atendimento: string[] | undefined): unknown {
    const itensRede = [];
    for (const id of ids) {
      const item = this.items.get(Number(id));
      if (!item) continue;
      const equipment = item.equipment.filter((e) => this.wanted(e, atendimento));
      if (equipment.length === 0) continue;
      itensRede.push({
        idItemRede: item.id,
        equipamentos: equipment.map((e) => {
          const taken = e.ports.filter((p) => p.clientId !== null).length;
          const reserved = e.ports.filter((p) => p.reserved && p.clientId === null).length;
          return {
            viabilidade: {
              saidas: e.ports.length,
              entradas: e.inputPortIds.length,
              livres: e.ports.length - taken - reserved,
              ocupadasTotal: taken,
              reservadas: reserved,
              reservadasCliente: 0,
            },
          };
        }),
      });
    }
    return { itensRede };
  }

  private itemPorts(item: SimItem, url: URL): unknown {
    const atendimento = listParam(url, 'atendimento');
    const tipos = (listParam(url, 'tipo') ?? ['S', 'E']).map((t) => t.toUpperCase());
    const free = url.searchParams.get('disponivel')?.toUpperCase();
    return {
      registros: item.equipment
        .filter((e) => this.wanted(e, atendimento))
        .map((e) => ({
          dados: { id: e.id, sigla: e.sigla, atendimento: e.service ? 'S' : 'N' },
          portas: [
            ...(tipos.includes('E')
              ? e.inputPortIds.map((id, i) => ({
                  dados: { id, porta: i + 1, tipo: 'E' },
                  cliente: null,
                }))
              : []),
            ...(tipos.includes('S') ? e.ports : [])
              .filter((p) => !free || (free === 'S') === (p.clientId === null && !p.reserved))
              .map((p) => {
                const c = p.clientId === null ? undefined : this.clients.get(p.clientId);
                return {
                  dados: {
                    id: p.id,
                    porta: p.porta,
                    tipo: 'S',
                    ...(p.reserved ? { reservaStatus: 'reserva' } : {}),
                  },
                  cliente: c ? { id: c.id, nome: c.nome } : null,
                };
              }),
          ],
        })),
    };
  }

  private clientes(url: URL): unknown {
    const code = url.searchParams.get('codigoIntegracao');
    const all = [...this.clients.values()].filter((c) => !code || c.codigoIntegracao === code);
    const { page, size } = this.page(url);
    return { dados: all.slice((page - 1) * size, page * size), totalRegistros: all.length };
  }

  private createClient(body: unknown): { status: number; body: unknown } {
    const d = (body as { dados?: Record<string, unknown> } | null)?.dados;
    if (!d || typeof d !== 'object')
      return { status: 422, body: { dados: 'Informe os dados do cliente' } };
    const nome = typeof d.nome === 'string' ? d.nome.trim() : '';
    if (!nome) return { status: 422, body: { nome: 'O nome é obrigatório' } };
    const doc = typeof d.cpfCnpj === 'string' ? d.cpfCnpj.replace(/\D/g, '') : '';
    if (d.cpfCnpj !== undefined && doc.length !== 11 && doc.length !== 14) {
      return { status: 422, body: { cpfCnpj: 'CPF/CNPJ inválido' } };
    }
    const code = typeof d.codigoIntegracao === 'string' ? d.codigoIntegracao : undefined;
    if (code && [...this.clients.values()].some((c) => c.codigoIntegracao === code)) {
      return { status: 422, body: { codigoIntegracao: 'Código de integração já está cadastrado' } };
    }
    const c = this.addClient({
      nome,
      cpfCnpj: doc,
      observacao: typeof d.observacao === 'string' ? d.observacao : '',
      endereco: typeof d.endereco === 'string' ? d.endereco : '',
      codigoIntegracao: code,
    });
    return { status: 201, body: { dados: c } };
  }

  private atender(body: unknown): { status: number; body: unknown } {
    const b = (body ?? {}) as {
      idPorta?: unknown;
      idCliente?: unknown;
      local?: { latitude?: unknown; longitude?: unknown };
    };
    const at = this.ports.get(Number(b.idPorta));
    if (!at) return { status: 404, body: { naoEncontrado: 'Porta não encontrada' } };
    const client = this.clients.get(Number(b.idCliente));
    if (!client) return { status: 404, body: { naoEncontrado: 'Cliente não encontrado' } };
    if (at.port.clientId === client.id)
      return { status: 200, body: { dados: { idPorta: at.port.id, idCliente: client.id } } };
    if (at.port.clientId !== null)
      return { status: 409, body: { portaOcupada: 'A porta já está ocupada' } };
    if (at.port.reserved)
      return { status: 422, body: { portaReservada: 'A porta está reservada' } };
    const lat = Number(b.local?.latitude);
    const lng = Number(b.local?.longitude);
    const drawnDrop =
      !Number.isFinite(lat) ||
      !Number.isFinite(lng) ||
      haversine({ lat, lng }, { lat: Number(at.item.lat), lng: Number(at.item.lng) }) > 2;
    at.port.clientId = client.id;
    this.attached.push({ portId: at.port.id, clientId: client.id, drawnDrop });
    return { status: 200, body: { dados: { idPorta: at.port.id, idCliente: client.id } } };
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
