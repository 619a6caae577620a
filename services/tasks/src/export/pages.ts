import type { LedgerRow } from '../repositories/ledger';

export type KeysetCursor = { deadline: Date; id: string };
export type FetchPage = (after: KeysetCursor | undefined, limit: number) => Promise<LedgerRow[]>;

/** Rows per ledger query while exporting: one indexed keyset SELECT each. */
export const EXPORT_PAGE_SIZE = 2000;

/**
 * All the rows of a filtered ledger, page by page along the (deadline, id) keyset, so an export of
 * any size holds one page at a time. The first page is read before this returns: a failing query
 * then becomes an ordinary error response, before any byte of the file is sent. Later pages are read
 * only when the consumer asks for them (the writers pull as the client reads).
 */
export async function openLedgerPages(
  fetchPage: FetchPage,
  pageSize = EXPORT_PAGE_SIZE,
): Promise<AsyncIterable<LedgerRow[]>> {
  const first = await fetchPage(undefined, pageSize);
  return (async function* pages() {
    let page = first;
    for (;;) {
      if (page.length > 0) yield page;
      const last = page.at(-1);
      if (page.length < pageSize || !last) return;
      page = await fetchPage({ deadline: new Date(last.deadline), id: last.id }, pageSize);
    }
  })();
}
