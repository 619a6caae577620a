import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Array<{
    labels: Record<string, string>;
    value?: string;
    count?: string;
    sum?: string;
    buckets?: Record<string, string>;
  }>;
}
export type Families = Map<string, Family>;

/** GET /metrics over HTTP, parsed by a Prometheus text-format parser; fails unless it is 200. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Families> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} → ${response.status} ${text}`);
  if (!response.headers.get('content-type')?.startsWith('text/plain'))
    throw new Error(`GET ${url}: content-type ${response.headers.get('content-type')}`);
  const families = new Map<string, Family>();
  const add = (f: Family) => {
    // The parser leaves `labels` out of a series without any.
    const metrics = f.metrics.map((m) => ({ ...m, labels: m.labels ?? {} }));
    const seen = families.get(f.name);
    if (seen) seen.metrics.push(...metrics);
    else families.set(f.name, { ...f, metrics });
  };
  for (const f of parsePrometheusTextFormat(text) as Family[]) add(f);
  // parse-prometheus-text-format 1.1.1 folds every series of a labelled histogram into one, labels
  // lost. Read again without the histograms' TYPE lines, their _bucket, _sum and _count series come
  // back as families of their own, each series with its labels (and `le`).
  const histograms = [...families.values()].filter((f) => f.type === 'HISTOGRAM').map((f) => f.name);
  const untyped = text
    .split('\n')
    .filter(
      (line) => !histograms.some((h) => line === `# TYPE ${h} histogram` || line.startsWith(`# HELP ${h} `)),
    )
    .join('\n');
  for (const f of parsePrometheusTextFormat(untyped) as Family[])
    if (histograms.some((h) => f.name.startsWith(`${h}_`))) add(f);
  return families;
}

/** The value of the one series of `name` whose labels are exactly `labels`; undefined when absent. */
export function valueOf(
  families: Families,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const family = families.get(name);
  if (!family) throw new Error(`no metric ${name} at all`);
  const wanted = Object.entries(labels);
  const found = family.metrics.find(
    (s) => Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v),
  );
  return found?.value === undefined ? undefined : Number(found.value);
}
