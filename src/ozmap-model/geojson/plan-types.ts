export interface Counts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface ImportReport {
  poles: Counts;
  spans: Counts;
  boxes: Counts;
  splitters: Counts;
  regions: Counts;
  /** Catalogue rows the import had to create because the file named them and they were missing. */
  createdCatalogue: {
    projects: number;
    boxTypes: number;
    splitterTypes: number;
    regionTypes: number;
    tags: number;
  };
}

export const emptyCounts = (): Counts => ({ created: 0, updated: 0, unchanged: 0 });

export interface NewSplitterType {
  id: string;
  code: string;
  isDrop: boolean;
  ratioIn: number;
  ratioOut: number;
}

export interface RowUpdate {
  id: string;
  data: Record<string, unknown>;
}

/** What an import found and decided over the whole file. */
export interface Plan {
  problems: string[];
  report: ImportReport;
  /** Boxes created or changed, themselves or in their splitters and ports. */
  changedBoxIds: Set<string>;
  /** Poles created or changed, or whose spans or boxes changed (pole-mode viability). */
  changedPoleIds: Set<string>;
  project: { id: string; name: string; create: boolean };
}

/** The writes for one stretch of the file, in the order references need them. */
export interface Writes {
  /** The project of new rows; `create` on the first stretch of an import that makes it. */
  project: { id: string; name: string; create: boolean };
  boxTypes: Array<{ id: string; code: string }>;
  splitterTypes: NewSplitterType[];
  regionTypes: Array<{ id: string; name: string }>;
  tags: Array<{ id: string; name: string; kinds: string[] }>;
  /** Tags written by an earlier stretch that now allow more kinds. */
  tagKinds: Array<{ id: string; kinds: string[] }>;
  poles: { create: Array<Record<string, unknown> & { id: string }>; update: RowUpdate[] };
  spans: { create: Array<Record<string, unknown> & { id: string }>; update: RowUpdate[] };
  boxes: {
    create: Array<Record<string, unknown> & { id: string }>;
    update: RowUpdate[];
    /** New boxes' tags, connected once the boxes exist. */
    tags: Array<{ id: string; tagIds: string[] }>;
  };
  splitters: { create: Array<Record<string, unknown> & { id: string }>; update: RowUpdate[] };
  ports: {
    /**
     * Blocked ports to give a row, per splitter. Only a port with something of its own (blocked,
     * tags, an observation) has a row; a million boxes have ~15M ports, nearly all open.
     */
    create: Array<{ splitterId: string; indexes: number[] }>;
    setBlocked: Array<{ splitterId: string; indexes: number[]; blocked: boolean }>;
    removeAbove: Array<{ splitterId: string; keep: number }>;
  };
  regions: {
    create: Array<{
      id: string;
      externalId: string | null;
      name: string | null;
      polygonJson: string;
      regionTypeId: string;
      tagIds: string[];
    }>;
    update: RowUpdate[];
  };
}

type RowWrites = Pick<Writes, 'poles' | 'spans' | 'boxes' | 'splitters' | 'ports' | 'regions'>;

export const noRowWrites = (): RowWrites => ({
  poles: { create: [], update: [] },
  spans: { create: [], update: [] },
  boxes: { create: [], update: [], tags: [] },
  splitters: { create: [], update: [] },
  ports: { create: [], setBlocked: [], removeAbove: [] },
  regions: { create: [], update: [] },
});
