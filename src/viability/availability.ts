import { ViabilityInputError, show } from './errors.js';

/** What the index keeps per box besides its position. */
export interface Availability {
  /** The box has at least one customer-facing (isDrop) splitter. */
  hasDropSplitter: boolean;
  /** Free, unblocked output ports across the box's drop splitters. */
  freePorts: number;
  /** Blocked drop ports no property holds: free when a query counts blocked ports as free. */
  blockedPorts?: number;
  /** Unblocked drop ports held by a vacant property (no client): free when a query counts them. */
  vacantPorts?: number;
  /** Blocked drop ports held by a vacant property: free only when a query counts both. */
  blockedVacantPorts?: number;
}

/**
 * OZmap's "consider blocked splitter ports as free" and "consider ports of properties (vacant
 * premises) as free": which ports besides the free ones a query may offer.
 */
export interface PortPolicy {
  blockedAsFree?: boolean;
  vacantAsFree?: boolean;
}

/** The ports a query may offer in a box under `policy`. */
export function offeredPorts(a: Availability, policy: PortPolicy | undefined): number {
  return offeredFromPacked(a.freePorts, packExtraPorts(a), policy);
}

/** One splitter of a box, as the service loads it. Port numbers are 1-based. */
export interface SplitterPorts {
  isDrop: boolean;
  /** Number of output ports (the ratio's output side). */
  ports: number;
  blockedPorts?: readonly number[];
  /** Ports held by a property with a client (an installed client or a reservation). */
  occupiedPorts?: readonly number[];
  /** Ports held by a vacant property (no client, e.g. after a cancellation). */
  vacantPorts?: readonly number[];
}

/**
 * Sums a box's splitters into its availability: only drop splitters count, and a port is free
 * when no property holds it and it is not blocked. A port both blocked and occupied counts once.
 * Blocked and vacant-held ports are counted apart, for queries whose PortPolicy offers them; a
 * port held by a client is never offered.
 */
export function dropAvailability(splitters: readonly SplitterPorts[]): Availability {
  let hasDropSplitter = false;
  let freePorts = 0;
  let blockedPorts = 0;
  let vacantPorts = 0;
  let blockedVacantPorts = 0;
  splitters.forEach((splitter, s) => {
    const what = `splitter ${s}`;
    if (!Number.isInteger(splitter.ports) || splitter.ports < 0) {
      throw new ViabilityInputError(
        `${what}: ports must be an integer >= 0, got ${show(splitter.ports)}`,
      );
    }
    if (!splitter.isDrop) return;
    hasDropSplitter = true;
    const check = (ports: readonly number[] | undefined): Set<number> => {
      const set = new Set<number>();
      for (const port of ports ?? []) {
        if (!Number.isInteger(port) || port < 1 || port > splitter.ports) {
          throw new ViabilityInputError(
            `${what}: port must be an integer from 1 to ${splitter.ports}, got ${show(port)}`,
          );
        }
        set.add(port);
      }
      return set;
    };
    const blocked = check(splitter.blockedPorts);
    const occupied = check(splitter.occupiedPorts);
    const vacant = check(splitter.vacantPorts);
    const taken = new Set([...blocked, ...occupied, ...vacant]);
    freePorts += splitter.ports - taken.size;
    for (const port of blocked) {
      if (occupied.has(port)) continue;
      if (vacant.has(port)) blockedVacantPorts++;
      else blockedPorts++;
    }
    for (const port of vacant) if (!occupied.has(port) && !blocked.has(port)) vacantPorts++;
  });
  return { hasDropSplitter, freePorts, blockedPorts, vacantPorts, blockedVacantPorts };
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
  const extra = (name: 'blockedPorts' | 'vacantPorts' | 'blockedVacantPorts'): number => {
    const n = value[name] ?? 0;
    if (!Number.isInteger(n) || n < 0 || n > MAX_EXTRA_PORTS) {
      throw new ViabilityInputError(
        `${what}: ${name} must be an integer from 0 to ${MAX_EXTRA_PORTS}, got ${show(n)}`,
      );
    }
    return n;
  };
  return {
    hasDropSplitter,
    freePorts,
    blockedPorts: extra('blockedPorts'),
    vacantPorts: extra('vacantPorts'),
    blockedVacantPorts: extra('blockedVacantPorts'),
  };
}

/** The index packs the three extra counts into 10 bits each. */
export const MAX_EXTRA_PORTS = 1023;

/** The three extra counts in one integer (0 when there are none: the common case). */
export function packExtraPorts(a: Partial<Availability>): number {
  return (a.blockedPorts ?? 0) | ((a.vacantPorts ?? 0) << 10) | ((a.blockedVacantPorts ?? 0) << 20);
}

/** The ports a query may offer, from the free count and packed extras (see packExtraPorts). */
export function offeredFromPacked(
  freePorts: number,
  packed: number,
  policy: PortPolicy | undefined,
): number {
  if (packed === 0 || policy === undefined) return freePorts;
  let ports = freePorts;
  if (policy.blockedAsFree) ports += packed & 1023;
  if (policy.vacantAsFree) ports += (packed >> 10) & 1023;
  if (policy.blockedAsFree && policy.vacantAsFree) ports += (packed >> 20) & 1023;
  return ports;
}
