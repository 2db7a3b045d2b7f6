/* forksafe: stdio entry points that open files.  glibc opens these
 * through internal aliases a wrapped open never sees, so the outer
 * functions are wrapped: fopen and popen take 'e' in their mode. */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/inherit.h"
#include "diag/diag.h"
#include "fd/fd.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <paths.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The stream's fd, or -1: glibc's FILE is struct _IO_FILE, whose
 * _fileno is -1 when no fd is open (fmemopen, open_memstream).  Read
 * directly: fileno_unlocked is a call, and sets errno for those. */
static inline int stream_fd(FILE *f)
{
	return f ? f->_fileno : -1;
}

/* After fopen with a mode that cannot take 'e' (its flag characters are
 * all used): libc offers no atomic way there, so the flag is set right
 * after.  A fork+exec in another thread between the two calls could
 * still inherit the fd. */
static void cloexec_after(int fd)
{
	int saved = errno;
	REAL(fcntl)(fd, F_SETFD, FD_CLOEXEC);
	errno = saved;
}

/* The common modes, "r" "w" "a" alone or with one 'b' or '+', with 'e'
 * added; NULL for any other mode (fopen_mode handles it).  One switch
 * on the first two bytes. */
static inline const char *common_mode_e(const char *mode)
{
#define KEY(a, b) ((unsigned)(a) | (unsigned)(b) << 8)
	unsigned key;

	if (FS_LIKELY(mode[0] == 'r' && !mode[1]))	/* the commonest, first */
		return "re";
	if (!mode[0])
		return NULL;
	key = KEY((unsigned char)mode[0], (unsigned char)mode[1]);
	if (mode[1] && mode[2])
		return NULL;
	switch (key) {
	case KEY('r', 0): return "re";
	case KEY('w', 0): return "we";
	case KEY('a', 0): return "ae";
	case KEY('r', 'b'): return "rbe";
	case KEY('w', 'b'): return "wbe";
	case KEY('a', 'b'): return "abe";
	case KEY('r', '+'): return "r+e";
	case KEY('w', '+'): return "w+e";
	case KEY('a', '+'): return "a+e";
	default: return NULL;
	}
#undef KEY
}

/* The mode to open with; *forced set when forksafe adds the flag. */
static const char *fopen_mode(const char *mode, char *buf, size_t n, int *forced, int *late)
{
	const char *m;

	*forced = *late = 0;
	if (!fs_forcing || !mode)
		return mode;
	if ((m = common_mode_e(mode))) {
		*forced = 1;
		return m;
	}
	m = fs_mode_add_e(mode, buf, n);
	if (!m) {
		*late = 1;
		return mode;
	}
	*forced = (m != mode);
	return m;
}

static FILE *fopen_core(FILE *(*real)(const char *, const char *), const char *path,
			const char *mode, unsigned origin, uintptr_t site)
{
	char buf[64];
	int forced, late;
	FILE *f;

	fs_ensure_init();
	f = real(path, fopen_mode(mode, buf, sizeof buf, &forced, &late));
	if (f) {
		if (late)
			cloexec_after(stream_fd(f));
		fs_fd_created(stream_fd(f), origin, forced || late, site);
	}
	return f;
}

/* The common case inline: bound (so start-up is done), forcing, a
 * common mode, an fd of the fast range.  Everything else out of line,
 * so the common case needs no stack frame of its own. */
__attribute__((noinline)) static FILE *fopen_slow(enum fs_call_id id, const char *path,
						  const char *mode, uintptr_t site)
{
	return fopen_core((FILE *(*)(const char *, const char *))fs_bind_get(id), path, mode,
			  FS_ID_fopen, site);
}

__attribute__((noinline)) static FILE *fopen_made(FILE *f, uintptr_t site)
{
	if (f)
		fs_fd_created_slow(stream_fd(f), FS_ID_fopen, 1, site);
	return f;
}

#define FOPEN_WRAPPER(name) \
	FS_EXPORT FILE *name(const char *path, const char *mode) \
	{ \
		union { void *obj; FILE *(*fn)(const char *, const char *); } real = { \
			.obj = __atomic_load_n(&fs_real.name.obj, __ATOMIC_ACQUIRE) }; \
		const char *m; \
		FILE *f; \
		int fd; \
		if (FS_UNLIKELY(!real.obj || !fs_forcing || !mode || \
				!(m = common_mode_e(mode)))) \
			return fopen_slow(FS_ID_##name, path, mode, FS_SITE()); \
		f = real.fn(path, m); \
		if (FS_UNLIKELY(!f || !fs_fd_fast(fd = f->_fileno, __ATOMIC_ACQUIRE))) \
			return fopen_made(f, FS_SITE()); \
		fs_fd_made_fast(fd, FS_ID_fopen, FS_META_FORCED); \
		return f; \
	}
FOPEN_WRAPPER(fopen)
FOPEN_WRAPPER(fopen64)

/* freopen keeps the stream's fd number (glibc dup3s onto it), so a
 * stream on fd 0-2 is never given the flag (rule 1). */
static FILE *freopen_core(FILE *(*real)(const char *, const char *, FILE *), const char *path,
			  const char *mode, FILE *stream, uintptr_t site)
{
	char buf[64];
	int forced = 0, late = 0, oldfd;
	const char *m = mode;
	FILE *f;

	fs_ensure_init();
	oldfd = stream_fd(stream);
	if (oldfd < 0 || oldfd > 2)
		m = fopen_mode(mode, buf, sizeof buf, &forced, &late);
	f = real(path, m, stream);
	if (f) {
		if (late)
			cloexec_after(stream_fd(f));
		fs_fd_created(stream_fd(f), FS_ID_freopen, forced || late, site);
	}
	return f;
}

FS_EXPORT FILE *freopen(const char *path, const char *mode, FILE *stream)
{
	return freopen_core(REAL(freopen), path, mode, stream, FS_SITE());
}

FS_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
	return freopen_core(REAL(freopen64), path, mode, stream, FS_SITE());
}

/* tmpfile: glibc's opens without close-on-exec and has no flag to ask
 * for it, so forksafe makes the file the way glibc does (stdio-common/
 * tmpfile.c: an O_TMPFILE file in P_tmpdir, else a unique name in /tmp
 * unlinked at once), with O_CLOEXEC, and wraps it with fdopen. */
static int tmpfile_fd(void)
{
	int fd = REAL(open)(P_tmpdir, O_RDWR | O_TMPFILE | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
	if (fd >= 0)
		return fd;
	char name[] = P_tmpdir "/tmpfXXXXXX";
	fd = REAL(mkostemp)(name, O_CLOEXEC);
	if (fd >= 0)
		unlink(name);
	return fd;
}

static FILE *tmpfile_core(uintptr_t site)
{
	FILE *f;
	int fd;

	fs_ensure_init();
	if (!fs_forcing) {
		f = REAL(tmpfile)();
		if (f)
			fs_fd_created(stream_fd(f), FS_ID_tmpfile, 0, site);
		return f;
	}
	if ((fd = tmpfile_fd()) < 0)
		return NULL;
	if (!(f = REAL(fdopen)(fd, "w+b"))) {
		int saved = errno;
		REAL(close)(fd);
		errno = saved;
		return NULL;
	}
	fs_fd_created(fd, FS_ID_tmpfile, 1, site);
	return f;
}

FS_EXPORT FILE *tmpfile(void)
{
	return tmpfile_core(FS_SITE());
}

FS_EXPORT FILE *tmpfile64(void)
{
	return tmpfile_core(FS_SITE());
}

/* popen: glibc clears close-on-exec on the caller's end unless the mode
 * has 'e'.  The command runs under /bin/sh -c, so fds it names are
 * released for the spawn (rule 6). */
FS_EXPORT FILE *popen(const char *command, const char *mode)
{
	char buf[16];
	const char *m = mode;
	FILE *(*real)(const char *, const char *) = REAL(popen);
	char *argv[] = { "sh", "-c", (char *)command, NULL };
	extern char **environ;
	struct fs_newprog np = { argv, environ, NULL, 0 };
	int forced = 0;
	FILE *f;

	fs_ensure_init();
	if (fs_forcing && mode && (m = fs_popen_mode_add_e(mode, buf, sizeof buf)) == NULL)
		m = mode;
	forced = (m != mode);
	fs_release_refs(&np, FS_REL_SPAWN);
	if (FS_UNLIKELY(fs_cfg.diag))
		fs_audit_exec("popen", "/bin/sh", &np, FS_SITE());
	f = real(command, m);
	int saved = errno;
	fs_restore_refs(&np, FS_REL_SPAWN);
	fs_inherit_handed_over();
	if (f)
		fs_fd_created(stream_fd(f), FS_ID_popen, forced, FS_SITE());
	errno = saved;
	return f;
}

/* fclose, pclose and closedir close their fd inside libc, where the
 * close wrapper cannot see it: the table entry is cleared here, before
 * the number is free again (see close in wrap_fd.c). */
__attribute__((noinline)) static int fclose_slow(FILE *stream)
{
	int (*real)(FILE *) = REAL(fclose);

	fs_fd_closed(stream_fd(stream));
	return real(stream);
}

/* The common case frameless, as close: bound, a stream on an fd of the
 * fast range; then a tail call to libc's fclose. */
FS_EXPORT int fclose(FILE *stream)
{
	union { void *obj; int (*fn)(FILE *); } real = {
		.obj = __atomic_load_n(&fs_real.fclose.obj, __ATOMIC_ACQUIRE)
	};

	int fd;

	if (FS_LIKELY(real.obj && stream && fs_fd_fast(fd = stream->_fileno, __ATOMIC_ACQUIRE))) {
		fs_fd_forget_fast(fd);
		return real.fn(stream);
	}
	return fclose_slow(stream);
}

FS_EXPORT int pclose(FILE *stream)
{
	int (*real)(FILE *) = REAL(pclose);
	int fd = stream_fd(stream);

	fs_fd_closed(fd);
	return real(stream);
}

FS_EXPORT int closedir(DIR *dir)
{
	int (*real)(void *) = REAL(closedir);
	int fd = dirfd(dir);

	fs_fd_closed(fd);
	return real(dir);
}
