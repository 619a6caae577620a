import { z } from 'zod';
import { IsoTime, NodeId } from '../ids';
import { PersonRef, defineEvent } from './common';

/** One unit's line in a bulletin: the figures it was judged on. */
export const BulletinUnitLine = z.object({
  unit: NodeId,
  /** Items due in the period. */
  due: z.number().int().min(0),
  closedOnTime: z.number().int().min(0),
  overdue: z.number().int().min(0),
  /** closedOnTime / due, 0–1; null when nothing fell due. */
  onTimeRate: z.number().min(0).max(1).nullable(),
});
export type BulletinUnitLine = z.infer<typeof BulletinUnitLine>;

export const BulletinPublishedV1 = z.object({
  bulletinId: z.uuid(),
  /** 文号, e.g. 睢督通〔2026〕3号. */
  docNo: z.string().min(1).max(64),
  title: z.string().min(1).max(200),
  periodFrom: z.iso.date(),
  periodTo: z.iso.date(),
  /** 通报表扬 and 通报批评: the units the bulletin names, each with its figures. */
  commended: z.array(BulletinUnitLine).max(500),
  criticised: z.array(BulletinUnitLine).max(500),
  /** The published text, paragraph by paragraph, as the office edited it. */
  paragraphs: z.array(z.string().max(5000)).max(200),
  by: PersonRef,
  publishedAt: IsoTime,
});
export type BulletinPublishedV1 = z.infer<typeof BulletinPublishedV1>;

export const NOTIFICATIONS_EVENTS = [
  defineEvent({
    type: 'notifications.bulletin.published',
    version: 1,
    data: BulletinPublishedV1,
    emittedBy: 'issuing office',
    description:
      '督查通报: the office publishes a periodic bulletin naming commended and criticised units; sent to every unit it names.',
  }),
] as const;
