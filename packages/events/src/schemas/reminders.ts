import { z } from 'zod';
import { IsoTime, NodeId } from '../ids';
import { ItemParties, defineEvent } from './common';

export const ItemChasedV1 = ItemParties.extend({
  deadline: IsoTime,
  chasedAt: IsoTime,
  /** 1 for the first overdue chase; each later chase counts up. */
  chaseNo: z.number().int().positive(),
});
export type ItemChasedV1 = z.infer<typeof ItemChasedV1>;

export const ItemEscalatedV1 = ItemParties.extend({
  deadline: IsoTime,
  escalatedAt: IsoTime,
  level: z.number().int().positive(),
  escalatedTo: NodeId,
  reason: z.string().max(500),
});
export type ItemEscalatedV1 = z.infer<typeof ItemEscalatedV1>;

export const REMINDERS_EVENTS = [
  defineEvent({
    type: 'reminders.item.chased',
    version: 1,
    data: ItemChasedV1,
    emittedBy: 'assigner',
    description: '催办: the deadline passed without a closing report; the unit is chased.',
  }),
  defineEvent({
    type: 'reminders.item.escalated',
    version: 1,
    data: ItemEscalatedV1,
    emittedBy: 'assigner',
    description: 'The grace after a chase passed without a closing report; the item climbs one level up the tree.',
  }),
] as const;
