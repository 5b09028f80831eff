/**
 * Texts in both the members and the non-members: a text on both sides of the membership question
 * reads the same score on each, and two copies of one file make every attack read AUC 0.5 ("no
 * leak") whatever the model does. The classifier path refuses such records for every probe
 * (src/run/features.ts); this is the same rule for texts, compared as token ids.
 */
import { InputError } from '../../errors';
import type { TextData } from '../types';

export interface TextOverlap {
  /** Sampled non-member texts whose token ids equal a sampled member text's. */
  count: number;
  /** 1-based lines of the first such pair. */
  first?: { memberLine: number; nonMemberLine: number };
}

export function findTextOverlap(members: TextData, nonMembers: TextData): TextOverlap {
  const memberLine = new Map<string, number>();
  members.tokens.forEach((t, i) => {
    const key = t.join(',');
    if (!memberLine.has(key)) memberLine.set(key, members.lines[i]!);
  });
  const overlap: TextOverlap = { count: 0 };
  nonMembers.tokens.forEach((t, i) => {
    const line = memberLine.get(t.join(','));
    if (line === undefined) return;
    overlap.count += 1;
    overlap.first ??= { memberLine: line, nonMemberLine: nonMembers.lines[i]! };
  });
  return overlap;
}

/**
 * An InputError naming the first pair, or (with `data.allow-overlap`) a note for the report;
 * nothing when the sets share no text.
 */
export function overlapNote(members: TextData, nonMembers: TextData, allowed: boolean): string | undefined {
  const { count, first } = findTextOverlap(members, nonMembers);
  if (count === 0 || !first) return undefined;
  const both = `${count} of the ${nonMembers.rows} non-member texts used ${count === 1 ? 'is' : 'are'} also among the member texts (the same token ids; first: line ${first.nonMemberLine} of ${nonMembers.file} is line ${first.memberLine} of ${members.file})`;
  if (allowed) return `text-membership: ${both}; allowed by data.allow-overlap, but these texts cannot tell members from non-members`;
  throw new InputError(
    `${both}; a text cannot be both, so the two sets are probably the same file or were split wrongly, and every attack would read "no leak". Remove the repeated texts, or set data.allow-overlap: true if they are genuine duplicates`,
    { file: nonMembers.file, line: first.nonMemberLine, field: 'data.non-members' },
  );
}
