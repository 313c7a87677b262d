// A simulated SGP (TSMX) server for tests and benchmarks, built from
// ../shared/reference/isp-apis.md §1 and its corrections:
// - auth: `token` + `app` (case-sensitive) in the form/JSON body or the query, or HTTP Basic;
//   an unknown pair → 403 {detail: "As credenciais de autenticação estão incorretas."}; a known but
//   blocked pair, or none → 403 {detail: "As credenciais de autenticação não foram fornecidas."};
// - POST /api/ura/clientes/ (form or JSON): offset/limit (limit capped at 100), paginacao.total,
//   filters contrato, contrato_status, cpfcnpj, exibir_conexao, omitir_*, and day-granular
//   AAAA-MM-DD windows data_cadastro/data_alteracao/data_contrato_status whose _inicio and _fim
//   must come together (400 {erro: "[x_inicio] obrigatória caso [x_fim] informada"});
// - GET /api/fttx/onu/list/ (credentials in the body or query): a bare array of ONUs with `cto`,
//   `ctoport`, `service_contrato` and, with signal=1, `info_rx`;
// - unknown routes 404 {detail: "Não encontrado."}, wrong method 405.
// Tests change the data between cycles and inject faults (slow answers, 5xx, a connection dropped
// mid-body, garbage, wrong credentials).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const STATUS_LABELS: Record<number, string> = {
  1: 'Ativo',
  2: 'Inativo',
  3: 'Cancelado',
  4: 'Suspenso',
  5: 'Inviabilidade Técnica',
  6: 'Novo',
  7: 'Ativo V. Reduzida',
};

export interface SimAddress {
  logradouro: string;
  numero: string;
  complemento: string;
  bairro: string;
  cidade: string;
  uf: string;
  cep: string;
  latitude: string;
  longitude: string;
}

export interface SimContractSpec {
  contractId?: number;
  /** An existing customer to add the contract to; a new customer otherwise. */
  customerId?: number;
  name?: string;
  /** CPF/CNPJ as SGP shows it (formatted or not). */
  document?: string;
  status?: number;
  /** Display text instead of the standard label (e.g. " Ativo "). */
  statusText?: string;
  address?: Partial<SimAddress>;
  lat?: number | string;
  lng?: number | string;
  /** The CTO's label (`ident`), null for a contract without an ONU on a CTO. */
  cto?: string | null;
  port?: number | string | null;
  /** `info_rx` exactly as SGP writes it: "-20.017", "N/A", "-20.0 dBm". */
  rx?: string | null;
  connection?: 'online' | 'offline' | null;
  phone?: string;
  email?: string;
  /** Drop the ONU entirely (no row in the ONU list). */
  noOnu?: boolean;
}

interface SimContract {
  id: number;
  customerId: number;
  status: number;
  statusText?: string;
  dataCadastro: string;
  dataStatus: string;
  address: SimAddress;
  cto: string | null;
  port: number | string | null;
  rx: string | null;
  connection: 'online' | 'offline' | null;
  onu: boolean;
}

interface SimCustomer {
  id: number;
  name: string;
  document: string;
  tipo: 'F' | 'J';
  dataCadastro: string;
  dataAlteracao: string;
  address: SimAddress;
  phone: string;
  email: string;
  contracts: number[];
}

export type SimFault =
  | { kind: 'status'; status: number; body?: unknown }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'drop' }
  | { kind: 'garbage'; body?: string; contentType?: string };

interface ArmedFault {
  fault: SimFault;
  path?: string;
  /** Matching requests let through before the fault starts. */
  skip: number;
  times: number;
}

export interface SimRequest {
  method: string;
  path: string;
  /** The URL's query parameters (credentials must not be here). */
  query: Record<string, string>;
  /** The body's parameters (form or JSON), credentials removed. */
  params: Record<string, string>;
  auth: 'token' | 'basic' | 'none';
  credentialsIn: 'body' | 'query' | 'header' | 'none';
  status: number;
  contentType: string;
}

const WRONG = 'As credenciais de autenticação estão incorretas.';
const NOT_PROVIDED = 'As credenciais de autenticação não foram fornecidas.';
const DATE_FIELDS = ['data_cadastro', 'data_alteracao', 'data_contrato_status'] as const;

function defaultAddress(): SimAddress {
  return {
    logradouro: 'Avenida Brasil',
    numero: '100',
    complemento: '',
    bairro: 'Zona 01',
    cidade: 'Maringá',
    uf: 'PR',
    cep: '87013-000',
    latitude: '-23.4253',
    longitude: '-51.9386',
  };
}

function todayInSaoPaulo(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(new Date());
}

export class SgpSimulator {
  /** The calendar day SGP stamps changes with (AAAA-MM-DD); tests move it. */
  today = todayInSaoPaulo();
  token: string;
  app: string;
  blocked = false;
  readonly users = new Map<string, string>();
  readonly requests: SimRequest[] = [];
  /** Keep a log of requests (off in benchmarks, which make hundreds of thousands). */
  recordRequests = true;

  private readonly customers = new Map<number, SimCustomer>();
  private readonly contracts = new Map<number, SimContract>();
  private sortedCustomers: number[] | null = [];
  private readonly filterCache = new Map<string, number[]>();
  private faults: ArmedFault[] = [];
  private nextContract = 1000;
  private nextCustomer = 1;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    credentials: { token: string; app: string },
  ) {
    this.token = credentials.token;
    this.app = credentials.app;
  }

  static async start(
    options: { token?: string; app?: string; port?: number } = {},
  ): Promise<SgpSimulator> {
    const server = createServer();
    const sim = new SgpSimulator(server, {
      token: options.token ?? 'tok-3f9a1c7e5b',
      app: options.app ?? 'Alcance',
    });
    server.on('request', (req, res) => void sim.handle(req, res));
    server.on('connection', (socket) => {
      sim.sockets.add(socket);
      socket.on('close', () => sim.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    return sim;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- data controls -------------------------------------------------------------------------

  /** Adds a contract (and its customer, unless `customerId` names one); returns its ids. */
  addContract(spec: SimContractSpec = {}): { contractId: string; customerId: number } {
    const id = spec.contractId ?? this.nextContract++;
    this.nextContract = Math.max(this.nextContract, id + 1);
    if (this.contracts.has(id)) throw new Error(`contract ${id} exists`);
    let customer = spec.customerId !== undefined ? this.customers.get(spec.customerId) : undefined;
    const address = { ...defaultAddress(), ...spec.address };
    if (spec.lat !== undefined) address.latitude = String(spec.lat);
    if (spec.lng !== undefined) address.longitude = String(spec.lng);
    if (!customer) {
      const cid = spec.customerId ?? this.nextCustomer++;
      this.nextCustomer = Math.max(this.nextCustomer, cid + 1);
      customer = {
        id: cid,
        name: spec.name ?? `Cliente ${cid}`,
        document: spec.document ?? '',
        tipo: (spec.document ?? '').replace(/\D/g, '').length === 14 ? 'J' : 'F',
        dataCadastro: this.today,
        dataAlteracao: this.today,
        address: { ...address },
        phone: spec.phone ?? '',
        email: spec.email ?? '',
        contracts: [],
      };
      this.customers.set(cid, customer);
      this.sortedCustomers = null;
    }
    customer.contracts.push(id);
    this.contracts.set(id, {
      id,
      customerId: customer.id,
      status: spec.status ?? 1,
      statusText: spec.statusText,
      dataCadastro: this.today,
      dataStatus: this.today,
      address,
      cto: spec.cto === undefined ? null : spec.cto,
      port: spec.port === undefined ? null : spec.port,
      rx: spec.rx === undefined ? '-19.500' : spec.rx,
      connection: spec.connection === undefined ? 'online' : spec.connection,
      onu: !spec.noOnu,
    });
    this.changed();
    return { contractId: String(id), customerId: customer.id };
  }

  /**
   * Changes a contract the way SGP users do. Name, document and address changes stamp the
   * customer's `data_alteracao`; RX and connection changes stamp nothing (SGP has no date for them).
   */
  updateContract(
    contractId: string | number,
    patch: Omit<SimContractSpec, 'contractId' | 'customerId' | 'status'>,
  ): void {
    const c = this.contract(contractId);
    const customer = this.customers.get(c.customerId)!;
    let stamped = false;
    if (patch.name !== undefined) {
      customer.name = patch.name;
      stamped = true;
    }
    if (patch.document !== undefined) {
      customer.document = patch.document;
      stamped = true;
    }
    if (patch.address || patch.lat !== undefined || patch.lng !== undefined) {
      c.address = { ...c.address, ...patch.address };
      if (patch.lat !== undefined) c.address.latitude = String(patch.lat);
      if (patch.lng !== undefined) c.address.longitude = String(patch.lng);
      stamped = true;
    }
    if (patch.statusText !== undefined) c.statusText = patch.statusText;
    if (patch.cto !== undefined) c.cto = patch.cto;
    if (patch.port !== undefined) c.port = patch.port;
    if (patch.rx !== undefined) c.rx = patch.rx;
    if (patch.connection !== undefined) c.connection = patch.connection;
    if (patch.noOnu !== undefined) c.onu = !patch.noOnu;
    if (stamped) customer.dataAlteracao = this.today;
    this.changed();
  }

  /** A status change, stamped with `today` as `data_contrato_status`. */
  setStatus(contractId: string | number, status: number, statusText?: string): void {
    const c = this.contract(contractId);
    c.status = status;
    c.statusText = statusText;
    c.dataStatus = this.today;
    this.changed();
  }

  contract(contractId: string | number): SimContract {
    const c = this.contracts.get(Number(contractId));
    if (!c) throw new Error(`no contract ${contractId}`);
    return c;
  }

  get contractCount(): number {
    return this.contracts.size;
  }

  // ---- faults --------------------------------------------------------------------------------

  /** Arms a fault for the next `times` requests whose path contains `path` (all paths if unset). */
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

  /** Requests to `path` made so far (all when unset). */
  requestsTo(path?: string): SimRequest[] {
    return path ? this.requests.filter((r) => r.path === path) : this.requests;
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private changed(): void {
    this.filterCache.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sgp.local');
    const raw = await readBody(req);
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0] ?? '';
    const record: SimRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      params: {},
      auth: 'none',
      credentialsIn: 'none',
      status: 0,
      contentType,
    };
    if (this.recordRequests) this.requests.push(record);
    const send = (status: number, body: unknown) => {
      record.status = status;
      const payload = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
    };

    let params: Record<string, string>;
    try {
      params = parseParams(raw, contentType);
    } catch {
      return send(400, { detail: 'JSON parse error - Expecting value' });
    }
    const merged = { ...Object.fromEntries(url.searchParams), ...params };
    const denied = this.authenticate(req, merged, record, params, url.searchParams);
    record.params = Object.fromEntries(
      Object.entries(params).filter(([k]) => k !== 'token' && k !== 'app'),
    );
    if (denied) return send(403, { detail: denied });

    const fault = this.takeFault(url.pathname);
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.kind === 'status')
      return send(fault.status, fault.body ?? { detail: 'Erro interno.' });
    if (fault?.kind === 'garbage') {
      record.status = 200;
      res.writeHead(200, { 'content-type': fault.contentType ?? 'text/html' });
      res.end(fault.body ?? '<html><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    }

    const route = ROUTES[url.pathname];
    if (!route) return send(404, { detail: 'Não encontrado.' });
    if (route.method !== req.method) {
      return send(405, { detail: `Método "${req.method}" não é permitido.` });
    }
    const answer = route.handler(this, merged);
    if (fault?.kind === 'drop') {
      record.status = 200;
      const payload = Buffer.from(JSON.stringify(answer.body));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length });
      res.write(payload.subarray(0, Math.floor(payload.length / 2)));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    send(answer.status, answer.body);
  }

  private authenticate(
    req: IncomingMessage,
    merged: Record<string, string>,
    record: SimRequest,
    body: Record<string, string>,
    query: URLSearchParams,
  ): string | undefined {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      record.auth = 'basic';
      record.credentialsIn = 'header';
      const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString().split(':');
      const ok = user !== undefined && this.users.get(user) === rest.join(':');
      return ok ? undefined : 'Usuário e/ou senha inválido(s).';
    }
    if (merged.token === undefined && merged.app === undefined) return NOT_PROVIDED;
    record.auth = 'token';
    record.credentialsIn =
      body.token !== undefined ? 'body' : query.has('token') ? 'query' : 'none';
    if (merged.token !== this.token || merged.app !== this.app) return WRONG;
    if (this.blocked) return NOT_PROVIDED;
    return undefined;
  }

  private takeFault(path: string): SimFault | undefined {
    for (const armed of this.faults) {
      if (armed.path && !path.includes(armed.path)) continue;
      if (armed.skip > 0) {
        armed.skip--;
        continue;
      }
      armed.times--;
      if (armed.times <= 0) this.faults = this.faults.filter((f) => f !== armed);
      return armed.fault;
    }
    return undefined;
  }

  // ---- endpoints -----------------------------------------------------------------------------

  clientes(p: Record<string, string>): { status: number; body: unknown } {
    const problem = checkParams(p);
    if (problem) return { status: 400, body: { erro: problem } };
    const offset = p.offset === undefined ? 0 : Number(p.offset);
    const limit = Math.min(p.limit === undefined ? 100 : Number(p.limit), 100);
    const ids = this.matching(p);
    const slice = ids.slice(offset, offset + limit);
    const withConnection = p.exibir_conexao === '1' || p.exibir_conexao === 'true';
    const clientes = slice.map((id) =>
      this.customerJson(this.customers.get(id)!, p, withConnection),
    );
    return { status: 200, body: { clientes, paginacao: { offset, limit, total: ids.length } } };
  }

  onuList(p: Record<string, string>): { status: number; body: unknown } {
    const signal = p.signal === '1';
    const wanted = p.contrato !== undefined ? [Number(p.contrato)] : [...this.contracts.keys()];
    const rows: unknown[] = [];
    for (const id of wanted) {
      const c = this.contracts.get(id);
      if (!c?.onu) continue;
      const customer = this.customers.get(c.customerId)!;
      rows.push({
        id: 50_000 + c.id,
        olt_id: 1,
        olt_name: 'OLT-CENTRO',
        slot: 1,
        pon: (c.id % 16) + 1,
        onuid: c.id % 128,
        type: 'ZTE-F601',
        vlan: 100,
        mode: 'bridge',
        phy_addr: `ZTEG${String(c.id).padStart(8, '0')}`,
        cto: c.cto,
        ctoport: c.port,
        ...(signal ? { info_rx: c.rx, info_tx: '2.10', info_olt_rx: '-24.0' } : {}),
        info_date: `${this.today} 10:00:00`,
        service_login: `login${c.id}`,
        service_contrato: c.id,
        service_cliente: customer.id,
        service_status: STATUS_LABELS[c.status] ?? String(c.status),
      });
    }
    return { status: 200, body: rows };
  }

  private matching(p: Record<string, string>): number[] {
    const key = JSON.stringify([
      p.contrato,
      p.contrato_status,
      p.cpfcnpj,
      p.cliente_id,
      ...DATE_FIELDS.flatMap((f) => [p[`${f}_inicio`], p[`${f}_fim`]]),
    ]);
    const cached = this.filterCache.get(key);
    if (cached) return cached;
    this.sortedCustomers ??= [...this.customers.keys()].sort((a, b) => a - b);
    const ids = this.sortedCustomers.filter((id) => {
      const customer = this.customers.get(id)!;
      if (p.cliente_id !== undefined && String(customer.id) !== p.cliente_id) return false;
      if (p.cpfcnpj !== undefined && digits(customer.document) !== digits(p.cpfcnpj)) return false;
      if (!within(customer.dataCadastro, p, 'data_cadastro')) return false;
      if (!within(customer.dataAlteracao, p, 'data_alteracao')) return false;
      const contractFilters =
        p.contrato !== undefined ||
        p.contrato_status !== undefined ||
        p.data_contrato_status_inicio !== undefined;
      return !contractFilters || this.contractsOf(customer, p).length > 0;
    });
    this.filterCache.set(key, ids);
    return ids;
  }

  /** The customer's contracts that pass the contract-level filters. */
  private contractsOf(customer: SimCustomer, p: Record<string, string>): SimContract[] {
    return customer.contracts
      .map((id) => this.contracts.get(id)!)
      .filter(
        (c) =>
          (p.contrato === undefined || String(c.id) === p.contrato) &&
          (p.contrato_status === undefined || String(c.status) === p.contrato_status) &&
          within(c.dataStatus, p, 'data_contrato_status'),
      );
  }

  private customerJson(
    customer: SimCustomer,
    p: Record<string, string>,
    withConnection: boolean,
  ): unknown {
    return {
      id: customer.id,
      nome: customer.name,
      cpfcnpj: customer.document,
      tipo: customer.tipo,
      dataCadastro: customer.dataCadastro,
      endereco: customer.address,
      ...(p.omitir_contatos === '1'
        ? {}
        : {
            contatos: {
              telefones: [],
              celulares: customer.phone ? [customer.phone] : [],
              emails: customer.email ? [customer.email] : [],
              outros: [],
            },
          }),
      ...(p.omitir_titulos === '1' ? {} : { titulos: [] }),
      contratos: this.contractsOf(customer, p).map((c) => ({
        id: c.id,
        pop_id: 1,
        status: c.statusText ?? STATUS_LABELS[c.status] ?? String(c.status),
        motivo_status: '',
        data_status: c.dataStatus,
        vencimento: 10,
        formaCobranca: 'Boleto',
        dataCadastro: c.dataCadastro,
        servicos: [
          {
            id: 70_000 + c.id,
            tipo: 'internet',
            login: `login${c.id}`,
            plano: { id: 3, descricao: 'FIBRA 500MB' },
            endereco: c.address,
          },
        ],
        ...(withConnection
          ? {
              conexao: c.connection
                ? {
                    status: c.connection,
                    ip: `100.64.${(c.id >> 8) & 255}.${c.id & 255}`,
                    data_conexao: `${this.today} 08:00:00`,
                    data_desconexao: null,
                  }
                : null,
            }
          : {}),
        onu: c.onu
          ? { id: 50_000 + c.id, serial: `ZTEG${c.id}`, rx: c.rx, tx: '2.10', slot: 1, pon: 1 }
          : null,
      })),
    };
  }
}

const ROUTES: Record<
  string,
  {
    method: string;
    handler: (sim: SgpSimulator, p: Record<string, string>) => { status: number; body: unknown };
  }
> = {
  '/api/ura/clientes/': { method: 'POST', handler: (sim, p) => sim.clientes(p) },
  '/api/fttx/onu/list/': { method: 'GET', handler: (sim, p) => sim.onuList(p) },
};

function digits(t: string): string {
  return t.replace(/\D/g, '');
}

function within(day: string, p: Record<string, string>, field: string): boolean {
  const from = p[`${field}_inicio`];
  const to = p[`${field}_fim`];
  if (from === undefined || to === undefined) return true;
  return day >= from && day <= to;
}

function checkParams(p: Record<string, string>): string | undefined {
  for (const name of ['offset', 'limit']) {
    const v = p[name];
    if (v !== undefined && !/^\d+$/.test(v)) return `[${name}] deve ser um número inteiro`;
  }
  if (p.contrato_status !== undefined && !/^[1-7]$/.test(p.contrato_status)) {
    return '[contrato_status] inválido';
  }
  for (const f of DATE_FIELDS) {
    const from = p[`${f}_inicio`];
    const to = p[`${f}_fim`];
    if (to !== undefined && from === undefined)
      return `[${f}_inicio] obrigatória caso [${f}_fim] informada`;
    if (from !== undefined && to === undefined)
      return `[${f}_fim] obrigatória caso [${f}_inicio] informada`;
    for (const [name, v] of [
      [`${f}_inicio`, from],
      [`${f}_fim`, to],
    ] as const) {
      if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
        return `[${name}] data inválida, use o formato AAAA-MM-DD`;
      }
    }
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function parseParams(raw: string, contentType: string): Record<string, string> {
  if (!raw) return {};
  if (contentType === 'application/json') {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [
        k,
        typeof v === 'boolean' ? (v ? '1' : '0') : String(v),
      ]),
    );
  }
  return Object.fromEntries(new URLSearchParams(raw));
}
