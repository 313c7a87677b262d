// Our own view of what Geogrid tells us. Geogrid payloads become these types at the edge
// (converters.ts); nothing past the client sees a Geogrid field name.

/** The network item types the sync knows; everything else Geogrid lists is ignored. */
export type ItemKind = 'terminal' | 'caixa' | 'poste';
export const BOX_KINDS: readonly ItemKind[] = ['terminal', 'caixa'];

export interface LatLng {
  lat: number;
  lng: number;
}

/** A coordinate pair: absent, a usable point, or present but unusable. */
export type PointReading =
  { kind: 'point'; point: LatLng } | { kind: 'missing' } | { kind: 'invalid'; raw: string };

/** A network item (`itensRede`): a CTO (terminal), a box (caixa), a pole (poste), ... */
export interface RemoteItem {
  id: string;
  /** Geogrid's `item` as written (terminal, caixa, poste, rack, ...). */
  type: string;
  /** `sigla`: the label people use (CTO-20001). */
  name: string | null;
  point: PointReading;
  /** `observacao` as plain text (Geogrid keeps HTML there). */
  observation: string | null;
  folderId: string | null;
  /** Planned (project mode, "Em projeto"), built, or not said by this answer. */
  planned: boolean | null;
}

/** An output port of an equipment, as its port list says. */
export interface RemotePort {
  id: string;
  /** `porta`: 1-based. */
  number: number;
  client: { id: string; name: string | null } | null;
  /** Reserved in Geogrid (`reservaStatus = reserva`) without a client on it. */
  reserved: boolean;
}

/** An equipment (splitter) inside an item, from the item's port list. */
export interface RemoteEquipment {
  /** Geogrid's id, or `p<first port id>` when the answer gives none (port ids are stable). */
  id: string;
  name: string | null;
  /** `atendimento = S`: a service splitter; null = the answer did not say. */
  service: boolean | null;
  inputs: number;
  outputs: RemotePort[];
}

/** One equipment's port counts from the batched summary (`viabilidade`). */
export interface EquipmentSummary {
  outputs: number;
  inputs: number;
  free: number;
  taken: number;
  reserved: number;
}

/** A Geogrid client (`/clientes`), reduced to what matching needs. */
export interface RemoteClient {
  id: string;
  name: string | null;
  /** CPF/CNPJ digits (11 or 14), null when absent or unreadable. */
  document: string | null;
  /** Our client id found in `observacao`, where we put it when we send a client. */
  ourId: string | null;
}

export interface Page<T> {
  page: number;
  total: number;
  records: T[];
  rejected: Array<{ itemId: string; reason: string }>;
}

/** Field errors Geogrid answers 409/422 with: `{portaReservada: "A porta está reservada"}`. */
export type FieldErrors = Record<string, string>;
