import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { catalogueJsonSchema } from '../jsonSchema';

// Analysts and other county systems read the catalogue without our code: keep it as a file.
const out = resolve(process.argv[2] ?? 'docs/catalogue/events.schema.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(catalogueJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out}`);
