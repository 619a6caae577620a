import type { Readable } from 'node:stream';
import { access, CASE_READERS, readScopeOf } from '@duban/kit';
import { z } from 'zod';
import { NodeId } from '@duban/events';
import type { HttpApp } from '@duban/kit';
import type { TasksDeps } from '../deps';
import { beijingYmd, contentDisposition, exportFileName } from '../export/columns';
import type { ExportContext } from '../export/columns';
import { ledgerCsv } from '../export/csv';
import { EXPORT_PAGE_SIZE, openLedgerPages } from '../export/pages';
import { XLSX_CONTENT_TYPE, ledgerXlsx } from '../export/xlsx';
import { listLedger } from '../repositories/ledger';
import type { LedgerRow } from '../repositories/ledger';
import { LedgerQuery, ledgerFilter } from './items';

const NodeParams = z.object({ nodeId: NodeId });
/** The ledger's filters; the export takes every matching row, so no page size and no cursor. */
export const ExportQuery = LedgerQuery.omit({ limit: true, cursor: true });
export type ExportQuery = z.infer<typeof ExportQuery>;

/** Ledger export (督查工作台帐) to .xlsx and .csv: the ledger's filters, all matching rows, streamed. */
export function registerExportRoutes(app: HttpApp, deps: TasksDeps): void {
  const tags = ['tasks'];

  const route = (
    format: 'xlsx' | 'csv',
    contentType: string,
    summary: string,
    write: (
      pages: AsyncIterable<LedgerRow[]>,
      ctx: ExportContext,
      meta: { title: string; exportedAt: Date },
    ) => Readable,
  ) =>
    app.get(
      `/nodes/:nodeId/tasks/export.${format}`,
      {
        config: { access: access.read(CASE_READERS, { leaderScoped: true }) },
        schema: { tags, summary, params: NodeParams, querystring: ExportQuery },
      },
      async (request, reply) => {
        const node = deps.hosted.require(request.params.nodeId);
        const readScope = readScopeOf(request);
        const exportedAt = deps.clock.now();
        const filter = ledgerFilter(deps, { ...request.query, limit: EXPORT_PAGE_SIZE, cursor: undefined });
        // One `now` for every page: the traffic lights of one file agree with each other.
        const pages = await openLedgerPages((after, limit) =>
          listLedger(deps.pool, readScope, { ...filter, now: exportedAt, limit, after }),
        );
        const nodeName = deps.org.find(node)?.name ?? node;
        const ctx: ExportContext = {
          nodeName: (id, at) =>
            !deps.org.has(id) ? id : at ? deps.org.nameAt(id, at) : deps.org.get(id).name,
        };
        const scope = request.query.scope === 'subtree' ? '（含下级）' : '';
        const stream = write(pages, ctx, { title: `督查工作台帐\u3000${nodeName}${scope}`, exportedAt });
        return reply
          .header('content-type', contentType)
          .header(
            'content-disposition',
            contentDisposition(
              exportFileName(nodeName, exportedAt, format),
              `ledger-${node}-${beijingYmd(exportedAt)}.${format}`,
            ),
          )
          .header('cache-control', 'no-store')
          .header('x-content-type-options', 'nosniff')
          .send(stream);
      },
    );

  route(
    'xlsx',
    XLSX_CONTENT_TYPE,
    '导出台帐 (.xlsx): every item matching the ledger’s filters, streamed as a workbook',
    (pages, ctx, meta) => ledgerXlsx(pages, ctx, meta),
  );
  route(
    'csv',
    'text/csv; charset=utf-8',
    '导出台帐 (.csv): every item matching the ledger’s filters, UTF-8 with BOM, RFC 4180',
    (pages, ctx) => ledgerCsv(pages, ctx),
  );
}
