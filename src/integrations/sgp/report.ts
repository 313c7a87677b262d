// How plans and runs read to a person: dry-run items, per-page progress lines and the summary.
import { SYNC_OUTCOMES, type SyncCounts, type SyncRunItemInput } from '../sync-runs/store.js';
import type { ContractAction, ContractPlan } from './planner.js';

function describeAction(a: ContractAction): Pick<SyncRunItemInput, 'outcome' | 'message'> {
  switch (a.kind) {
    case 'create':
      return {
        outcome: 'created',
        message:
          a.placement.kind === 'box'
            ? `would create in box "${a.placement.boxName}", not connected`
            : `would create at box "${a.placement.boxName}" port ${a.placement.port}`,
      };
    case 'adopt':
      return {
        outcome: 'adopted',
        message: `would adopt reservation ${a.fromCode} as ${a.toCode}${a.move ? `, moving it to box "${a.move.boxName}" port ${a.move.port}` : ''}`,
      };
    case 'update':
      return {
        outcome: 'updated',
        message: `would update ${a.changes.map((c) => c.field).join(', ')}`,
      };
    case 'implant':
      return { outcome: 'implanted', message: 'would set the client implanted' };
    case 'cancel':
      return {
        outcome: 'cancelled',
        message: 'would remove the implanted client, keeping its property',
      };
    case 'withdraw':
      return { outcome: 'removed', message: 'would remove client and property (desistência)' };
  }
}

/** A plan as report items, without applying it (dry run). */
export function planItems(plan: ContractPlan): SyncRunItemInput[] {
  const itemId = plan.contractId;
  if (plan.skip) return [{ itemId, outcome: 'skipped', ...plan.skip }];
  return [
    ...plan.actions.map((a) => ({
      itemId,
      ...describeAction(a),
      ...(a.kind === 'update' ? { detail: { changes: a.changes } } : {}),
    })),
    ...plan.notes.map((n) => ({
      itemId,
      outcome: 'note' as const,
      reason: n.reason,
      message: n.message,
    })),
  ];
}

// The outcomes a summary line shows (notes are detail, not a count people act on).
const ORDER = SYNC_OUTCOMES.filter((o) => o !== 'note');

function n(counts: SyncCounts, key: string): number {
  const v = counts[key];
  return typeof v === 'number' ? v : 0;
}

/** "2 created, 0 adopted, 5 updated, …" */
export function countLine(counts: SyncCounts): string {
  return ORDER.map((k) => `${n(counts, k)} ${k === 'error' ? 'errors' : k}`).join(', ');
}

/** The summary the CLI prints and the docs explain. */
export function summaryLines(counts: SyncCounts): string[] {
  const lines = [
    `contracts read: ${n(counts, 'contracts')} in ${n(counts, 'pages')} page(s); unchanged: ${n(counts, 'unchanged')}`,
    `created: ${n(counts, 'created')}  adopted: ${n(counts, 'adopted')}  updated: ${n(counts, 'updated')}  implanted: ${n(counts, 'implanted')}`,
    `cancelled: ${n(counts, 'cancelled')}  removed (desistência): ${n(counts, 'removed')}`,
  ];
  const reasons = (key: string) => {
    const v = counts[key];
    return typeof v === 'object'
      ? Object.entries(v)
          .sort((a, b) => b[1] - a[1])
          .map(([r, k]) => `${r} ${k}`)
          .join(', ')
      : '';
  };
  lines.push(
    `skipped: ${n(counts, 'skipped')}${n(counts, 'skipped') ? ` (${reasons('skippedByReason')})` : ''}`,
  );
  lines.push(
    `errors: ${n(counts, 'error')}${n(counts, 'error') ? ` (${reasons('errorsByReason')})` : ''}`,
  );
  return lines;
}
