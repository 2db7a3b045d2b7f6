/* A stand-in for syslogd: dgramrecv SOCKET OUT
 *
 * Binds a unix datagram socket at SOCKET, creates OUT.ready, then
 * appends every datagram it receives to OUT as one line.  Runs until
 * killed (or 60 s). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char buf[65536];

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char ready[4096];
	int s, out;

	if (argc != 3 || strlen(argv[1]) >= sizeof sa.sun_path) {
		fprintf(stderr, "usage: dgramrecv SOCKET OUT\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	out = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (s < 0 || out < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("dgramrecv");
		return 1;
	}
	snprintf(ready, sizeof ready, "%s.ready", argv[2]);
	close(open(ready, O_WRONLY | O_CREAT, 0600));
	alarm(60);
	for (;;) {
		ssize_t n = recv(s, buf, sizeof buf - 1, 0);
		if (n < 0)
			continue;
		if (n == 0 || buf[n - 1] != '\n')
			buf[n++] = '\n';
		if (write(out, buf, (size_t)n) != n)
			return 1;
	}
}
