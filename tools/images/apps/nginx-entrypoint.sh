#!/bin/sh
# /docker-entrypoint.sh of localhost/canton-ha/nginx:1.22 (tools/images/apps): Debian's
# nginx-light with the official nginx image's entrypoint semantics: for `nginx ...`, run the
# executable /docker-entrypoint.d/*.sh first; then exec the command. Works as any uid: the
# logs it opens before reading its config are links to stdout/stderr, and pid and temp
# paths come from the config (components/lb/nginx.ts puts them under /tmp).
set -e
if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
  for f in /docker-entrypoint.d/*.sh; do
    [ -x "$f" ] || continue
    echo "$0: running $f"
    "$f"
  done
fi
exec "$@"
