#!/bin/sh
# docker-entrypoint.sh of localhost/canton-ha/haproxy:2.6 (tools/images/apps): Debian's
# haproxy 2.6 with the official haproxy image's entrypoint semantics: options alone run
# haproxy with them; `haproxy ...` runs in master-worker mode in the foreground (-W -db).
set -e
if [ "${1#-}" != "$1" ]; then set -- haproxy "$@"; fi
if [ "$1" = haproxy ]; then
  shift
  set -- haproxy -W -db "$@"
fi
exec "$@"
