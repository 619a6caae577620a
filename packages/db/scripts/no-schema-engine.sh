#!/bin/sh
# Stand-in for Prisma's native schema engine (see scripts/generate.mjs): the real one cannot be
# downloaded offline. Anything that actually tries to run it lands here.
echo "The native Prisma schema engine is not installed (offline machine)." >&2
echo "Migrations: pnpm --filter @duban/db migration:new <name>; applying: migrate() from @duban/db." >&2
exit 1
