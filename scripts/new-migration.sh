#!/usr/bin/env bash
# `npm run db:migration -- <name>`: write the SQL that takes the existing migrations to prisma/schema.prisma
# into a new migration folder. Uses a shadow database on DATABASE_URL's server (real PostgreSQL, not PGlite).
set -euo pipefail
name=${1:?usage: npm run db:migration -- <name>}
[[ $name =~ ^[a-z0-9_]+$ ]] || { echo "migration name: lowercase letters, digits and _ only" >&2; exit 2; }
: "${DATABASE_URL:=postgresql://postgres@127.0.0.1:5432/postgres}"
export DATABASE_URL
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_$name"
sql=$(npx prisma migrate diff --from-migrations prisma/migrations --to-schema-datamodel prisma/schema.prisma --script 2>/dev/null)
if grep -q "This is an empty migration" <<<"$sql"; then echo "schema.prisma matches the migrations: nothing to write"; exit 0; fi
mkdir -p "$dir" && printf '%s\n' "$sql" > "$dir/migration.sql" && echo "wrote $dir/migration.sql"
