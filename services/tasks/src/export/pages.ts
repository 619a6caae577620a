import type { LedgerRow } from '../repositories/ledger';

export type KeysetCursor = { deadline: Date; id: string };
export type FetchPage = (after: KeysetCursor | undefined, limit: number) => Promise<LedgerRow[]>;

/** Rows per ledger query while exporting: one indexed keyset SELECT each. */
export const EXPORT_PAGE_SIZE = 2000;

/**
 * All the rows of a filtered ledger, page by page along the (deadline, id) keyset, so an export of
 * any size holds about two pages at a time. The first page is read before this returns: a failing
 * query then becomes an ordinary error response, before any byte of the file is sent. While the
 * consumer writes one page the next is already being read (the query and the writing overlap);
 * beyond that, pages are read only when the consumer asks for them (the writers pull as the
 * client reads).
 */
export async function openLedgerPages(
  fetchPage: FetchPage,
  pageSize = EXPORT_PAGE_SIZE,
): Promise<AsyncIterable<LedgerRow[]>> {
  const first = await fetchPage(undefined, pageSize);
  const after = (page: LedgerRow[]): Promise<LedgerRow[]> | undefined => {
    const last = page.at(-1);
    if (page.length < pageSize || !last) return undefined;
    const next = fetchPage({ deadline: new Date(last.deadline), id: last.id }, pageSize);
    next.catch(() => undefined); // awaited below; this only keeps an abandoned read from being "unhandled"
    return next;
  };
  return (async function* pages() {
    let page = first;
    for (;;) {
      const next = after(page);
      if (page.length > 0) yield page;
      if (!next) return;
      page = await next;
    }
  })();
}
