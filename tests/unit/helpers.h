/* helpers.h: temp folders and files for host unit tests. */
#ifndef SCO_TEST_HELPERS_H
#define SCO_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

/* Makes a fresh temp folder and chdirs into it, so messages name "c.yaml" alone. */
static inline void enter_tmpdir(void)
{
    char tmpl[] = "/tmp/sco-unit-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    cr_assert_eq(chdir(tmpl), 0);
}

static inline void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

#endif
