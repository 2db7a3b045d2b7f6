#!/bin/bash
# nginx's master/worker life cycle on a loopback port, with its own
# prefix and configuration in $T: start (a daemon master and two
# workers), a configuration reload (SIGHUP: new workers, the listening
# socket kept), and a binary upgrade (SIGUSR2: the master runs a new
# nginx, handing it the listening sockets by number in the environment,
# NGINX="6;7;"; then SIGQUIT to the old master), while a client keeps
# asking: no request may fail at any point.  Natively, then with forksafe
# preloaded (the new master inherits the module) in the default mode, the
# diagnostic mode and under FORKSAFE_FORK=auto and spawn (nginx forks
# from one thread: nothing is redirected); each step's outcome must be
# the native one.
. "$FS_SRCDIR/tests/oracle/lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || skip "nginx is not installed"
need curl

# The binary upgrade runs argv[0] again: the absolute path.
masters=$T/masters	# every master pid seen, killed at exit
: >"$masters"
at_exit 'for p in $(cat "$masters"); do kill -KILL "$p" 2>/dev/null; done'

# get PORT: the body of GET / (a worker's "hello GEN PID").
get() { curl -sS --max-time 5 "http://127.0.0.1:$1/" 2>&1; }
# serves PORT WORD: the answer is from a worker of generation WORD.
serves() { [[ $(get "$1") == "hello $2 "* ]]; }
# master_of PORT: the parent of the worker that answers.
master_of() {
	local body pid
	body=$(get "$1") || return 1
	pid=${body##* }
	awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null
}
pidfile_is() { [ "$(cat "$P/nginx.pid" 2>/dev/null)" = "$1" ]; }
gone() { ! pid_alive "$1"; }

# conf GEN: the configuration, answering "hello GEN WORKER-PID".  nginx
# hands the new binary of an upgrade only the environment variables its
# configuration names: forksafe's, so that the new master runs with it
# as a user would have it run.
conf() {
	cat >"$P/conf/nginx.conf" <<EOF
worker_processes 2;
env LD_PRELOAD;
env FORKSAFE_DIAG;
env FORKSAFE_LOG;
env FORKSAFE_FORK;
pid nginx.pid;
error_log logs/error.log notice;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path tmp/body;
	proxy_temp_path tmp/proxy;
	fastcgi_temp_path tmp/fastcgi;
	uwsgi_temp_path tmp/uwsgi;
	scgi_temp_path tmp/scgi;
	default_type text/plain;
	server {
		listen 127.0.0.1:$port;
		location / { return 200 "hello $1 \$pid\n"; }
	}
}
EOF
}

# scenario MODE: the whole life cycle; one line per step on stdout.
scenario() {
	local mode=$1 try master new old pids
	P=$T/nginx-$mode
	mkdir -p "$P/conf" "$P/logs" "$P/tmp" || exit 99
	for try in 1 2 3; do
		port=$(free_port)
		conf one
		rm -f "$P/logs/error.log"
		in_mode "$mode" "$NGINX" -p "$P/" -c conf/nginx.conf -e logs/error.log \
			</dev/null >"$P/start.out" 2>&1
		wait_for 30 test -s "$P/nginx.pid" && break
		grep -q 'Address already in use' "$P/logs/error.log" 2>/dev/null || break
	done
	master=$(cat "$P/nginx.pid" 2>/dev/null)
	[ -n "$master" ] || { echo "start: no master"; return; }
	echo "$master" >>"$masters"
	if wait_for 30 serves "$port" one; then echo "start: serves"; else echo "start: does not serve"; fi

	# A client asking all along, each request on a new connection.
	: >"$P/client.log"
	(
		while [ ! -e "$P/client.stop" ]; do
			if body=$(get "$port") && [[ $body == "hello "* ]]; then
				echo ok
			else
				echo "failed: $body"
			fi
		done >>"$P/client.log"
	) &
	local client=$!
	at_exit "kill $client 2>/dev/null"
	wait_for 30 grep -q ok "$P/client.log"

	# Reload: the new configuration's workers answer, the old ones leave.
	pids=$(pgrep -P "$master" | sort)
	conf two
	kill -HUP "$master"
	if wait_for 30 serves "$port" two; then echo "reload: new workers serve"; else echo "reload: no new workers"; fi
	old_gone() { local p; for p in $pids; do pid_alive "$p" && return 1; done; return 0; }
	if wait_for 30 old_gone; then echo "reload: old workers left"; else echo "reload: old workers stay"; fi

	# Binary upgrade: a new master, its workers answer, the old master
	# quits and the new one serves alone.
	conf three
	kill -USR2 "$master"
	if wait_for 30 test -s "$P/nginx.pid.oldbin" && wait_for 30 eval '! pidfile_is "$master" && test -s "$P/nginx.pid"'; then
		new=$(cat "$P/nginx.pid")
		echo "$new" >>"$masters"
		echo "upgrade: new master started"
		grep -q libforksafe "/proc/$new/maps" && touch "$P/module-in-new-master"
	else
		new=
		echo "upgrade: no new master"
	fi
	if [ -n "$new" ] && wait_for 30 eval '[ "$(master_of "$port")" = "$new" ]'; then
		echo "upgrade: new master's workers serve"
	else
		echo "upgrade: new master's workers do not serve"
	fi
	if [ -n "$new" ]; then
		kill -QUIT "$master"
		if wait_for 30 gone "$master"; then echo "upgrade: old master quit"; else echo "upgrade: old master stays"; fi
		if serves "$port" three && [ "$(master_of "$port")" = "$new" ]; then
			echo "upgrade: new master serves alone"
		else
			echo "upgrade: new master does not serve alone"
		fi
		master=$new
	fi

	touch "$P/client.stop"
	wait "$client"
	echo "client: $(grep -c '^ok' "$P/client.log" | sed 's/^[1-9][0-9]*$/some/') answered, $(grep -vc '^ok' "$P/client.log") failed"

	kill -QUIT "$master"
	if wait_for 30 gone "$master"; then echo "stop: master exited"; else echo "stop: master stays"; fi
	if grep -E '\[(emerg|alert|crit)\]' "$P/logs/error.log" >&2; then
		echo "error log: emerg, alert or crit"
	else
		echo "error log: clean"
	fi
}

want='start: serves
reload: new workers serve
reload: old workers left
upgrade: new master started
upgrade: new master'"'"'s workers serve
upgrade: old master quit
upgrade: new master serves alone
client: some answered, 0 failed
stop: master exited
error log: clean'

for mode in native default diag auto spawn; do
	scenario "$mode" >"$T/nginx.$mode.out" 2>"$T/nginx.$mode.err"
	echo 0 >"$T/nginx.$mode.status"
	note "$mode: $(grep -c '^ok' "$P/client.log") requests answered"
	if [ $mode = native ]; then
		native_as "$want" nginx \
			"nginx started, reloaded, upgraded and stopped, serving throughout" \
			"$P/logs/error.log"
	else
		check "$mode: the new master runs with forksafe loaded" test -e "$P/module-in-new-master"
		like_native nginx "$mode" || show_tail "$P/logs/error.log"
	fi
done
finish
