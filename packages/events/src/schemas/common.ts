import { z } from 'zod';
import { NodeId } from '../ids';

/** Who did it: a person's id as their node knows it (account ids arrive with people and roles). */
export const PersonRef = z.string().min(1).max(100);
export type PersonRef = z.infer<typeof PersonRef>;

/** The two parties every item event names, so each copy can check it is about the same item. */
export const ItemParties = z.object({
  itemId: z.uuid(),
  assigner: NodeId,
  assignee: NodeId,
});
export type ItemParties = z.infer<typeof ItemParties>;

export function defineEvent<T extends string, V extends number, D extends z.ZodType>(def: {
  readonly type: T;
  readonly version: V;
  readonly data: D;
  readonly description: string;
  /** Which party of the subject may emit it: checked by every consumer. */
  readonly emittedBy: string;
}) {
  return def;
}
