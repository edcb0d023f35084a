#!/bin/bash
# Rendered by canton-ha: creates the Canton databases and their owners.
set -euo pipefail
[ -n "${CANTON_HA_PW_SEQUENCER:-}" ] || { echo "canton-ha: CANTON_HA_PW_SEQUENCER is empty" >&2; exit 1; }
[ -n "${CANTON_HA_PW_MEDIATOR:-}" ] || { echo "canton-ha: CANTON_HA_PW_MEDIATOR is empty" >&2; exit 1; }
[ -n "${CANTON_HA_PW_DOMAIN:-}" ] || { echo "canton-ha: CANTON_HA_PW_DOMAIN is empty" >&2; exit 1; }
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v pw_sequencer="$CANTON_HA_PW_SEQUENCER" \
  -v pw_mediator="$CANTON_HA_PW_MEDIATOR" \
  -v pw_domain="$CANTON_HA_PW_DOMAIN" <<'SQL'
CREATE ROLE "sequencer" LOGIN PASSWORD :'pw_sequencer';
CREATE DATABASE "sequencer" OWNER "sequencer";
REVOKE ALL ON DATABASE "sequencer" FROM PUBLIC;
CREATE ROLE "mediator" LOGIN PASSWORD :'pw_mediator';
CREATE DATABASE "mediator" OWNER "mediator";
REVOKE ALL ON DATABASE "mediator" FROM PUBLIC;
CREATE ROLE "domain" LOGIN PASSWORD :'pw_domain';
CREATE DATABASE "domain" OWNER "domain";
REVOKE ALL ON DATABASE "domain" FROM PUBLIC;
SQL
