/* forksafe: the fd wrappers (src/fd): what they share with each other.
 *
 * Everything that creates, copies or closes an fd is wrapped here and
 * recorded in the fd table (core/fdtable.h); exec and the spawns make
 * the fds the new program is told about inheritable again (exec.c). */
#ifndef FS_FD_FD_H
#define FS_FD_FD_H

#include "core/core.h"

struct msghdr;
struct mmsghdr;

/* recvmsg/recvmmsg: clears the MSG_CMSG_CLOEXEC the kernel echoes in
 * msg_flags when forksafe added it (socket.c). */
void fs_hide_cmsg_cloexec(struct msghdr *msg, struct mmsghdr *vec, int n) FS_HIDDEN;
/* Records every fd that arrived in msg's SCM_RIGHTS messages (socket.c);
 * origin: the call that received them. */
void fs_record_rights(struct msghdr *msg, int forced, unsigned origin, uintptr_t site) FS_HIDDEN;

/* ---- exec and spawn (exec.c) ---- */
enum fs_release_kind {
	FS_REL_EXEC,	/* in the process about to exec (maybe a vfork child): no table writes */
	FS_REL_SPAWN,	/* in a parent around a spawn: counted, may run concurrently */
};
struct fs_newprog;
/* Makes the forced fds the new program is to get inheritable
 * (core/inherit.c says which), and back. */
void fs_release_refs(const struct fs_newprog *np, enum fs_release_kind kind) FS_HIDDEN;
void fs_restore_refs(const struct fs_newprog *np, enum fs_release_kind kind) FS_HIDDEN;

#endif
