/*
 * sh: the shell on hvc0. Each built-in command shows one mechanism of a PV
 * guest; anything else is run as a program built into the kernel.
 */
#include "user.h"

#define MAXARGS 8

struct cmd {
	const char *name, *args, *help;
	void (*fn)(int argc, char **argv);
};
static const struct cmd cmds[];

/* xencmds.c */
void xs_cmd(int argc, char **argv);
void share_cmd(int argc, char **argv);
void unshare_cmd(int argc, char **argv);
void map_cmd(int argc, char **argv);
void unmap_cmd(int argc, char **argv);
void grants_cmd(int argc, char **argv);
void ping_cmd(int argc, char **argv);

static int printf_width(const char *a, const char *b)
{
	return strlen(a) + 1 + strlen(b);
}

static void help(int argc, char **argv)
{
	for (const struct cmd *c = cmds; c->name; c++) {
		int n = printf_width(c->name, c->args);
		printf("  %s %s", c->name, c->args);
		while (n++ < 31)
			printf(" ");
		printf("%s\n", c->help);
	}
	printf("programs:");
	show(SHOW_PROGRAMS);
	printf("\n");
}

static void ps(int argc, char **argv) { show(SHOW_PS); }
static void mem(int argc, char **argv) { show(SHOW_MEM); }
static void pt(int argc, char **argv) { show(SHOW_PT); }
static void evtchn(int argc, char **argv) { show(SHOW_EVTCHN); }
static void hcalls(int argc, char **argv) { show(SHOW_HCALLS); }

static void killcmd(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: kill pid\n");
		return;
	}
	int pid = atoi(argv[1]);
	if (kill(pid) < 0)
		printf("kill: no process %d\n", pid);
	else
		printf("kill: pid %d marked; it exits on its next return to ring 3\n", pid);
}

static void lazycmd(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "on") || !strcmp(argv[1], "off"))) {
		lazy(!strcmp(argv[1], "on"));
	} else if (argc != 1) {
		printf("usage: lazy [on|off]\n");
		return;
	}
	int on = lazy(-1);
	printf("lazy mmu %s: page-table updates %s\n", on ? "on" : "off",
	       on ? "batched into multicalls" : "sent one hypercall each");
}

static void forkcmd(int argc, char **argv)
{
	static char *targv[] = { "true", 0 };
	int before = kstat(KSTAT_HCALLS), status;
	int pid = fork();

	if (pid == 0)
		exit(7);
	wait(&status);
	int cost = kstat(KSTAT_HCALLS) - before;
	const char *mode = lazy(-1) ? "on" : "off";
	printf("fork: child %d exited with %d; fork+exit+wait took %d hypercalls (lazy mmu %s)\n", pid,
	       status, cost, mode);
	/* The same with a new program in the child: exec frees the copied pages and maps fresh ones. */
	before = kstat(KSTAT_HCALLS);
	if ((pid = fork()) == 0) {
		exec("true", targv);
		exit(127);
	}
	wait(&status);
	cost = kstat(KSTAT_HCALLS) - before;
	printf("fork: fork+exec true+exit+wait took %d hypercalls (lazy mmu %s)\n", cost, mode);
}

/* Start a spinning process that init, not the shell, will collect. */
static void spin(int argc, char **argv)
{
	int pid = fork();

	if (pid == 0) {
		/* Leave the shell's family: init collects us when we are killed. */
		if (fork() != 0)
			exit(0);
		for (;;)
			;
	}
	wait(0);
	printf("spin: a process now spins in ring 3; the timer preempts it every 10 ms (ps, kill)\n");
}

static void sleepcmd(int argc, char **argv)
{
	int ms = argc > 1 ? atoi(argv[1]) : 1000;
	int t0 = uptime();

	sleep(ms);
	printf("slept %d ms (asked %d): single-shot timer, VIRQ_TIMER\n", uptime() - t0, ms);
}

static void uptimecmd(int argc, char **argv)
{
	int ms = uptime();

	printf("up %d.%03d s (system time from vcpu_time_info, version %d)\n", ms / 1000, ms % 1000,
	       kstat(KSTAT_TIMEVER));
}

/* Print the wall clock as a UTC date. */
static void datecmd(int argc, char **argv)
{
	uint32_t t = date(), days = t / 86400, s = t % 86400;
	int y = 1970, m = 0;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	for (;;) {
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		if (days < (uint32_t)(365 + leap))
			break;
		days -= 365 + leap;
		y++;
	}
	for (;; m++) {
		int len = mdays[m] + (m == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
		if (days < (uint32_t)len)
			break;
		days -= len;
	}
	printf("%d-%02d-%02d %02d:%02d:%02d UTC (shared_info wall clock + system time)\n", y, m + 1,
	       days + 1, s / 3600, s / 60 % 60, s % 60);
}

static void poweroff(int argc, char **argv)
{
	printf("poweroff: SCHEDOP_shutdown(poweroff)\n");
	shutdown(0);
}

static void reboot(int argc, char **argv)
{
	printf("reboot: SCHEDOP_shutdown(reboot)\n");
	shutdown(1);
}

static const struct cmd cmds[] = {
	{ "help", "", "this list", help },
	{ "ps", "", "processes: state, pages, L3", ps },
	{ "kill", "pid", "kill a process", killcmd },
	{ "mem", "", "frames by use (the P2M view)", mem },
	{ "pt", "", "this process's page tables, pinned or not", pt },
	{ "evtchn", "", "event channels: ports, counts, pending, masked", evtchn },
	{ "hcalls", "", "hypercalls made, by kind", hcalls },
	{ "lazy", "on|off", "batch page-table updates into multicalls, or not", lazycmd },
	{ "fork", "", "fork a child and count the hypercalls it costs", forkcmd },
	{ "spin", "", "start a process that spins in ring 3", spin },
	{ "sleep", "ms", "sleep on a single-shot timer", sleepcmd },
	{ "uptime", "", "system time", uptimecmd },
	{ "date", "", "wall-clock time", datecmd },
	{ "xs", "ls|read|write|rm|watch path", "xenstore through the kernel's xenbus client", xs_cmd },
	{ "share", "domid [text]", "grant a page to a domain; show what it reads now", share_cmd },
	{ "unshare", "domid", "end that grant", unshare_cmd },
	{ "map", "domid [text]", "map the page a domain shared with us; read and write it", map_cmd },
	{ "unmap", "domid", "unmap it", unmap_cmd },
	{ "grants", "", "grant entries in use, and our mappings of others' grants", grants_cmd },
	{ "ping", "domid [n]", "round trips over interdomain event channels", ping_cmd },
	{ "poweroff", "", "shut the domain down", poweroff },
	{ "reboot", "", "ask the toolstack for a reboot", reboot },
	{ 0, 0, 0, 0 },
};

/* Split line into words in place. */
static int parse(char *line, char **argv)
{
	int argc = 0;

	while (*line && argc < MAXARGS) {
		while (*line == ' ')
			*line++ = 0;
		if (!*line)
			break;
		argv[argc++] = line;
		while (*line && *line != ' ')
			line++;
	}
	argv[argc] = 0;
	return argc;
}

/* Run a built-in command, or fork and exec a program. */
static void run(int argc, char **argv)
{
	for (const struct cmd *c = cmds; c->name; c++) {
		if (!strcmp(c->name, argv[0])) {
			c->fn(argc, argv);
			return;
		}
	}
	int pid = fork(), status;
	if (pid == 0) {
		exec(argv[0], argv);
		printf("sh: %s: no such command or program (try help)\n", argv[0]);
		exit(127);
	}
	wait(&status);
	if (status != 0 && status != 127)
		printf("sh: %s: exit status %d\n", argv[0], status);
}

int main(void)
{
	char line[128], *argv[MAXARGS + 1];

	printf("pvos shell on hvc0. Type help.\n");
	for (;;) {
		printf("$ ");
		gets(line, sizeof(line));
		int argc = parse(line, argv);
		if (argc)
			run(argc, argv);
	}
}
