/* forksafe: naming code addresses for reports. */
#ifndef FS_SYMBOLIZE_H
#define FS_SYMBOLIZE_H
#include <stdint.h>
#include "fs_parse.h"
/* For a return address (a caller, a backtrace frame).
 * Appends "func+0x1c (libfoo.so.1)" for pc, or "libfoo.so.1+0x1234" when
 * no symbol covers it, or "0x7f..." when pc is in no loaded object.
 * Returns 1 if a symbol was found, 0 otherwise. */
int fs_symbolize(uintptr_t pc, struct fs_sbuf *out) __attribute__((visibility("hidden")));
/* The same for the address of an instruction or a function's start (an
 * atfork handler, an interrupted instruction). */
int fs_symbolize_code(uintptr_t pc, struct fs_sbuf *out) __attribute__((visibility("hidden")));
/* Appends "func+0x1c" for addr (as the file's symbols see it) from the
 * symbol tables of the ELF file at path; returns 0 when none covers it
 * or the file is not a readable ELF64 file. */
int fs_symbolize_file(const char *path, uint64_t addr, struct fs_sbuf *out) __attribute__((visibility("hidden")));
#endif
