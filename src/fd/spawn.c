/* forksafe: spawns.  posix_spawn, posix_spawnp and system create the
 * child inside libc (CLONE_VM|CLONE_VFORK) and it execs at once, so the
 * fds the new program is told about are released in the parent for the
 * duration of the call (counted per fd: threads may spawn at once).
 *
 * posix_spawn and posix_spawnp have two versions in glibc (GLIBC_2.2.5,
 * which also runs ENOEXEC files through /bin/sh, and GLIBC_2.15): each
 * of ours forwards to the same version of libc's. */
#include "config.h"
#include "core/core.h"
#include "diag/diag.h"
#include "fd/fd.h"
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>

extern char **environ;

typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[], char *const[]);

static int spawn_core(spawn_fn real, const char *via, pid_t *pid, const char *path,
		      const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
		      char *const argv[], char *const envp[], uintptr_t site)
{
	int r;

	fs_ensure_init();
	fs_bind_all();
	fs_release_refs(argv, envp ? envp : environ, NULL, 0, FS_REL_SPAWN);
	/* What the child inherits before its file actions run. */
	if (FS_UNLIKELY(fs_cfg.diag))
		fs_audit_exec(via, path, argv, envp ? envp : environ, site);
	r = real(pid, path, fa, attr, argv, envp);
	fs_restore_refs(argv, envp ? envp : environ, NULL, 0, FS_REL_SPAWN);
	return r;
}

FS_EXPORT int fs_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn_core(REAL(posix_spawn), "posix_spawn", pid, path, fa, attr, argv, envp,
			  FS_SITE());
}

FS_EXPORT int fs_posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
		    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn_core(REAL(posix_spawnp), "posix_spawnp", pid, file, fa, attr, argv, envp,
			  FS_SITE());
}

FS_EXPORT int fs_posix_spawn_compat(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn_core(REAL(posix_spawn_compat), "posix_spawn", pid, path, fa, attr, argv, envp,
			  FS_SITE());
}

FS_EXPORT int fs_posix_spawnp_compat(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn_core(REAL(posix_spawnp_compat), "posix_spawnp", pid, file, fa, attr, argv, envp,
			  FS_SITE());
}

__asm__(".symver fs_posix_spawn, posix_spawn@@GLIBC_2.15");
__asm__(".symver fs_posix_spawnp, posix_spawnp@@GLIBC_2.15");
__asm__(".symver fs_posix_spawn_compat, posix_spawn@GLIBC_2.2.5");
__asm__(".symver fs_posix_spawnp_compat, posix_spawnp@GLIBC_2.2.5");

/* system runs "/bin/sh -c command" through glibc's internal spawn. */
FS_EXPORT int system(const char *command)
{
	int (*real)(const char *) = REAL(system);
	char *argv[] = { "sh", "-c", (char *)command, NULL };
	int r, saved;

	fs_ensure_init();
	fs_bind_all();
	if (!command)
		return real(command);
	fs_release_refs(argv, environ, NULL, 0, FS_REL_SPAWN);
	if (FS_UNLIKELY(fs_cfg.diag))
		fs_audit_exec("system", "/bin/sh", argv, environ, FS_SITE());
	r = real(command);
	saved = errno;
	fs_restore_refs(argv, environ, NULL, 0, FS_REL_SPAWN);
	errno = saved;
	return r;
}
