/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Hands over what a _cleanup_ pointer owns: returns it and leaves NULL behind. */
#define TAKE_PTR(p)                         \
	({                                  \
		__typeof__(p) _taken_ = (p); \
		(p) = NULL;                 \
		_taken_;                    \
	})
/* The same for a struct held by value: returns it and leaves it zeroed. */
#define TAKE_STRUCT(s)                            \
	({                                        \
		__typeof__(s) _taken_ = (s);      \
		(s) = (__typeof__(s)){ 0 };       \
		_taken_;                          \
	})

/*
 * The cleanup function of a struct held by value, named after its free
 * function with a 'p': DEFINE_TRIVIAL_CLEANUP_FUNC(struct strv, strv_free)
 * defines strv_freep() for
 *	_cleanup_(strv_freep) struct strv names = { 0 };
 * The free function must leave the struct zeroed: then it is safe on a
 * struct that was never loaded (an early return) and on one freed already.
 */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
	static inline void func##p(type *p)     \
	{                                       \
		func(p);                        \
	}

/* Copies src into dst[n], cut to fit and always terminated (n > 0); snprintf("%s") without the printf. */
static inline void strcpy_fit(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);

	memcpy(dst, src, l);
	dst[l] = '\0';
}

static inline int streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline const char *startswith(const char *s, const char *prefix)
{
	size_t l = strlen(prefix);
	return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

/* errno as a negative value, never 0 (a failed call that left errno unset). */
static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}
