// The viability core: pure, synchronous, no I/O. See ViabilityIndex for how the service uses it.
export {
  ViabilityIndex,
  SearchHits,
  REFUSAL_REASONS,
  type BoxColumns,
  type BoxInput,
  type BoxVerdict,
  type BuildOptions,
  type RefusalReason,
  type RefusedBox,
  type ViabilityQuery,
  type ViabilityResult,
  type ViableBox,
} from './viability-index.js';
export {
  dropAvailability,
  offeredPorts,
  packExtraPorts,
  type Availability,
  type PortPolicy,
  type SplitterPorts,
} from './availability.js';
export {
  EARTH_RADIUS_METERS,
  boundingBoxes,
  clampRadius,
  haversineMeters,
  roundDistance,
  type DegreeBox,
} from './geodesy.js';
export {
  compileRegion,
  regionContains,
  type CompiledRegion,
  type GeoJsonMultiPolygon,
  type GeoJsonPolygon,
  type Position,
  type RegionInput,
} from './regions.js';
export { ViabilityInputError } from './errors.js';
export {
  PoleGraph,
  MAX_ROUTE_METERS,
  MAX_SPAN_METERS,
  type PoleBoxInput,
  type PoleColumns,
  type BoxSlots,
  type PoleGraphInput,
  type PoleInput,
  type SpanInput,
} from './pole-graph.js';
export {
  queryByPoles,
  type PoleQuery,
  type PoleRefusalReason,
  type PoleRefusedBox,
  type PoleResult,
  type PoleRoute,
  type PoleViableBox,
} from './pole-query.js';
export { CondoSet, type CondoBoxes, type CondoInput } from './condos.js';
