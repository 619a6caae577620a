import { z } from 'zod';
import { NodeId } from '@duban/events';
import { access, AppError, CASE_READERS, EVERYONE } from '@duban/kit';
import type { HttpApp } from '@duban/kit';
import type { FastifyReply } from 'fastify';
import { countyOfficeName, draftBulletinCommand, publishBulletin } from '../commands';
import type { NotificationsDeps } from '../deps';
import { Thresholds } from '../domain/bulletin';
import { chaseNotice, countyAbbreviation, supervisionNotice, writtenDate } from '../domain/documents';
import type { OfficialDocument } from '../domain/documents';
import { renderOfficialDocument } from '../documents/official';
import { bulletinRepository } from '../repositories/bulletins';
import { itemRepository } from '../repositories/items';
import { MANAGERS, requireManager } from './access';

const NodeParams = z.object({ nodeId: NodeId });
const DocxFile = NodeParams.extend({
  file: z
    .string()
    .regex(/^[0-9a-f-]{36}\.docx$/, '<uuid>.docx')
    .transform((f) => f.slice(0, -5)),
});
const BulletinParams = NodeParams.extend({ id: z.uuid() });
const DraftBody = z.object({
  periodFrom: z.iso.date(),
  periodTo: z.iso.date(),
  thresholds: Thresholds.default(Thresholds.parse({})),
  addressee: z.string().trim().min(1).max(200).optional(),
});
const EditBody = z.object({
  title: z.string().trim().min(1).max(200).optional(),
  addressee: z.string().trim().min(1).max(200).optional(),
  paragraphs: z.array(z.string().max(5000)).min(1).max(200).optional(),
});

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

async function sendDocx(reply: FastifyReply, doc: OfficialDocument, asciiName: string, name: string) {
  const bytes = await renderOfficialDocument(doc);
  return reply
    .header('content-type', DOCX)
    .header(
      'content-disposition',
      `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    )
    .send(bytes);
}

export function registerDocumentRoutes(app: HttpApp, deps: NotificationsDeps): void {
  const tags = ['notifications'];
  const base = '/nodes/:nodeId/notifications';
  const nameOf = (id: string) => deps.org.find(id)?.name ?? id;

  const itemOf = async (nodeId: string, itemId: string) => {
    const item = await itemRepository.find(deps.prisma, nodeId, itemId);
    if (!item)
      throw new AppError('not_found', 'notifications.item_not_found', 'this node has no notice of that item');
    return item;
  };

  app.get(
    `${base}/documents/notice/:file`,
    {
      config: { access: access.read(CASE_READERS) },
      schema: { tags, summary: '督促查办事项通知单 of an item, as .docx (GB/T 9704)', params: DocxFile },
    },
    async (request, reply) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const item = await itemOf(nodeId, request.params.file);
      const doc = supervisionNotice(item, nameOf, countyAbbreviation(countyOfficeName(deps, item.assigner)));
      return sendDocx(reply, doc, `notice-${item.itemId}.docx`, `督促查办事项通知单-${item.noticeNo}.docx`);
    },
  );

  app.get(
    `${base}/documents/chase/:file`,
    {
      config: { access: access.read(CASE_READERS) },
      schema: {
        tags,
        summary: '催办通知书 of an overdue item (its latest overdue chase), as .docx',
        params: DocxFile,
      },
    },
    async (request, reply) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const item = await itemOf(nodeId, request.params.file);
      if (item.chaseNo === 0)
        throw new AppError('conflict', 'notifications.not_chased', 'this item has had no overdue chase');
      const doc = chaseNotice(item, nameOf, countyAbbreviation(countyOfficeName(deps, item.assigner)));
      return sendDocx(
        reply,
        doc,
        `chase-${item.itemId}.docx`,
        `催办通知书-${item.noticeNo}-${item.chaseNo}.docx`,
      );
    },
  );

  // --- 督查通报 ------------------------------------------------------------------------------
  app.post(
    `${base}/bulletins`,
    {
      config: { access: access.act(MANAGERS) },
      schema: {
        tags,
        summary: 'Draft a bulletin from the period’s figures',
        params: NodeParams,
        body: DraftBody,
      },
    },
    async (request, reply) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const actor = requireManager(request, nodeId);
      const bulletin = await draftBulletinCommand(deps, nodeId, actor, request.body);
      return reply.status(201).send({ bulletin });
    },
  );

  app.get(
    `${base}/bulletins`,
    {
      config: { access: access.read(EVERYONE) },
      schema: { tags, summary: 'Bulletins, newest first', params: NodeParams },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      return { bulletins: await bulletinRepository.list(deps.prisma, nodeId) };
    },
  );

  const bulletinOf = async (nodeId: string, id: string) => {
    const b = await bulletinRepository.find(deps.prisma, nodeId, id);
    if (!b)
      throw new AppError('not_found', 'notifications.bulletin_not_found', 'no such bulletin at this node');
    return b;
  };

  app.get(
    `${base}/bulletins/:id`,
    {
      config: { access: access.read(EVERYONE) },
      schema: { tags, summary: 'One bulletin', params: BulletinParams },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      return { bulletin: await bulletinOf(nodeId, request.params.id) };
    },
  );

  app.put(
    `${base}/bulletins/:id`,
    {
      config: { access: access.act(MANAGERS) },
      schema: {
        tags,
        summary: 'Edit a draft (title, addressee, paragraphs)',
        params: BulletinParams,
        body: EditBody,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireManager(request, nodeId);
      const b = await bulletinOf(nodeId, request.params.id);
      if (b.status !== 'draft')
        throw new AppError('conflict', 'bulletin.already_published', 'a published bulletin is not edited');
      const patch = Object.fromEntries(Object.entries(request.body).filter(([, v]) => v !== undefined));
      const bulletin = await bulletinRepository.update(deps.prisma, b.id, {
        ...patch,
        updatedAt: deps.clock.now(),
      });
      return { bulletin };
    },
  );

  app.post(
    `${base}/bulletins/:id/publish`,
    {
      config: { access: access.act(MANAGERS) },
      schema: {
        tags,
        summary: 'Publish: number it and send notifications.bulletin.published',
        params: BulletinParams,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const actor = requireManager(request, nodeId);
      const { bulletin, event } = await publishBulletin(deps, nodeId, request.params.id, actor);
      return { bulletin, eventId: event.id };
    },
  );

  app.get(
    `${base}/documents/bulletin/:file`,
    {
      config: { access: access.read(EVERYONE) },
      schema: {
        tags,
        summary: '督查通报 as .docx (a draft prints with 〔草稿〕 for its number)',
        params: DocxFile,
      },
    },
    async (request, reply) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const b = await bulletinOf(nodeId, request.params.file);
      const issuer = nameOf(nodeId);
      const doc: OfficialDocument = {
        mark: `${issuer}文件`,
        docNo: b.docNo ?? '〔草稿〕',
        title: b.title,
        addressee: b.addressee,
        paragraphs: b.paragraphs as string[],
        issuer,
        date: writtenDate(b.publishedAt ?? deps.clock.now()),
      };
      return sendDocx(reply, doc, `bulletin-${b.id}.docx`, `督查通报-${b.docNo ?? '草稿'}.docx`);
    },
  );
}
