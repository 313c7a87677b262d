// How plans and runs read to a person: report items (applied or dry run), progress lines and the
// summary the CLI prints.
import type { SyncCounts, SyncRunItemInput } from '../sync-runs/store.js';
import {
  changesSomething,
  type FieldChange,
  type ItemPlan,
  type PortPlan,
  type SplitterPlan,
} from './planner.js';

type Mode = 'applied' | 'dry';

function ports(ps: PortPlan[]): string[] {
  const sum = (f: (p: PortPlan) => number) => ps.reduce((n, p) => n + f(p), 0);
  const parts: string[] = [];
  const held = sum((p) => p.createHolds.length);
  const freed = sum((p) => p.removeHolds.length);
  const moved = sum((p) => p.moves.length);
  const blocked = sum((p) => p.block.length);
  const unblocked = sum((p) => p.unblock.length);
  const swapped = sum((p) => p.updateHolds.length);
  if (held) parts.push(`${held} port(s) taken by Geogrid clients`);
  if (swapped) parts.push(`${swapped} port(s) with another Geogrid client`);
  if (freed) parts.push(`${freed} port(s) freed in Geogrid`);
  if (moved) parts.push(`${moved} client(s) of ours placed on their Geogrid port`);
  if (blocked) parts.push(`${blocked} port(s) reserved in Geogrid (blocked)`);
  if (unblocked) parts.push(`${unblocked} Geogrid reservation(s) ended`);
  return parts;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'object' && 'lat' in v && 'lng' in v) return `${String(v.lat)},${String(v.lng)}`;
  if (typeof v === 'string') return `"${v.length > 60 ? `${v.slice(0, 60)}…` : v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '?';
}

function changeText(c: FieldChange): string {
  if (c.field === 'lat') return `position: ${show(c.from)} → ${show(c.to)}`;
  if (c.field === 'pole') return `pole: ${Object.keys(c.to as object).join(', ')}`;
  if (c.field === 'draft')
    return c.to ? 'now planned (Em projeto: not for sale)' : 'now built (for sale)';
  return `${c.field}: ${show(c.from)} → ${show(c.to)}`;
}

function splitterText(s: SplitterPlan): string | null {
  if (s.kind === 'create')
    return `new splitter "${s.name ?? s.equipmentId}" (1x${s.outputs}${s.isDrop ? '' : ', distribution'})`;
  if (s.kind === 'remove') return s.keep ? null : 'a splitter gone from Geogrid removed';
  const c = s.changes;
  const parts = [];
  if (c.ratioOut !== undefined) parts.push(`now 1x${c.ratioOut}`);
  if (c.isDrop !== undefined)
    parts.push(c.isDrop ? 'now a service splitter' : 'now a distribution splitter');
  if (c.name !== undefined) parts.push(`renamed ${show(c.name)}`);
  return parts.length ? `splitter ${parts.join(', ')}` : null;
}

function portPlans(plan: Extract<ItemPlan, { kind: 'create' | 'update' }>): PortPlan[] {
  return plan.splitters.flatMap((s) => (s.kind === 'remove' ? [] : [s.ports]));
}

/** A plan as report items: what was done (or would be, in a dry run), then its notes. */
export function describePlan(plan: ItemPlan, mode: Mode): SyncRunItemInput[] {
  const would = mode === 'dry' ? 'would be ' : '';
  const itemId = plan.itemId;
  switch (plan.kind) {
    case 'skip':
      return [{ itemId, outcome: 'skipped', reason: plan.reason, message: plan.message }];
    case 'remove':
      return [
        {
          itemId,
          outcome: 'removed',
          reason: 'gone_from_geogrid',
          message: `${would}removed: ${plan.why}`,
        },
      ];
    case 'keep':
      return [
        {
          itemId,
          outcome: 'kept',
          reason: plan.already ? 'still_gone_with_clients' : 'gone_with_clients',
          message: `${plan.why}, but it holds ${plan.clients} client(s) here: ${would}kept, out of sale; move or remove its clients`,
          detail: { boxId: plan.boxId, clients: plan.clients },
        },
      ];
    case 'create': {
      const outputs = plan.splitters.reduce((n, s) => n + (s.kind === 'create' ? s.outputs : 0), 0);
      const what = plan.pole
        ? `pole "${plan.pole.name}" with its service box`
        : `box "${plan.box.name}"`;
      const extra = ports(portPlans(plan));
      return [
        {
          itemId,
          outcome: 'created',
          message: `${would}created ${what}${plan.box.draft ? ' (planned: Em projeto)' : ''}, ${plan.splitters.length} splitter(s), ${outputs} port(s)${extra.length ? `; ${extra.join('; ')}` : ''}`,
        },
        ...notes(plan),
      ];
    }
    case 'update': {
      if (!changesSomething(plan)) return notes(plan);
      const parts = [
        ...(plan.revived ? ['synced again'] : []),
        ...plan.changes.map(changeText),
        ...plan.splitters.map(splitterText).filter((t): t is string => t !== null),
        ...ports(portPlans(plan)),
      ];
      return [
        {
          itemId,
          outcome: 'updated',
          message: `${mode === 'dry' ? 'would update' : 'updated'}: ${parts.join('; ') || 'ports re-read'}`,
          detail: { changes: plan.changes },
        },
        ...notes(plan),
      ];
    }
  }
}

function notes(plan: Extract<ItemPlan, { kind: 'create' | 'update' }>): SyncRunItemInput[] {
  return plan.notes.map((n) => ({
    itemId: plan.itemId,
    outcome: 'note' as const,
    reason: n.reason,
    message: n.message,
    ...(n.detail ? { detail: n.detail } : {}),
  }));
}

function n(counts: SyncCounts, key: string): number {
  const v = counts[key];
  return typeof v === 'number' ? v : 0;
}

function reasons(counts: SyncCounts, key: string): string {
  const v = counts[key];
  return typeof v === 'object'
    ? Object.entries(v)
        .sort((a, b) => b[1] - a[1])
        .map(([r, k]) => `${r} ${k}`)
        .join(', ')
    : '';
}

/** "12 created, 3 updated, …" for progress lines. */
export function countLine(counts: Record<string, number> | SyncCounts): string {
  const keys = ['created', 'updated', 'removed', 'kept', 'pushed', 'skipped', 'error'];
  return keys.map((k) => `${n(counts, k)} ${k === 'error' ? 'errors' : k}`).join(', ');
}

/** The summary the CLI prints and docs/integrations.md explains. */
export function summaryLines(counts: SyncCounts): string[] {
  return [
    `items read: ${n(counts, 'items')} in ${n(counts, 'pages')} page(s); ports read for ${n(counts, 'portsRead')}; unchanged: ${n(counts, 'unchanged')}; not synced (other elements): ${n(counts, 'ignored')}`,
    `created: ${n(counts, 'created')}  updated: ${n(counts, 'updated')}  removed: ${n(counts, 'removed')}  kept for their clients: ${n(counts, 'kept')}`,
    `Geogrid clients read: ${n(counts, 'clients')}; matched to ours: ${n(counts, 'matched')}; pushed to Geogrid: ${n(counts, 'pushed')}`,
    `skipped: ${n(counts, 'skipped')}${n(counts, 'skipped') ? ` (${reasons(counts, 'skippedByReason')})` : ''}`,
    `errors: ${n(counts, 'error')}${n(counts, 'error') ? ` (${reasons(counts, 'errorsByReason')})` : ''}`,
  ];
}
