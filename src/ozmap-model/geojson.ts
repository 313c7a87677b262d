export {
  importGeoJson,
  importGeoJsonFile,
  GeoJsonImportError,
  type ImportOptions,
} from './geojson/import.js';
export { exportGeoJson, writeGeoJson } from './geojson/export.js';
export { DEFAULT_PROJECT_NAME } from './geojson/plan.js';
export type { ImportReport, Counts } from './geojson/plan-types.js';
export type { InventoryCollection, InventoryFeature } from './geojson/format.js';
