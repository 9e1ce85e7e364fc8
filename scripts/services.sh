# Sourced by scripts/test.sh: PostgreSQL and Redis on loopback for the service tests. The
# machine's own when they answer (127.0.0.1:5432, :6379); otherwise throwaway instances
# under a temporary directory, stopped when the calling shell exits. Exports
# PHISHLOOP_TEST_POSTGRES (a server URL without database) and PHISHLOOP_TEST_REDIS.

_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
_services_dir=""
_stop_services() {
  [ -n "$_services_dir" ] || return 0
  [ -f "$_services_dir/redis.pid" ] && kill "$(cat "$_services_dir/redis.pid")" 2>/dev/null
  [ -d "$_services_dir/pg" ] && su postgres -c "$PG_BIN/pg_ctl -D $_services_dir/pg -m fast stop" >/dev/null 2>&1
  rm -rf "$_services_dir"
}
trap _stop_services EXIT

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
pg_port=5432 redis_port=6379
if ! _answers "$pg_port" || ! _answers "$redis_port"; then
  _services_dir=$(mktemp -d /tmp/phishloop-services.XXXXXX)
  chmod 755 "$_services_dir"
fi
if ! _answers "$pg_port"; then
  pg_port=55432
  chown postgres "$_services_dir" 2>/dev/null || true
  run_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$*"; else sh -c "$*"; fi; }
  run_pg "$PG_BIN/initdb -D $_services_dir/pg -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8" >/dev/null
  run_pg "$PG_BIN/pg_ctl -D $_services_dir/pg -l $_services_dir/pg.log -w -o \"-p $pg_port -k $_services_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null
fi
if ! _answers "$redis_port"; then
  redis_port=56379
  redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --dir "$_services_dir" \
    --save '' --appendonly no --pidfile "$_services_dir/redis.pid" --logfile "$_services_dir/redis.log"
  for _ in $(seq 50); do _answers "$redis_port" && break; sleep 0.1; done
fi
export PHISHLOOP_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$pg_port"
export PHISHLOOP_TEST_REDIS="redis://127.0.0.1:$redis_port"
