// deadlock.c with a std::mutex held by a std::thread:
// deadlock_cxx CHILDREN DEADLINE_MS, same output.  Built by deadlock.sh.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

static std::mutex mutex;
static std::atomic<bool> held{false}, stop{false};

static void worker()
{
	std::printf("worker_tid=%d\n", gettid());
	std::fflush(stdout);
	while (!stop) {
		std::lock_guard<std::mutex> guard(mutex);
		held = true;
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
		held = false;
	}
}

static void child_takes_lock()
{
	{
		std::lock_guard<std::mutex> guard(mutex);
	}
	execl("/bin/true", "true", (char *)nullptr);
	_exit(127);
}

// 0: exited 0, 1: hung (killed), 2: SIGABRT, 3: anything else.
static int outcome(pid_t pid, long deadline_ms)
{
	int status;
	for (long waited = 0; waited < deadline_ms; waited += 5) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0
			       : WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT ? 2 : 3;
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 1;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? std::atoi(argv[1]) : 4, count[4] = {0, 0, 0, 0};
	long deadline = argc > 2 ? std::atol(argv[2]) : 300;
	std::thread t(worker);

	for (int i = 0; i < n; i++) {
		while (!held)
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		pid_t pid = fork();
		if (pid == 0)
			child_takes_lock();
		if (pid < 0)
			return 2;
		count[outcome(pid, deadline)]++;
	}
	stop = true;
	t.join();
	std::printf("children=%d exec_ok=%d hung=%d aborted=%d other=%d\n", n, count[0],
		    count[1], count[2], count[3]);
	return 0;
}
