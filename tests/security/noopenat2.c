/* noopenat2 COMMAND [ARG...]: runs COMMAND where openat2(2) fails with
 * ENOSYS, as on kernels before 5.6 (a seccomp filter, inherited across
 * exec), so forksafe's walk of the log path one directory at a time is
 * tested on any kernel.  Exits 77 (skip) when no filter can be set. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int main(int argc, char **argv)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof code / sizeof code[0], code };

	if (argc < 2) {
		fprintf(stderr, "usage: noopenat2 COMMAND [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		perror("noopenat2: seccomp");
		return 77;
	}
	if (syscall(SYS_openat2, -1, "", NULL, 0) != -1 || errno != ENOSYS) {
		fprintf(stderr, "noopenat2: the filter has no effect\n");
		return 77;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
