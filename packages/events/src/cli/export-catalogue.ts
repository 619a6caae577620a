import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { catalogueAsyncApi } from '../asyncapi';
import { catalogueMarkdown } from '../catalogueDoc';
import { catalogueJsonSchema } from '../jsonSchema';

// Analysts and other county systems read the catalogue without our code: keep it as files.
const docs = resolve(process.argv[2] ?? 'docs');
const release = (JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string }).version;
const files = {
  [resolve(docs, 'catalogue/asyncapi.json')]:
    `${JSON.stringify(catalogueAsyncApi({ version: release }), null, 2)}\n`,
  [resolve(docs, 'catalogue/events.schema.json')]: `${JSON.stringify(catalogueJsonSchema(), null, 2)}\n`,
  [resolve(docs, 'events.md')]: catalogueMarkdown(),
};
for (const [path, content] of Object.entries(files)) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote ${path}`);
}
