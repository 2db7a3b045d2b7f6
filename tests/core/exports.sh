#!/bin/bash
# The module exports only the libc names it wraps: no helper of its own
# leaks into the programs it is loaded into.
set -u
command -v nm >/dev/null || { echo "SKIP: nm not installed"; exit 77; }
bad=$(nm -D --defined-only "$FORKSAFE_SO" | awk '{print $3}' | sed 's/@.*//' |
	grep -v -x -E '(_+)?(open|open64|openat|openat64|creat|creat64|open_2|open64_2|openat_2|openat64_2|open_by_handle_at|fopen|fopen64|freopen|freopen64|tmpfile|tmpfile64|popen|pclose|fclose|closedir|mk(o)?stemps?(64)?|socket|socketpair|accept|accept4|recvmsg|recvmmsg|dup|dup2|dup3|fcntl|fcntl64|ioctl|close|close_range|closefrom|pipe|pipe2|epoll_create|epoll_create1|eventfd|signalfd|timerfd_create|inotify_init|inotify_init1|fanotify_init|memfd_create|fsopen|fsmount|open_tree|posix_openpt|getpt|openpty|forkpty|syscall|exec(l|lp|le|v|vp|vpe|ve|veat)|fexecve|posix_spawnp?|system|fork|Fork|daemon|pthread_create|register_atfork|pthread_atfork|cxa_finalize|pthread_mutex_(timed|clock)?lock|pthread_rwlock_(timed|clock)?(rd|wr)lock|sigaction|signal|exit|(secure_)?getenv|setenv|unsetenv|putenv|clearenv|set(e|re|res)?[ug]id|setgroups|GLIBC_2\.2\.5|GLIBC_2\.15)')
if [ -n "$bad" ]; then
	echo "FAIL: unexpected exports:"; echo "$bad"; exit 1
fi
echo "ok: $(nm -D --defined-only "$FORKSAFE_SO" | wc -l) exported symbols, all wrapped libc names"
if [ -n "${FS_SANITIZE:-}" ]; then
	echo "note: sanitizer build ($FS_SANITIZE): its runtimes are dependencies; not checked"
	exit 0
fi
ldd "$FORKSAFE_SO" | grep -v -E 'libc\.so|libdl\.so|ld-linux|linux-vdso' && { echo "FAIL: unexpected dependency"; exit 1; }
echo "ok: depends on libc only"
