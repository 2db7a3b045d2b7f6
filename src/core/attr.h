/* forksafe: attributes and small macros every file of the module uses.
 *
 * Everything in the module has hidden visibility (-fvisibility=hidden);
 * FS_EXPORT marks the wrapped libc names, the only exported symbols. */
#ifndef FS_CORE_ATTR_H
#define FS_CORE_ATTR_H

#include <stdint.h>

#define FS_EXPORT __attribute__((visibility("default")))
#define FS_HIDDEN __attribute__((visibility("hidden")))

/* A ThreadSanitizer build of the module (the sanitizer runs of the test
 * suite): see fork/atfork.c and fork/spawnfork.c for what it changes. */
#if defined(__SANITIZE_THREAD__)
#define FS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FS_TSAN 1
#endif
#endif

/* An AddressSanitizer build (the sanitizer runs of the test suite), and
 * the attribute for code that reads or writes memory the sanitizer must
 * not check: another frame's stack, another object's pages. */
#if defined(__SANITIZE_ADDRESS__)
#define FS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FS_ASAN 1
#endif
#endif
#if defined(FS_ASAN)
#define FS_NO_ASAN __attribute__((no_sanitize_address))
#else
#define FS_NO_ASAN
#endif

/* Data that start-up or exit writes in every process: placed in .data,
 * in the page the loader writes anyway (.got.plt is on it), instead of
 * faulting in a page of .bss of its own. */
#define FS_START_DATA __attribute__((section(".data.fs_start")))

#define FS_LIKELY(x) __builtin_expect(!!(x), 1)
#define FS_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* The return address of the exported wrapper: the call site reported. */
#define FS_SITE() ((uintptr_t)__builtin_return_address(0))
/* The shared cores of the wrappers: inlined, so each wrapper is one
 * short function on the path of every call. */
#define FS_CORE static inline __attribute__((always_inline))

#endif
