#!/bin/sh
# `npm run build` (so `npm start`): the admin console is rebuilt only when one of
# its inputs (admin/, package-lock.json) is newer than its last build. The quick
# check is by file dates (find, a few ms: no Node start, so an unchanged console
# adds nothing measurable to `npm start`); when something is newer,
# scripts/admin-build.js compares the inputs' content and builds only if it
# changed. Folders count too: a deleted file changes its folder's date.
cd "$(dirname "$0")/.." || exit 1
stamp=dist/admin/.build-fingerprint
if [ -f "$stamp" ] && [ -f dist/admin/index.html ] && [ -z "$(find admin package-lock.json -newer "$stamp" 2>/dev/null | head -n 1)" ]; then
  exit 0
fi
exec node scripts/admin-build.js "$@"
