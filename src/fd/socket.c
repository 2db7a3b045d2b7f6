/* forksafe: sockets, and fds received over them (SCM_RIGHTS). */
#include "config.h"
#include "core/core.h"
#include "core/fdtable.h"
#include "core/inherit.h"
#include "fd/fd.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

FS_CORE int socket_core(int (*real)(int, int, int), int domain, int type, int protocol,
			uintptr_t site)
{
	unsigned add = (unsigned)fs_force(type, SOCK_CLOEXEC);
	int fd = real(domain, type | (int)add, protocol);
	return fs_fd_made(fd, FS_ID_socket, fs_forced_meta(add, SOCK_CLOEXEC), site);
}

__attribute__((noinline)) static int socket_slow(int domain, int type, int protocol,
						 uintptr_t site)
{
	fs_ensure_init();
	return socket_core(REAL(socket), domain, type, protocol, site);
}

FS_EXPORT int socket(int domain, int type, int protocol)
{
	if (FS_FAST(socket))
		return socket_core(fs_real.socket.fn, domain, type, protocol, 0);
	return socket_slow(domain, type, protocol, FS_SITE());
}

FS_EXPORT int socketpair(int domain, int type, int protocol, int sv[2])
{
	int (*real)(int, int, int, int *) = REAL(socketpair);
	int add, r;

	fs_ensure_init();
	add = fs_force(type, SOCK_CLOEXEC);
	r = real(domain, type | add, protocol, sv);
	if (r == 0) {
		fs_fd_created(sv[0], FS_ID_socketpair, add != 0, FS_SITE());
		fs_fd_created(sv[1], FS_ID_socketpair, add != 0, FS_SITE());
		if (add)
			fs_inherit_note_pair(sv);
	}
	return r;
}

/* accept is accept4 with no flags (accept4(2)), so the flag can be
 * passed atomically. */
FS_CORE int accept_core(int (*real)(int, struct sockaddr *, socklen_t *, int), int sockfd,
			struct sockaddr *addr, socklen_t *len, int flags, uintptr_t site)
{
	unsigned add = (unsigned)fs_force(flags, SOCK_CLOEXEC);
	int fd = real(sockfd, addr, len, flags | (int)add);
	return fs_fd_made(fd, FS_ID_accept, fs_forced_meta(add, SOCK_CLOEXEC), site);
}

__attribute__((noinline)) static int accept_slow(int sockfd, struct sockaddr *addr,
						 socklen_t *len, int flags, uintptr_t site)
{
	fs_ensure_init();
	return accept_core(REAL(accept4), sockfd, addr, len, flags, site);
}

FS_EXPORT int accept(int sockfd, struct sockaddr *addr, socklen_t *len)
{
	if (FS_FAST(accept4))
		return accept_core(fs_real.accept4.fn, sockfd, addr, len, 0, 0);
	return accept_slow(sockfd, addr, len, 0, FS_SITE());
}

FS_EXPORT int accept4(int sockfd, struct sockaddr *addr, socklen_t *len, int flags)
{
	if (FS_FAST(accept4))
		return accept_core(fs_real.accept4.fn, sockfd, addr, len, flags, 0);
	return accept_slow(sockfd, addr, len, flags, FS_SITE());
}

void fs_record_rights(struct msghdr *msg, int forced, unsigned origin, uintptr_t site)
{
	struct cmsghdr *c;

	if (!msg->msg_control)
		return;
	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			fs_fd_created(fd, origin, forced, site);
		}
	}
}

/* The kernel echoes MSG_CMSG_CLOEXEC in msg_flags; a caller that did not
 * ask for it must not see it. */
void fs_hide_cmsg_cloexec(struct msghdr *msg, struct mmsghdr *vec, int n)
{
	if (msg)
		msg->msg_flags &= ~MSG_CMSG_CLOEXEC;
	for (int i = 0; vec && i < n; i++)
		vec[i].msg_hdr.msg_flags &= ~MSG_CMSG_CLOEXEC;
}

FS_EXPORT ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags)
{
	ssize_t (*real)(int, struct msghdr *, int) = REAL(recvmsg);
	int add;
	ssize_t r;

	fs_ensure_init();
	add = fs_force(flags, MSG_CMSG_CLOEXEC);
	r = real(sockfd, msg, flags | add);
	if (r >= 0) {
		fs_record_rights(msg, add != 0, FS_ID_recvmsg, FS_SITE());
		if (add)
			fs_hide_cmsg_cloexec(msg, NULL, 0);
	}
	return r;
}

FS_EXPORT int recvmmsg(int sockfd, struct mmsghdr *vec, unsigned int vlen, int flags,
		       struct timespec *timeout)
{
	int (*real)(int, struct mmsghdr *, unsigned int, int, struct timespec *) = REAL(recvmmsg);
	int add, r;

	fs_ensure_init();
	add = fs_force(flags, MSG_CMSG_CLOEXEC);
	r = real(sockfd, vec, vlen, flags | add, timeout);
	for (int i = 0; i < r; i++)
		fs_record_rights(&vec[i].msg_hdr, add != 0, FS_ID_recvmmsg, FS_SITE());
	if (r > 0 && add)
		fs_hide_cmsg_cloexec(NULL, vec, r);
	return r;
}

/* The fallback (core/real.h): the system call itself. */
int FS_FALLBACK(socket)(int domain, int type, int protocol)
{
	return (int)fs_sys_result(fs_raw_syscall(SYS_socket, domain, type, protocol, 0, 0, 0));
}
