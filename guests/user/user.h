/* What a pvos user program can call: the system calls and a small library. */
#ifndef PVOS_USER_H
#define PVOS_USER_H

#include <stdint.h>
#include "syscall.h"

/* usys.S */
int fork(void);
void exit(int status) __attribute__((noreturn));
int wait(int *status);
int exec(const char *path, char **argv);
int getpid(void);
int read(int fd, void *buf, int n);
int write(int fd, const void *buf, int n);
int kill(int pid);
int sleep(int ms);
int uptime(void);
uint32_t date(void);
int show(int what);
int kstat(int what);
int lazy(int on);
int shutdown(int reason);
int settls(void *base);
int xsread(const char *path, char *buf, int n);
int xswrite(const char *path, const char *value);
int xsls(const char *path, char *buf, int n);
int xsrm(const char *path);
int xswatch(const char *path);
int xswait(int id, char *path, int n);
int xsunwatch(int id);
int share(int domid, const char *text, struct grantinfo *gi);
int unshare(int domid);
int map(int domid, const char *text, struct grantinfo *gi);
int unmap(int domid, struct grantinfo *gi);
int pinglink(int domid, struct pinginfo *pi, int wait);
int ping(int domid);

/* ulib.c */
int strlen(const char *s);
int strcmp(const char *a, const char *b);
char *strcpy(char *d, const char *s);
void *memset(void *d, int c, uint32_t n);
void *memcpy(void *d, const void *s, uint32_t n);
int atoi(const char *s);
char *gets(char *buf, int max);
const char *errstr(int rc);
const char *gntst(int status);
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
