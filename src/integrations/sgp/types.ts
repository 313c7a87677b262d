// Our own view of what SGP tells us. SGP payloads become these types at the edge
// (converters.ts); nothing past the client sees an SGP field name.

/** SGP contract status codes (`status_atual`): 1 Ativo … 7 Ativo V. Reduzida. */
export const CONTRACT_STATUS = {
  active: 1,
  inactive: 2,
  cancelled: 3,
  suspended: 4,
  technicalInfeasibility: 5,
  new: 6,
  throttled: 7,
} as const;

export type ContractStatus = (typeof CONTRACT_STATUS)[keyof typeof CONTRACT_STATUS];

/** Statuses that turn a non-implanted client implanted (seed: Ativo, Suspenso, Novo, Ativo Reduzido). */
export const IMPLANTING_STATUSES: ReadonlySet<ContractStatus> = new Set([1, 4, 6, 7]);

/** Statuses that cancel the client here (seed: Cancelado, Inviabilidade Técnica). */
export const CANCELLING_STATUSES: ReadonlySet<ContractStatus> = new Set([3, 5]);

export interface LatLng {
  lat: number;
  lng: number;
}

/** A coordinate field: absent, a usable point, or present but unusable (out of range, garbage). */
export type PointReading =
  { kind: 'point'; point: LatLng } | { kind: 'missing' } | { kind: 'invalid'; raw: string };

/** One SGP contract with the client data that belongs to it, as the sync needs it. */
export interface SgpContract {
  /** The contract id: the client code here. */
  contractId: string;
  /** SGP's client (customer) id; one customer may hold several contracts. */
  customerId: string;
  name: string | null;
  /** CPF/CNPJ, digits only. */
  document: string | null;
  status: ContractStatus | null;
  /** The status as SGP wrote it (trimmed), for reports when it is not one we know. */
  statusText: string;
  /** The installation address, one line ("Rua X, 100 - Apto 2 - Centro, Maringá - PR, 87000-000"). */
  address: string | null;
  coordinates: PointReading;
  /** Online/offline from `exibir_conexao`; null when SGP did not say. */
  connection: 'online' | 'offline' | null;
  /** RX power at the ONU in dBm; null when SGP has no reading. */
  rxDbm: number | null;
  phone: string | null;
  email: string | null;
}

/** Where SGP has a contract's ONU: the CTO's label (our box name) and the port. */
export interface SgpPlacement {
  contractId: string;
  ctoName: string | null;
  port: number | null;
  rxDbm: number | null;
}

/** A page of the contract feed, converted; `rejected` lists entries that could not be read. */
export interface SgpContractPage {
  offset: number;
  /** `paginacao.total`: customers matching the query (pages count customers, not contracts). */
  total: number;
  customers: number;
  contracts: SgpContract[];
  rejected: Array<{ itemId: string; reason: string }>;
}
