/* outfile.c: files that appear complete under their final name or not at all.
 *
 * Write to ".<name>.tmp-<pid>-<n>" in the same folder, fsync it, rename it over the final
 * name (atomic within one file system), then fsync the folder so the rename itself survives
 * a crash. A killed writer leaves only the temp file; the old final file is never touched. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sco-tables.h"
#include "tables-private.h"

struct sco_outfile {
    FILE *f;
    char *final_path;
    char *tmp_path;
    char *dir;
};

static atomic_ulong tmp_counter;

/* Splits path into a malloc'd folder ("." when none) and a pointer to the base name. */
static char *dir_of(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static char *tmp_name(const char *dir, const char *base)
{
    unsigned long n = atomic_fetch_add(&tmp_counter, 1) + 1;
    char *s = NULL;
    if (asprintf(&s, "%s/.%s.tmp-%ld-%lu", dir, base, (long)getpid(), n) < 0)
        return NULL;
    return s;
}

int sco__mkdir_p(const char *dir, struct sco_err *err)
{
    if (!dir || !*dir)
        return sco_err_set(err, SCO_ERR_INVALID, "cannot create a folder with an empty name");
    char *p = strdup(dir);
    if (!p)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory creating folder '%s'", dir);
    int rc = 0;
    /* Create each prefix ending before a '/', then the whole path. */
    for (char *q = p + 1;; q++) {
        if (*q != '/' && *q != '\0')
            continue;
        char saved = *q;
        *q = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = sco_err_set(err, SCO_ERR_IO, "cannot create folder '%s': %s", p,
                             strerror(errno));
            break;
        }
        *q = saved;
        if (!saved)
            break;
    }
    if (rc == 0) {
        struct stat st;
        if (stat(dir, &st) != 0)
            rc = sco_err_set(err, SCO_ERR_IO, "cannot create folder '%s': %s", dir,
                             strerror(errno));
        else if (!S_ISDIR(st.st_mode))
            rc = sco_err_set(err, SCO_ERR_IO, "cannot create folder '%s': a file is in the way",
                             dir);
    }
    free(p);
    return rc;
}

static void outfile_free(struct sco_outfile *of)
{
    free(of->final_path);
    free(of->tmp_path);
    free(of->dir);
    free(of);
}

int sco__outfile_open(const char *final_path, struct sco_outfile **out, struct sco_err *err)
{
    if (!out)
        return sco_err_set(err, SCO_ERR_INVALID, "outfile_open: no result pointer");
    *out = NULL;
    if (!final_path || !*final_path)
        return sco_err_set(err, SCO_ERR_INVALID, "cannot write a file with an empty name");
    const char *base;
    struct sco_outfile *of = calloc(1, sizeof *of);
    if (!of)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory opening '%s'", final_path);
    of->final_path = strdup(final_path);
    of->dir = dir_of(final_path, &base);
    if (!of->final_path || !of->dir)
        goto nomem;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        outfile_free(of);
        return sco_err_set(err, SCO_ERR_INVALID, "cannot write '%s': it names a folder",
                           final_path);
    }
    int rc = sco__mkdir_p(of->dir, err);
    if (rc) {
        outfile_free(of);
        return rc;
    }
    of->tmp_path = tmp_name(of->dir, base);
    if (!of->tmp_path)
        goto nomem;
    int fd = open(of->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        rc = sco_err_set(err, SCO_ERR_IO, "cannot create '%s': %s", of->tmp_path,
                         strerror(errno));
        outfile_free(of);
        return rc;
    }
    of->f = fdopen(fd, "w");
    if (!of->f) {
        rc = sco_err_set(err, SCO_ERR_IO, "cannot open '%s': %s", of->tmp_path,
                         strerror(errno));
        close(fd);
        unlink(of->tmp_path);
        outfile_free(of);
        return rc;
    }
    *out = of;
    return 0;
nomem:
    outfile_free(of);
    return sco_err_set(err, SCO_ERR_NOMEM, "out of memory opening '%s'", final_path);
}

FILE *sco__outfile_stream(struct sco_outfile *of)
{
    return of ? of->f : NULL;
}

const char *sco__outfile_path(const struct sco_outfile *of)
{
    return of ? of->final_path : NULL;
}

const char *sco__outfile_tmp_path(const struct sco_outfile *of)
{
    return of ? of->tmp_path : NULL;
}

/* fsync a folder so that a rename in it is durable. Some file systems refuse (EINVAL). */
static int sync_dir(const char *dir, struct sco_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return sco_err_set(err, SCO_ERR_IO, "cannot open folder '%s': %s", dir,
                           strerror(errno));
    int rc = 0;
    if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
        rc = sco_err_set(err, SCO_ERR_IO, "cannot sync folder '%s': %s", dir, strerror(errno));
    close(fd);
    return rc;
}

int sco__outfile_commit(struct sco_outfile *of, struct sco_err *err)
{
    if (!of)
        return sco_err_set(err, SCO_ERR_INVALID, "outfile_commit: no file");
    int rc = 0;
    FILE *f = of->f;
    of->f = NULL;
    if (fflush(f) != 0 || ferror(f)) {
        rc = sco_err_set(err, SCO_ERR_IO, "cannot write '%s': %s", of->tmp_path,
                         strerror(errno ? errno : EIO));
        fclose(f);
        goto fail;
    }
    if (fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS) {
        rc = sco_err_set(err, SCO_ERR_IO, "cannot sync '%s': %s", of->tmp_path,
                         strerror(errno));
        fclose(f);
        goto fail;
    }
    if (fclose(f) != 0) {
        rc = sco_err_set(err, SCO_ERR_IO, "cannot close '%s': %s", of->tmp_path,
                         strerror(errno));
        goto fail;
    }
    if (rename(of->tmp_path, of->final_path) != 0) {
        rc = sco_err_set(err, SCO_ERR_IO, "cannot rename '%s' to '%s': %s", of->tmp_path,
                         of->final_path, strerror(errno));
        goto fail;
    }
    rc = sync_dir(of->dir, err);
    outfile_free(of);
    return rc;
fail:
    unlink(of->tmp_path);
    outfile_free(of);
    return rc;
}

void sco__outfile_abort(struct sco_outfile *of)
{
    if (!of)
        return;
    if (of->f)
        fclose(of->f);
    unlink(of->tmp_path);
    outfile_free(of);
}

int sco__symlink_replace(const char *target, const char *link_path, struct sco_err *err)
{
    if (!target || !*target || !link_path || !*link_path)
        return sco_err_set(err, SCO_ERR_INVALID, "symlink_replace: empty target or link");
    const char *base;
    char *dir = dir_of(link_path, &base);
    char *tmp = dir ? tmp_name(dir, base) : NULL;
    int rc = 0;
    if (!tmp) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory linking '%s'", link_path);
        goto out;
    }
    struct stat st;
    if (lstat(link_path, &st) == 0 && !S_ISLNK(st.st_mode)) {
        rc = sco_err_set(err, SCO_ERR_IO,
                         "cannot point '%s' at '%s': it exists and is not a symlink; move it "
                         "away",
                         link_path, target);
        goto out;
    }
    if (symlink(target, tmp) != 0) {
        rc = sco_err_set(err, SCO_ERR_IO, "cannot create symlink '%s': %s", tmp,
                         strerror(errno));
        goto out;
    }
    if (rename(tmp, link_path) != 0) {
        rc = sco_err_set(err, SCO_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, link_path,
                         strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = sync_dir(dir, err);
out:
    free(tmp);
    free(dir);
    return rc;
}
