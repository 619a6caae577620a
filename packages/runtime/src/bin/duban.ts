import { cliMain } from '../cli';

await cliMain(process.argv.slice(2));
