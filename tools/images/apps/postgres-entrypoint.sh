#!/usr/bin/env bash
# docker-entrypoint.sh of localhost/canton-ha/postgres:15 (tools/images/apps): Debian's
# postgresql-15 behind the entrypoint semantics of the official postgres:15 image that the
# deployment relies on (components/postgres/render.ts):
#   - `docker-entrypoint.sh postgres <args>` (or `<args>` starting with '-'): as root, make
#     PGDATA (default /var/lib/postgresql/data) and /var/run/postgresql, hand them to
#     postgres (uid 999) and re-run itself through gosu; as any other user (Kubernetes
#     runAsUser 999, read-only root file system) skip the chown and the user switch;
#   - on an empty PGDATA: initdb with POSTGRES_USER (default postgres) and POSTGRES_PASSWORD
#     (or POSTGRES_HOST_AUTH_METHOD=trust), `host all all all <method>` appended to its
#     pg_hba.conf, a temporary server on the unix socket only (with the given args and
#     PGPORT) that runs /docker-entrypoint-initdb.d/* once (*.sh: run when executable, else
#     sourced; *.sql, *.sql.gz/.xz/.zst: psql), POSTGRES_DB created when not postgres;
#   - then exec the command (postgres with its args).
# VAR_FILE works for POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB, POSTGRES_INITDB_ARGS.
set -Eeo pipefail

file_env() { # <var> [default]: VAR, or the content of the file VAR_FILE names
  local var="$1" fileVar="${1}_FILE" def="${2:-}" val
  if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then echo "error: both $var and $fileVar are set" >&2; exit 1; fi
  val="$def"
  if [ -n "${!var:-}" ]; then val="${!var}"; elif [ -n "${!fileVar:-}" ]; then val="$(<"${!fileVar}")"; fi
  export "$var"="$val"
  unset "$fileVar"
}

psql_init() { psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"; }

process_init_files() {
  local f
  echo
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then echo "$0: running $f"; "$f"; else echo "$0: sourcing $f"; . "$f"; fi ;;
      *.sql) echo "$0: running $f"; psql_init --dbname "$POSTGRES_DB" -f "$f"; echo ;;
      *.sql.gz) echo "$0: running $f"; gunzip -c "$f" | psql_init --dbname "$POSTGRES_DB"; echo ;;
      *.sql.xz) echo "$0: running $f"; xzcat "$f" | psql_init --dbname "$POSTGRES_DB"; echo ;;
      *.sql.zst) echo "$0: running $f"; zstd -dc "$f" | psql_init --dbname "$POSTGRES_DB"; echo ;;
      *) echo "$0: ignoring $f" ;;
    esac
    echo
  done
}

wants_help() {
  local a
  for a; do case "$a" in -'?' | --help | --describe-config | -V | --version) return 0 ;; esac; done
  return 1
}

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

if [ "$1" = postgres ] && ! wants_help "$@"; then
  export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"

  mkdir -p "$PGDATA"
  chmod 00700 "$PGDATA" || :
  mkdir -p /var/run/postgresql || :
  chmod 03775 /var/run/postgresql 2>/dev/null || :
  if [ "$(id -u)" = 0 ]; then
    find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
    exec gosu postgres "${BASH_SOURCE[0]}" "$@"
  fi

  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
      echo "error: database is uninitialized and superuser password is not specified." >&2
      echo "  Set POSTGRES_PASSWORD to a non-empty value (or POSTGRES_HOST_AUTH_METHOD=trust)." >&2
      exit 1
    fi
    if ! getent passwd "$(id -u)" >/dev/null; then
      echo "error: uid $(id -u) has no /etc/passwd entry in this image (initdb needs one): run as 999 (postgres) or as root" >&2
      exit 1
    fi
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a word list, as in the official image
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
    method="${POSTGRES_HOST_AUTH_METHOD:-$(postgres -C password_encryption -D "$PGDATA" 2>/dev/null || echo scram-sha-256)}"
    { echo; [ "$method" != trust ] || echo '# warning: trust is enabled for all connections'; printf 'host all all all %s\n' "$method"; } >>"$PGDATA/pg_hba.conf"

    export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
    server_args=("${@:2}" -c "listen_addresses=" -p "${PGPORT:-5432}")
    PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -o "$(printf '%q ' "${server_args[@]}")" -w start
    if [ "$POSTGRES_DB" != postgres ]; then
      psql_init --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db" ;'
    fi
    process_init_files
    PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -m fast -w stop
    unset PGPASSWORD
    echo
    echo 'PostgreSQL init process complete; ready for start up.'
    echo
  else
    echo
    echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
    echo
  fi
fi

exec "$@"
