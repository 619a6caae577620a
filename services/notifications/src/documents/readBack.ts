import JSZip from 'jszip';

/** What a test (or an auditor) reads back from a .docx: text, runs with fonts and colours, page setup. */
export interface DocxRun {
  text: string;
  color: string | null;
  eastAsiaFont: string | null;
  /** In points. */
  size: number | null;
}
export interface DocxParagraph {
  text: string;
  align: string | null;
  firstLineIndent: number | null;
  borderBottomColor: string | null;
  runs: DocxRun[];
}
export interface DocxContents {
  paragraphs: DocxParagraph[];
  /** In twips, as written: pgSz and pgMar. */
  page: { width: number; height: number; top: number; bottom: number; left: number; right: number };
  footerText: string;
}

const attr = (xml: string, element: string, name: string): string | null => {
  const m = new RegExp(`<${element}\\b[^>]*\\s${name}="([^"]*)"`).exec(xml);
  return m ? m[1]! : null;
};
const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
const textOf = (xml: string) =>
  [...xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => unescape(m[1]!)).join('');

/** Parses word/document.xml of a .docx (a zip) without any Office software. */
export async function readDocx(bytes: Uint8Array): Promise<DocxContents> {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file('word/document.xml')?.async('string');
  if (!xml) throw new Error('not a .docx: no word/document.xml');
  const paragraphs = [...xml.matchAll(/<w:p(?:\s[^>]*)?>([\s\S]*?)<\/w:p>/g)].map(([, p]) => {
    const pPr = /<w:pPr>([\s\S]*?)<\/w:pPr>/.exec(p!)?.[1] ?? '';
    const runs = [...p!.matchAll(/<w:r(?:\s[^>]*)?>([\s\S]*?)<\/w:r>/g)].map(([, r]) => {
      const size = attr(r!, 'w:sz', 'w:val');
      return {
        text: textOf(r!),
        color: attr(r!, 'w:color', 'w:val'),
        eastAsiaFont: attr(r!, 'w:rFonts', 'w:eastAsia'),
        size: size === null ? null : Number(size) / 2,
      };
    });
    const bottom = /<w:bottom\b[^>]*\/>/.exec(/<w:pBdr>([\s\S]*?)<\/w:pBdr>/.exec(pPr)?.[1] ?? '')?.[0] ?? '';
    const indent = attr(pPr, 'w:ind', 'w:firstLine');
    return {
      text: runs.map((r) => r.text).join(''),
      align: attr(pPr, 'w:jc', 'w:val'),
      firstLineIndent: indent === null ? null : Number(indent),
      borderBottomColor: bottom ? attr(bottom, 'w:bottom', 'w:color') : null,
      runs,
    };
  });
  const num = (el: string, name: string) => Number(attr(xml, el, name) ?? NaN);
  let footerText = '';
  for (const name of Object.keys(zip.files).filter((n) => /^word\/footer\d*\.xml$/.test(n))) {
    footerText += textOf((await zip.file(name)!.async('string')) ?? '');
  }
  return {
    paragraphs,
    page: {
      width: num('w:pgSz', 'w:w'),
      height: num('w:pgSz', 'w:h'),
      top: num('w:pgMar', 'w:top'),
      bottom: num('w:pgMar', 'w:bottom'),
      left: num('w:pgMar', 'w:left'),
      right: num('w:pgMar', 'w:right'),
    },
    footerText,
  };
}
