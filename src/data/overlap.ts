/**
 * Records in both the members and the non-members. Membership inference asks whether the model
 * treats members differently from non-members; a record in both sets is on both sides of that
 * question, and two copies of one file make every attack read AUC 0.5 ("no leak") whatever the
 * model does. A record is its selected features and its label as loaded (what the model and the
 * attacks see), compared by SHA-256.
 */
import { createHash } from 'node:crypto';
import type { Dataset } from './types';

export interface Overlap {
  /** Non-member rows (of those loaded) whose record is also among the loaded members. */
  count: number;
  /** The first such non-member row and the member row holding the same record (loaded-row indices). */
  first?: { member: number; nonMember: number };
}

function recordHash(data: Dataset, row: number): string {
  const width = data.features.length;
  const values = data.x.slice(row * width, (row + 1) * width);
  // -0 and 0 are the same input to the model; their bytes differ.
  for (let i = 0; i < values.length; i++) if (values[i] === 0) values[i] = 0;
  return createHash('sha256')
    .update(Buffer.from(values.buffer, values.byteOffset, values.byteLength))
    .update('\0')
    .update(data.labels[row] ?? '')
    .digest('base64');
}

export function findOverlap(members: Dataset, nonMembers: Dataset): Overlap {
  const memberRows = new Map<string, number>();
  for (let r = 0; r < members.rows; r++) {
    const hash = recordHash(members, r);
    if (!memberRows.has(hash)) memberRows.set(hash, r);
  }
  const overlap: Overlap = { count: 0 };
  for (let r = 0; r < nonMembers.rows; r++) {
    const member = memberRows.get(recordHash(nonMembers, r));
    if (member === undefined) continue;
    overlap.count++;
    overlap.first ??= { member, nonMember: r };
  }
  return overlap;
}
