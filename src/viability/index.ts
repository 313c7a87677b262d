// The viability core: pure, synchronous, no I/O. See ViabilityIndex for how the service uses it.
export {
  ViabilityIndex,
  SearchHits,
  REFUSAL_REASONS,
  type BoxColumns,
  type BoxInput,
  type BuildOptions,
  type RefusalReason,
  type RefusedBox,
  type ViabilityQuery,
  type ViabilityResult,
  type ViableBox,
} from './viability-index.js';
export { dropAvailability, type Availability, type SplitterPorts } from './availability.js';
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
