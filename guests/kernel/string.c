/* String and memory functions; gcc may also call memset and memcpy on its own. */
#include "defs.h"

/* Fill n bytes at d with c. */
void *memset(void *d, int c, uint32_t n)
{
	void *r = d;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return r;
}

/* Copy n bytes; the areas must not overlap. */
void *memcpy(void *d, const void *s, uint32_t n)
{
	void *r = d;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return r;
}

/* Length of s, without its NUL. */
int strlen(const char *s)
{
	int n = 0;

	while (s[n])
		n++;
	return n;
}

/* Compare a and b: <0, 0 or >0. */
int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

/* Copy s, with its NUL, to d. */
char *strcpy(char *d, const char *s)
{
	char *r = d;

	while ((*d++ = *s++))
		;
	return r;
}

/* Copy at most n bytes of s and always terminate d (d has room for n + 1). */
char *strncpy(char *d, const char *s, int n)
{
	int i;

	for (i = 0; i < n && s[i]; i++)
		d[i] = s[i];
	d[i] = 0;
	return d;
}

/* Append s to d. */
char *strcat(char *d, const char *s)
{
	strcpy(d + strlen(d), s);
	return d;
}

/* The decimal number at the start of s. */
int atoi(const char *s)
{
	int n = 0;

	while (*s >= '0' && *s <= '9')
		n = n * 10 + *s++ - '0';
	return n;
}

/* Write v in decimal to buf, NUL-terminated; return the number of digits. */
int utoa(uint32_t v, char *buf)
{
	char d[10];
	int n = 0, k = 0;

	do {
		d[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		buf[k++] = d[--n];
	buf[k] = 0;
	return k;
}
