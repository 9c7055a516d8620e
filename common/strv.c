// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>

#include "common/strv.h"

static int strv_take(struct strv *s, char *str)
{
	char **nv = realloc(s->v, (s->n + 1) * sizeof(*nv));

	if (!nv) {
		free(str);
		return -ENOMEM;
	}
	s->v = nv;
	s->v[s->n++] = str;
	return 0;
}

int strv_push(struct strv *s, const char *str)
{
	char *c = strdup(str);

	return c ? strv_take(s, c) : -ENOMEM;
}

int strv_pushf(struct strv *s, const char *fmt, ...)
{
	va_list ap;
	char *str;
	int l;

	va_start(ap, fmt);
	l = vasprintf(&str, fmt, ap);
	va_end(ap);
	if (l < 0)
		return -ENOMEM;
	return strv_take(s, str);
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct strv){ 0 };
}
