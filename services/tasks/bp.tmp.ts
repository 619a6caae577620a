import { ledgerXlsx } from '/work/main/services/tasks/src/export/xlsx.ts';
import { samplePages } from '/work/main/services/tasks/src/export/sampleRows.ts';
const ctx = { nodeName: (id: string) => id };
for (const max of [256 * 1024, Number.POSITIVE_INFINITY]) {
  const source = samplePages(200_000, 2000);
  const s = ledgerXlsx(source.pages, ctx, { title: 't', exportedAt: new Date(), maxPendingBytes: max });
  await new Promise((r) => setTimeout(r, 3000));
  console.log(max, 'pulled', source.pulled(), 'rss MB', Math.round(process.memoryUsage().rss / 1e6));
  s.destroy();
}
process.exit(0);
