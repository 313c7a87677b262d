import { ViabilityInputError, show } from './errors.js';

/** What the index keeps per box besides its position. */
export interface Availability {
  /** The box has at least one customer-facing (isDrop) splitter. */
  hasDropSplitter: boolean;
  /** Free, unblocked output ports across the box's drop splitters. */
  freePorts: number;
}

/** One splitter of a box, as the service loads it. Port numbers are 1-based. */
export interface SplitterPorts {
  isDrop: boolean;
  /** Number of output ports (the ratio's output side). */
  ports: number;
  blockedPorts?: readonly number[];
  /** Ports held by a property (an installed client or a reservation). */
  occupiedPorts?: readonly number[];
}

/**
 * Sums a box's splitters into its availability: only drop splitters count, and a port is free
 * when no property holds it and it is not blocked. A port both blocked and occupied counts once.
 */
export function dropAvailability(splitters: readonly SplitterPorts[]): Availability {
  let hasDropSplitter = false;
  let freePorts = 0;
  splitters.forEach((splitter, s) => {
    const what = `splitter ${s}`;
    if (!Number.isInteger(splitter.ports) || splitter.ports < 0) {
      throw new ViabilityInputError(
        `${what}: ports must be an integer >= 0, got ${show(splitter.ports)}`,
      );
    }
    if (!splitter.isDrop) return;
    hasDropSplitter = true;
    const taken = new Set<number>();
    for (const port of [...(splitter.blockedPorts ?? []), ...(splitter.occupiedPorts ?? [])]) {
      if (!Number.isInteger(port) || port < 1 || port > splitter.ports) {
        throw new ViabilityInputError(
          `${what}: port must be an integer from 1 to ${splitter.ports}, got ${show(port)}`,
        );
      }
      taken.add(port);
    }
    freePorts += splitter.ports - taken.size;
  });
  return { hasDropSplitter, freePorts };
}

/** Throws unless `value` is a usable availability; returns it normalised. */
export function checkAvailability(value: Partial<Availability>, what: string): Availability {
  const { hasDropSplitter = false, freePorts = 0 } = value;
  if (typeof hasDropSplitter !== 'boolean') {
    throw new ViabilityInputError(
      `${what}: hasDropSplitter must be a boolean, got ${show(hasDropSplitter)}`,
    );
  }
  if (!Number.isInteger(freePorts) || freePorts < 0 || freePorts > 0x7fffffff) {
    throw new ViabilityInputError(
      `${what}: freePorts must be an integer >= 0, got ${show(freePorts)}`,
    );
  }
  return { hasDropSplitter, freePorts };
}
