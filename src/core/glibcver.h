/* forksafe: which version of a libc function the module binds to
 * (included in every file of the module, src/src.am).
 *
 * Every symbol version the module asks of libc is one more check the
 * dynamic loader makes at start-up in every process, and the versions
 * a new glibc gives to old names (GLIBC_2.34 for what moved from
 * libpthread, librt and libdl; 2.32 for pthread_sigmask, 2.17 for
 * clock_gettime, 2.14 for memcpy) would cost four of them.  On x86_64
 * glibc keeps these names under their first version, GLIBC_2.2.5, as
 * the same function (the same address in libc.so.6), except memcpy,
 * whose GLIBC_2.2.5 symbol is memmove: as correct, for a copy of a few
 * bytes as fast.  The names the module wraps are never listed here.
 * This header is read before any other: it includes none.
 * Other architectures keep the linker's default versions. */
#ifndef FS_CORE_GLIBCVER_H
#define FS_CORE_GLIBCVER_H

#if defined(__x86_64__) && defined(__linux__)
#define FS_BASE_VERSION(name) __asm__(".symver " #name "," #name "@GLIBC_2.2.5");
FS_BASE_VERSION(memcpy)
FS_BASE_VERSION(clock_gettime)
FS_BASE_VERSION(pthread_sigmask)
FS_BASE_VERSION(sem_init)
FS_BASE_VERSION(sem_destroy)
FS_BASE_VERSION(sem_post)
FS_BASE_VERSION(sem_timedwait)
FS_BASE_VERSION(dladdr)
FS_BASE_VERSION(dlsym)
FS_BASE_VERSION(dlvsym)
FS_BASE_VERSION(pthread_mutex_trylock)
FS_BASE_VERSION(pthread_rwlock_tryrdlock)
FS_BASE_VERSION(pthread_rwlock_trywrlock)
#undef FS_BASE_VERSION

/* gettid (GLIBC_2.30) is one system call: the module makes it itself
 * (core/log.c), which needs no version. */
#define gettid fs_gettid
int fs_gettid(void) __attribute__((visibility("hidden")));
#endif

#endif
