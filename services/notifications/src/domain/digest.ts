import type { Rendered } from './templates';
import type { Locale } from './kinds';

/** One message collected into a digest. */
export interface DigestEntry {
  title: string;
  body: string;
  at: Date;
}

function beijingDate(at: Date, locale: Locale): string {
  const d = new Date(at.getTime() + 8 * 3600_000);
  return locale === 'en'
    ? d.toISOString().slice(0, 10)
    : `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** The one message a person gets instead of many: every entry, oldest first, numbered. */
export function renderDigest(
  entries: readonly DigestEntry[],
  digestAt: Date,
  locale: Locale,
  weekly: boolean,
): Rendered {
  const sorted = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime());
  const lines = sorted.map((e, i) => `${i + 1}. ${e.title}\n   ${e.body}`);
  if (locale === 'en') {
    return {
      title: `duban ${weekly ? 'weekly' : 'daily'} digest, ${beijingDate(digestAt, locale)} (${sorted.length})`,
      body: `${sorted.length} message(s):\n\n${lines.join('\n')}`,
    };
  }
  return {
    title: `督办消息${weekly ? '周报' : '日报'}（${beijingDate(digestAt, locale)}，共${sorted.length}条）`,
    body: `您有${sorted.length}条督办消息：\n\n${lines.join('\n')}`,
  };
}
