#!/usr/bin/env bash
# A private PostgreSQL cluster for tests: `start DIR` makes one in DIR (as the postgres user when run as
# root, else as the caller; on a free loopback port; trust authentication, loopback only) and prints its
# URL; `stop DIR` stops it. fsync is off (tests), unless POSTGRES_FSYNC=on (benchmarks). Nothing outside DIR is touched, whatever clusters the machine runs.
set -euo pipefail
command="${1:?usage: postgres-cluster.sh start|stop DIR}"
dir="${2:?usage: postgres-cluster.sh start|stop DIR}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        # The server runs as postgres: it must be able to reach DIR through its parents.
        parent="$(dirname "$(readlink -f "$dir")")"
        while [ "$parent" != / ]; do chmod o+x "$parent"; parent="$(dirname "$parent")"; done
    fi
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=${POSTGRES_FSYNC:-off} -c max_connections=300" start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    ;;
stop)
    [ -d "$dir/data" ] && as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
*)
    echo "usage: postgres-cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
