/* test-outfile.c: atomic output files and the atomic symlink switch, with real processes. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

/* Names in dir (not . or ..), sorted, joined by spaces. */
static char *listing(const char *dir)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    cr_assert_geq(n, 0, "scandir '%s': %s", dir, strerror(errno));
    char *out = calloc(1, 4096);
    for (int i = 0; i < n; i++) {
        if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, ".."))
            snprintf(out + strlen(out), 4096 - strlen(out), "%s%s", *out ? " " : "",
                     ents[i]->d_name);
        free(ents[i]);
    }
    free(ents);
    return out;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(outfile, commit_creates_folders_and_file)
{
    char *dir = make_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/a/b/c.txt", dir);
    struct sco_outfile *of;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__outfile_open(path, &of, &err), 0, "%s", err.msg);
    cr_expect_str_eq(sco__outfile_path(of), path);
    const char *tmp = sco__outfile_tmp_path(of);
    char want[600];
    snprintf(want, sizeof want, "%s/a/b/.c.txt.tmp-%ld-", dir, (long)getpid());
    cr_expect_eq(strncmp(tmp, want, strlen(want)), 0, "%s", tmp);
    fputs("hello\n", sco__outfile_stream(of));
    /* Before commit, only the temp file exists. */
    cr_expect_neq(access(path, F_OK), 0);
    cr_expect_eq(access(tmp, F_OK), 0);
    cr_assert_eq(sco__outfile_commit(of, &err), 0, "%s", err.msg);
    char *s = slurp(path, NULL);
    cr_expect_str_eq(s, "hello\n");
    free(s);
    snprintf(want, sizeof want, "%s/a/b", dir);
    char *ls = listing(want);
    cr_expect_str_eq(ls, "c.txt");
    free(ls);
    rm_rf(dir);
    free(dir);
}

Test(outfile, abort_leaves_nothing)
{
    char *dir = make_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    struct sco_outfile *of;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__outfile_open(path, &of, &err), 0, "%s", err.msg);
    for (int i = 0; i < 10000; i++)
        fprintf(sco__outfile_stream(of), "line %d\n", i);
    sco__outfile_abort(of);
    sco__outfile_abort(NULL);
    char *ls = listing(dir);
    cr_expect_str_eq(ls, "");
    free(ls);
    rm_rf(dir);
    free(dir);
}

Test(outfile, commit_replaces_older_file)
{
    char *dir = make_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    write_file(path, "old contents, longer than the new ones\n");
    struct sco_outfile *of;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__outfile_open(path, &of, &err), 0, "%s", err.msg);
    fputs("new\n", sco__outfile_stream(of));
    /* Readers still see the old file until the commit. */
    char *s = slurp(path, NULL);
    cr_expect_str_eq(s, "old contents, longer than the new ones\n");
    free(s);
    cr_assert_eq(sco__outfile_commit(of, &err), 0, "%s", err.msg);
    s = slurp(path, NULL);
    cr_expect_str_eq(s, "new\n");
    free(s);
    char *ls = listing(dir);
    cr_expect_str_eq(ls, "out.csv");
    free(ls);
    rm_rf(dir);
    free(dir);
}

Test(outfile, sigkill_mid_write_keeps_old_file)
{
    char *dir = make_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/sales.csv", dir);
    write_file(path, "old\n");
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        /* The child: a writer that is killed while writing. */
        close(fds[0]);
        struct sco_outfile *of;
        if (sco__outfile_open(path, &of, NULL) != 0)
            _exit(2);
        FILE *f = sco__outfile_stream(of);
        for (long i = 0;; i++) {
            fprintf(f, "row %ld\n", i);
            if (i == 100000) {
                fflush(f);
                if (write(fds[1], "w", 1) != 1)
                    _exit(3);
            }
        }
    }
    close(fds[1]);
    char c;
    cr_assert_eq(read(fds[0], &c, 1), 1, "the writer did not start");
    cr_assert_eq(kill(pid, SIGKILL), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    close(fds[0]);

    char *s = slurp(path, NULL);
    cr_expect_str_eq(s, "old\n");
    free(s);
    char want[128];
    snprintf(want, sizeof want, ".sales.csv.tmp-%ld-1 sales.csv", (long)pid);
    char *ls = listing(dir);
    cr_expect_str_eq(ls, want);
    free(ls);
    /* The killed writer's temp file holds what it had written: it was really mid-write. */
    snprintf(path, sizeof path, "%s/.sales.csv.tmp-%ld-1", dir, (long)pid);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_gt(st.st_size, 100000);
    rm_rf(dir);
    free(dir);
}

Test(outfile, csv_write_is_atomic_on_error)
{
    /* A table that cannot be written (no columns) leaves the old file and no temp file. */
    char *dir = make_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/t.csv", dir);
    write_file(path, "old\n");
    struct sco_err err = { 0 };
    struct sco_table *t = sco__table_new("t", NULL, 0, &err);
    cr_expect_eq(sco__csv_write(t, path, &err), SCO_ERR_INVALID);
    char *s = slurp(path, NULL);
    cr_expect_str_eq(s, "old\n");
    free(s);
    char *ls = listing(dir);
    cr_expect_str_eq(ls, "t.csv");
    free(ls);
    sco__table_free(t);
    rm_rf(dir);
    free(dir);
}

Test(outfile, errors_name_the_path)
{
    char *dir = make_tmpdir(), path[512], msg[1200];
    struct sco_outfile *of = (void *)1;
    struct sco_err err = { 0 };
    /* A file where a folder should be. */
    snprintf(path, sizeof path, "%s/file", dir);
    write_file(path, "x");
    snprintf(path, sizeof path, "%s/file/sub/out.csv", dir);
    cr_expect_eq(sco__outfile_open(path, &of, &err), SCO_ERR_IO);
    cr_expect_null(of);
    snprintf(msg, sizeof msg, "cannot create folder '%s/file/sub': Not a directory", dir);
    cr_expect_str_eq(err.msg, msg);
    snprintf(path, sizeof path, "%s/file/out.csv", dir);
    cr_expect_eq(sco__outfile_open(path, &of, &err), SCO_ERR_IO);
    snprintf(msg, sizeof msg, "cannot create folder '%s/file': a file is in the way", dir);
    cr_expect_str_eq(err.msg, msg);
    /* A folder where the file should go: the rename fails and the temp file goes. */
    snprintf(path, sizeof path, "%s/taken", dir);
    cr_assert_eq(mkdir(path, 0777), 0);
    cr_assert_eq(sco__outfile_open(path, &of, &err), 0, "%s", err.msg);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s", sco__outfile_tmp_path(of));
    cr_expect_eq(sco__outfile_commit(of, &err), SCO_ERR_IO);
    snprintf(msg, sizeof msg, "cannot rename '%s' to '%s': Is a directory", tmp, path);
    cr_expect_str_eq(err.msg, msg);
    cr_expect_neq(access(tmp, F_OK), 0);
    /* Names that are folders. */
    snprintf(path, sizeof path, "%s/", dir);
    cr_expect_eq(sco__outfile_open(path, &of, &err), SCO_ERR_INVALID);
    snprintf(msg, sizeof msg, "cannot write '%s/': it names a folder", dir);
    cr_expect_str_eq(err.msg, msg);
    cr_expect_eq(sco__outfile_open("", &of, &err), SCO_ERR_INVALID);
    rm_rf(dir);
    free(dir);
}

Test(outfile, permission_denied)
{
    if (geteuid() == 0)
        cr_skip_test("root ignores folder permissions");
    char *dir = make_tmpdir(), path[512], msg[1200];
    snprintf(path, sizeof path, "%s/ro", dir);
    cr_assert_eq(mkdir(path, 0555), 0);
    snprintf(path, sizeof path, "%s/ro/x.csv", dir);
    struct sco_outfile *of;
    struct sco_err err = { 0 };
    cr_expect_eq(sco__outfile_open(path, &of, &err), SCO_ERR_IO);
    snprintf(msg, sizeof msg, "cannot create '%s/ro/.x.csv.tmp-%ld-", dir, (long)getpid());
    cr_expect_eq(strncmp(err.msg, msg, strlen(msg)), 0, "%s", err.msg);
    cr_expect_str_eq(err.msg + strlen(err.msg) - strlen("': Permission denied"),
                     "': Permission denied");
    rm_rf(dir);
    free(dir);
}

Test(outfile, mkdir_p)
{
    char *dir = make_tmpdir(), path[512];
    struct sco_err err = { 0 };
    snprintf(path, sizeof path, "%s/x/y/z", dir);
    cr_expect_eq(sco__mkdir_p(path, &err), 0, "%s", err.msg);
    cr_expect_eq(sco__mkdir_p(path, &err), 0, "%s", err.msg);
    snprintf(path, sizeof path, "%s/x//y/z/", dir);
    cr_expect_eq(sco__mkdir_p(path, &err), 0, "%s", err.msg);
    struct stat st;
    snprintf(path, sizeof path, "%s/x/y/z", dir);
    cr_expect(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    cr_expect_eq(sco__mkdir_p("", &err), SCO_ERR_INVALID);
    rm_rf(dir);
    free(dir);
}

Test(outfile, relative_path)
{
    char *dir = make_tmpdir();
    cr_assert_eq(chdir(dir), 0);
    struct sco_outfile *of;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__outfile_open("plain.txt", &of, &err), 0, "%s", err.msg);
    fputs("p", sco__outfile_stream(of));
    cr_assert_eq(sco__outfile_commit(of, &err), 0, "%s", err.msg);
    char *s = slurp("plain.txt", NULL);
    cr_expect_str_eq(s, "p");
    free(s);
    cr_assert_eq(chdir("/"), 0);
    rm_rf(dir);
    free(dir);
}

Test(symlink, replace_atomically)
{
    char *dir = make_tmpdir(), link[512], buf[256];
    struct sco_err err = { 0 };
    snprintf(link, sizeof link, "%s/latest", dir);
    cr_assert_eq(sco__symlink_replace("2026-11-28", link, &err), 0, "%s", err.msg);
    ssize_t n = readlink(link, buf, sizeof buf - 1);
    cr_assert_gt(n, 0);
    buf[n] = '\0';
    cr_expect_str_eq(buf, "2026-11-28");
    cr_assert_eq(sco__symlink_replace("2026-11-29", link, &err), 0, "%s", err.msg);
    n = readlink(link, buf, sizeof buf - 1);
    buf[n] = '\0';
    cr_expect_str_eq(buf, "2026-11-29");
    char *ls = listing(dir);
    cr_expect_str_eq(ls, "latest");
    free(ls);
    rm_rf(dir);
    free(dir);
}

Test(symlink, refuses_real_folder)
{
    char *dir = make_tmpdir(), link[512], msg[1200];
    struct sco_err err = { 0 };
    snprintf(link, sizeof link, "%s/latest", dir);
    cr_assert_eq(mkdir(link, 0777), 0);
    cr_expect_eq(sco__symlink_replace("2026-11-29", link, &err), SCO_ERR_IO);
    snprintf(msg, sizeof msg,
             "cannot point '%s' at '2026-11-29': it exists and is not a symlink; move it away",
             link);
    cr_expect_str_eq(err.msg, msg);
    char *ls = listing(dir);
    cr_expect_str_eq(ls, "latest");
    free(ls);
    rm_rf(dir);
    free(dir);
}
