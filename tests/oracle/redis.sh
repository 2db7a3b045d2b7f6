#!/bin/bash
# redis-server's background save: BGSAVE forks a child (from a threaded
# server, linked with jemalloc) that writes the whole data set to an RDB
# file and exits without exec; the server goes on answering meanwhile.
# On a loopback port, with its own directory in $T, driven by redis-cli:
# 100,000 keys, five background saves with writes between them, then a
# restart that loads the last RDB.  Natively, then with forksafe preloaded
# into the server and the client in the default mode, under
# FORKSAFE_FORK=auto and spawn (the save children never exec: they must
# stay real forks) and in the diagnostic mode; each step's outcome must be the
# native one.
. "$FS_SRCDIR/tests/oracle/lib.sh"
need redis-server "redis-server"
need redis-cli "redis-tools"

servers=$T/servers	# every server pid, killed at exit
: >"$servers"
at_exit 'for p in $(cat "$servers"); do kill -KILL "$p" 2>/dev/null; done'

# cli ARG...: redis-cli, in the mode, on the server's port.
cli() { in_mode "$mode" redis-cli -p "$port" "$@" </dev/null 2>&1; }
answers() { [ "$(cli ping)" = PONG ]; }
info() { cli info persistence | tr -d '\r' | sed -n "s/^$1://p"; }
saved() { [ "$(info rdb_bgsave_in_progress)" = 0 ] && [ "$(info rdb_saves)" -ge "$1" ] 2>/dev/null; }

# start: the server on a free port, loading what $D holds; sets port and
# server.
start() {
	local try
	for try in 1 2 3; do
		port=$(free_port)
		rm -f "$D/redis.log"
		mode_env "$mode"
		env "${menv[@]}" redis-server --port "$port" --bind 127.0.0.1 \
			--dir "$D" --dbfilename dump.rdb --logfile redis.log \
			--save '' --appendonly no --daemonize no \
			</dev/null >>"$D/server.out" 2>&1 &
		server=$!
		echo "$server" >>"$servers"
		wait_for 30 eval 'answers || ! pid_alive $server' && answers && return 0
		wait "$server" 2>/dev/null
		grep -q 'Address already in use' "$D/redis.log" 2>/dev/null || return 1
	done
	return 1
}

# stop: SHUTDOWN NOSAVE; the server's exit status.
stop() {
	cli shutdown nosave >/dev/null
	wait "$server"
	echo "server: exit status $?"
}

# scenario MODE: one line per step on stdout.
scenario() {
	mode=$1 D=$T/redis-$mode
	mkdir -p "$D" || exit 99
	if ! start; then echo "start: no server"; return; fi
	echo "start: answers"
	grep -q libforksafe "/proc/$server/maps" && touch "$D/module-loaded"
	cli eval "for i=1,100000 do redis.call('SET','k'..i,i) end" 0 >/dev/null
	echo "keys: $(cli dbsize)"
	local i
	for i in 1 2 3 4 5; do
		cli set "after$i" "$i" >/dev/null
		echo "bgsave $i: $(cli bgsave)"
		if wait_for 60 saved "$i"; then
			echo "bgsave $i: done, status $(info rdb_last_bgsave_status)"
		else
			echo "bgsave $i: not done"
		fi
	done
	echo "saves: $(info rdb_saves)"
	stop
	if ! start; then echo "restart: no server"; return; fi
	echo "restart: loaded $(cli dbsize) keys, after5=$(cli get after5)"
	stop
	if grep -E '(# |WARNING.*)(Background saving error|Crash|crashed|Fatal)' "$D/redis.log" >&2; then
		echo "log: errors"
	else
		echo "log: clean"
	fi
}

want='start: answers
keys: 100000
bgsave 1: Background saving started
bgsave 1: done, status ok
bgsave 2: Background saving started
bgsave 2: done, status ok
bgsave 3: Background saving started
bgsave 3: done, status ok
bgsave 4: Background saving started
bgsave 4: done, status ok
bgsave 5: Background saving started
bgsave 5: done, status ok
saves: 5
server: exit status 0
restart: loaded 100005 keys, after5=5
server: exit status 0
log: clean'

for m in native default auto spawn diag; do
	scenario "$m" >"$T/redis.$m.out" 2>"$T/redis.$m.err"
	echo 0 >"$T/redis.$m.status"
	if [ "$m" = native ]; then
		native_as "$want" redis "five background saves, then a restart loads the last" \
			"$T/redis-native/redis.log"
	else
		check "$m: the server runs with forksafe loaded" test -e "$T/redis-$m/module-loaded"
		like_native redis "$m" || show_tail "$T/redis-$m/redis.log"
	fi
done
finish
