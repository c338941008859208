/* init, pid 1: start the shell on hvc0, restart it if it ends, and collect orphans. */
#include "user.h"

int main(void)
{
	static char *argv[] = { "sh", 0 };

	for (;;) {
		int pid = fork();
		if (pid == 0) {
			exec("sh", argv);
			printf("init: cannot exec sh\n");
			exit(1);
		}
		int status, w;
		while ((w = wait(&status)) >= 0 && w != pid)
			;	/* an orphan: nothing to do but collect it */
		printf("init: sh exited (%d), starting another\n", status);
	}
}
