/** The demo network as plain rows, shaped for the Prisma models they are written to. */
export interface DemoNetwork {
  seed: number;
  project: DemoProject;
  boxType: DemoBoxType;
  splitterTypes: DemoSplitterType[];
  regionType: DemoRegionType;
  tags: DemoTag[];
  regions: DemoRegion[];
  poles: DemoPole[];
  /** Cable spans between the poles (pole-mode viability). */
  spans: DemoSpan[];
  boxes: DemoBox[];
  splitters: DemoSplitter[];
  ports: DemoPort[];
  clients: DemoClient[];
  properties: DemoProperty[];
}

export interface DemoProject {
  id: string;
  name: string;
  identifier: string;
  lat: number;
  lng: number;
  defaultPonPotency: number;
  dropMaxSize: number;
}

export interface DemoBoxType {
  id: string;
  code: string;
  prefix: string;
  brand: string;
  description: string;
  defaultLevel: number;
}

export interface DemoSplitterType {
  id: string;
  code: string;
  isDrop: boolean;
  ratioIn: number;
  ratioOut: number;
  description: string;
}

export interface DemoRegionType {
  id: string;
  name: string;
  color: string;
  borderColor: string;
  description: string;
}

export interface DemoTag {
  id: string;
  name: string;
  allowedTypesJson: string;
  color: string;
}

export interface DemoRegion {
  id: string;
  name: string;
  polygonJson: string;
  regionTypeId: string;
  observation: string;
  tagIds: string[];
}

export interface DemoSpan {
  id: string;
  name: string;
  projectId: string;
  poleAId: string;
  poleBId: string;
  /** Metres; null = the great circle between the poles. */
  length: number | null;
  cable: string | null;
}

export interface DemoPole {
  id: string;
  name: string;
  projectId: string;
  lng: number;
  lat: number;
}

export interface DemoBox {
  id: string;
  name: string;
  projectId: string;
  lng: number;
  lat: number;
  boxTypeId: string;
  hierarchyLevel: number;
  implanted: boolean;
  draft: boolean;
  poleId: string;
  address: string;
}

export interface DemoSplitter {
  id: string;
  name: string;
  boxId: string;
  projectId: string;
  splitterTypeId: string;
  implanted: boolean;
  isDrop: boolean;
  ratioIn: number;
  ratioOut: number;
}

export interface DemoPort {
  splitterId: string;
  index: number;
  blocked: boolean;
  observation: string | null;
}

export interface DemoClient {
  id: string;
  code: string;
  name: string;
  implanted: boolean;
  status: number;
  onuSerial: string;
}

export interface DemoProperty {
  id: string;
  projectId: string;
  clientId: string;
  boxId: string;
  splitterId: string;
  port: number;
  lng: number;
  lat: number;
  address: string;
  potencyRead: number;
}
