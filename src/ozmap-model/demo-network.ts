export { generateDemoNetwork } from './demo-network/generate.js';
export {
  seedDemoNetwork,
  seedDemoIfEmpty,
  type SeedCounts,
  type SeedOptions,
} from './demo-network/seed.js';
export { CITY as DEMO_CITY } from './demo-network/maringa.js';
export type * from './demo-network/types.js';
