import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'migrations' },
  // process.env rather than env(): env() throws when the variable is unset, which would break
  // `prisma generate` (it needs no database) on machines and in CI without DATABASE_URL.
  datasource: { url: process.env.DATABASE_URL },
});
