/* run.c: a run cron can trust: lock, staging folder, supervised worker, manifest, swap. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "exitcode.h"
#include "hostapi.h"
#include "json.h"
#include "loader.h"
#include "log.h"
#include "pipeline.h"
#include "run.h"
#include "sco-tables.h"
#include "util.h"

#ifndef SCO_VERSION
#define SCO_VERSION "0.0.0"
#endif

/* ---- setup shared by run and check-config ---------------------------------------------- */
static void print_diags(const struct sco__diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        sco__host_log(NULL, SCO_LOG_ERROR, "%s", d->msg[i]);
}

static int first_exit(const struct sco__diags *d, int fallback_code)
{
    int code = d->n ? d->code[0] : fallback_code;
    return sco__exit_code(code, code == SCO_ERR_NOINPUT ? SCO__PHASE_INPUT : SCO__PHASE_STAGE);
}

/* Loads config and pipeline; on failure prints every problem, in file order, and returns the
 * exit status. A config that parsed but has errors (an unknown key, a bad value: the reader
 * keeps defaults for those) still gets its plugins loaded and their keys checked, so one
 * check shows every problem; the exit status is then the config's. */
static int prepare(const char *path, int log_format, const char *run_id, struct sco__config **cfg,
                   struct sco__search *search, struct sco__pipeline **pipe)
{
    struct sco__diags d = { 0 };
    struct sco_err err = { 0 };
    *pipe = NULL;
    memset(search, 0, sizeof *search);
    int rc = sco__config_load(path, cfg, &d, &err);
    if (log_format < 0 && *cfg && (*cfg)->has_log_format)
        sco__log_setup((*cfg)->log_json ? SCO__LOG_JSON : SCO__LOG_TEXT, run_id);
    int ex = rc ? first_exit(&d, rc) : 0;
    if (!rc || (*cfg)->root) {
        sco__search_init(search, *cfg);
        int prc = sco__pipeline_build(*cfg, search, pipe, &d, &err);
        if (!rc && prc)
            ex = first_exit(&d, prc);
        rc = rc ? rc : prc;
    }
    if (rc) {
        sco__diags_sort(&d, 0);
        print_diags(&d);
    }
    sco__diags_fini(&d);
    return ex;
}

static void today(int64_t *days)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    *days = sco_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                                 (unsigned)tm.tm_mday);
}

/* pattern with {date} replaced; the caller frees it */
static char *expand_output(const char *pattern, int64_t date)
{
    char *s = sco__expand_date(pattern, date);
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        s[--n] = '\0';
    return s;
}

static void print_plan(const struct sco__pipeline *p, const char *out)
{
    const struct sco__config *c = p->cfg;
    printf("output: %s\n", out ? out : "(not chosen)");
    size_t k = 0;
    for (size_t o = 0; o < p->n; o++) {
        const struct sco__stage *st = &p->stages[p->order[o]];
        const struct sco_plugin_desc *d = st->plugin->desc;
        printf("%zu. %s%s: plugin %s %s (%s)\n", ++k, st->cfg->name,
               st->selected ? "" : " [not selected]", d->name, d->version, st->plugin->path);
        char *key = NULL;
        double lim = sco__stage_timeout(c, st->cfg, &key);
        if (lim > 0) {
            char ls[32];
            sco__duration_format(lim, ls);
            printf("     time limit %s (%s)\n", ls, key);
        }
        free(key);
        for (size_t i = 0; i < d->n_inputs; i++) {
            const struct sco__binding *b = &st->in[i];
            printf("     in  %-20s <- ", d->inputs[i].name);
            if (b->source >= 0)
                printf("source '%s' (%s)\n", b->table, c->sources[b->source].path);
            else if (b->stage >= 0)
                printf("table '%s' of stage '%s'\n", b->table, p->stages[b->stage].cfg->name);
            else
                printf("nothing (optional)\n");
        }
        for (size_t i = 0; i < d->n_outputs; i++)
            printf("     out %-20s -> table '%s'%s\n", d->outputs[i].name, st->out[i],
                   sco__stage_writes(st->cfg, st->out[i]) ? " (csv)" : "");
    }
}

/* Reads source i as a run would: the file, its column type hints, and the declared columns
 * of every stage input it feeds. Problems go to d. */
static void check_source(const struct sco__config *cfg, const struct sco__pipeline *pipe,
                         size_t i, int64_t date, struct sco__diags *d)
{
    const struct sco__source *s = &cfg->sources[i];
    struct sco_err e = { 0 };
    struct sco_table *t = NULL;
    if (!s->path)
        return;
    char *path = sco__expand_date(s->path, date);
    int rc = sco__csv_read(path, s->name, &t, &e);
    free(path);
    if (rc) {
        sco__diag(d, rc, cfg->path, s->path_node, "source '%s': %s", s->name, e.msg);
        return;
    }
    for (size_t c = 0; c < s->n_cols && !rc; c++) {
        int ci = sco__table_col(t, s->col_names[c]);
        if (ci < 0)
            rc = sco_err_set(&e, SCO_ERR_DATA, "%s has no column '%s' declared under columns:",
                             s->path, s->col_names[c]);
        else
            rc = sco__table_coerce(t, ci, s->col_types[c], &e);
        if (rc)
            sco__diag(d, rc, cfg->path, s->col_nodes[c], "source '%s': %s", s->name, e.msg);
    }
    for (size_t k = 0; k < pipe->n && !rc; k++) {
        const struct sco__stage *st = &pipe->stages[k];
        for (size_t p = 0; p < st->plugin->desc->n_inputs && !rc; p++) {
            if (st->in[p].source != (int)i)
                continue;
            const struct sco_port *port = &st->plugin->desc->inputs[p];
            char who[300];
            snprintf(who, sizeof who, "stage '%s' input '%s'", st->cfg->name, port->name);
            rc = sco__table_check_columns(t, port->columns, port->n_columns, who, &e);
            if (rc)
                sco__diag(d, rc, cfg->path, s->path_node, "%s", e.msg);
        }
    }
    sco__table_free(t);
}

int sco__cmd_check(const char *config, int log_format)
{
    struct sco__config *cfg = NULL;
    struct sco__search search;
    struct sco__pipeline *pipe = NULL;
    int ex = prepare(config, log_format, NULL, &cfg, &search, &pipe);
    if (ex == 0) {
        /* the sources must be readable, with the columns and types their readers want */
        struct sco__diags d = { 0 };
        int64_t date;
        if (cfg->has_date)
            date = cfg->date;
        else
            today(&date);
        for (size_t i = 0; i < cfg->n_sources; i++)
            check_source(cfg, pipe, i, date, &d);
        if (d.n) {
            print_diags(&d);
            ex = first_exit(&d, SCO_ERR_NOINPUT);
        } else {
            printf("%s: ok (%zu sources, %zu stages)\n", cfg->path, cfg->n_sources,
                   cfg->n_stages);
            char *pattern = cfg->has_date ? expand_output(cfg->output, cfg->date)
                                          : sco__xstrdup(cfg->output);
            char *out = sco__path_join(cfg->dir, pattern);
            print_plan(pipe, out);
            free(out);
            free(pattern);
        }
        sco__diags_fini(&d);
    }
    sco__pipeline_free(pipe);
    sco__search_fini(&search);
    sco__config_free(cfg);
    return ex;
}

/* ---- lock ------------------------------------------------------------------------------ */
static int take_lock(const char *lock_path, const char *run_id, double started, int *fd_out,
                     struct sco_err *err)
{
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return sco_err_set(err, SCO_ERR_IO, "cannot open lock file '%s': %s", lock_path,
                           strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char holder[256] = "";
        ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        char *nl = strchr(holder, '\n');
        if (nl)
            *nl = '\0';
        close(fd);
        if (e != EWOULDBLOCK)
            return sco_err_set(err, SCO_ERR_IO, "cannot lock '%s': %s", lock_path, strerror(e));
        return sco_err_set(err, SCO_ERR_LOCKED,
                           "another run holds the lock '%s' (%s); wait for it to finish or "
                           "stop that process",
                           lock_path, holder[0] ? holder : "holder unknown");
    }
    char ts[SCO__TS_BUF], line[256];
    sco__format_utc(started, false, ts);
    int n = snprintf(line, sizeof line, "pid %d, started %s, run %s\n", (int)getpid(), ts,
                     run_id);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
        /* the lock is ours even if the note cannot be written */
    }
    *fd_out = fd;
    return 0;
}

/* ---- staging ---------------------------------------------------------------------------- */
/* hard links of the previous run's files, so a partial run (--only/--skip) keeps them */
static int link_tree(const char *from, const char *to, bool top, struct sco_err *err)
{
    DIR *d = opendir(from);
    if (!d)
        return 0;
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.' || (top && strcmp(e->d_name, "manifest.json") == 0))
            continue;
        char *a = sco__path_join(from, e->d_name), *b = sco__path_join(to, e->d_name);
        struct stat st;
        if (lstat(a, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                if (mkdir(b, 0755) != 0 && errno != EEXIST)
                    rc = sco_err_set(err, SCO_ERR_IO, "cannot create '%s': %s", b,
                                     strerror(errno));
                else
                    rc = link_tree(a, b, false, err);
            } else if (S_ISREG(st.st_mode) && link(a, b) != 0) {
                rc = sco_err_set(err, SCO_ERR_IO, "cannot link '%s' to '%s': %s", a, b,
                                 strerror(errno));
            }
        }
        free(a);
        free(b);
    }
    closedir(d);
    return rc;
}

/* Staging folders left by runs that were killed are renamed so they read as evidence. */
static void adopt_stale(const char *parent, const char *base)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    char *prefix = sco__xasprintf(".%s.staging-", base);
    size_t pl = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, pl) != 0)
            continue;
        char *from = sco__path_join(parent, e->d_name);
        char *to = sco__xasprintf("%s/%s.failed-%s", parent, base, e->d_name + pl);
        if (rename(from, to) == 0)
            sco__host_log(NULL, SCO_LOG_WARN,
                     "run %s did not finish (killed?); its partial outputs are kept in %s",
                     e->d_name + pl, to);
        free(from);
        free(to);
    }
    free(prefix);
    closedir(d);
}

/* ---- manifest --------------------------------------------------------------------------- */
struct parent {
    struct sco__run run;
    const struct sco__run_opts *opts;
    double started, started_mono;
    int fatal_code;
    enum sco__phase fatal_phase;
    char *fatal_msg;
    bool cancelled;
    pid_t child;
    char config_abs[PATH_MAX];
    char *out_abs;
};

/* A relative path without ".." or empty components (what file_create accepts). */
static bool safe_rel(const char *rel)
{
    if (!*rel || rel[0] == '/')
        return false;
    for (const char *p = rel; *p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0 || (len == 2 && p[0] == '.' && p[1] == '.') || (len == 1 && p[0] == '.'))
            return false;
        p += len + (slash ? 1 : 0);
    }
    return true;
}

/* A partial run (--only/--skip) starts from hard links of the previous run's files. A stage
 * that runs again owns its whole set of outputs: the files the previous manifest lists for it
 * are removed from the staging folder first, so one it does not write this time does not
 * linger. Stages left out keep theirs, and this run's manifest lists them again. */
static void take_over_previous(struct parent *P)
{
    struct sco__run *r = &P->run;
    char *mpath = sco__path_join(r->out_final, "manifest.json");
    FILE *f = fopen(mpath, "rb");
    free(mpath);
    if (!f)
        return;
    struct sco__buf text = { 0 };
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sco__buf_putn(&text, chunk, n);
    fclose(f);
    struct sco__jval *m = sco__json_parse(text.s ? text.s : "", text.len);
    sco__buf_fini(&text);
    const struct sco__jval *stages = sco__jval_get(m, "stages");
    if (!m || !stages || stages->type != SCO__J_ARR) {
        sco__host_log(NULL, SCO_LOG_WARN,
                      "%s/manifest.json is not a manifest sco can read; files of the stages "
                      "that run again that they do not write this time are kept",
                      r->out_final);
        sco__jval_free(m);
        return;
    }
    for (size_t i = 0; i < stages->n; i++) {
        const struct sco__jval *name = sco__jval_get(stages->vals[i], "name");
        const struct sco__jval *outs = sco__jval_get(stages->vals[i], "outputs");
        if (!name || name->type != SCO__J_STR || !outs || outs->type != SCO__J_ARR)
            continue;
        long idx = -1;
        for (size_t k = 0; k < r->pipe->n && idx < 0; k++)
            if (strcmp(r->pipe->stages[k].cfg->name, name->str) == 0)
                idx = (long)k;
        if (idx < 0)
            continue;
        bool again = r->pipe->stages[idx].selected;
        struct sco__buf keep = { 0 };
        for (size_t k = 0; k < outs->n; k++) {
            const struct sco__jval *o = outs->vals[k];
            if (o->type != SCO__J_STR || !safe_rel(o->str) || strchr(o->str, SCO__FILE_SEP))
                continue;
            char *path = sco__path_join(r->staging, o->str);
            if (!again) {
                if (access(path, F_OK) == 0)
                    sco__buf_printf(&keep, "%s%s", keep.len ? SCO__FILE_SEP_S : "", o->str);
            } else if (unlink(path) == 0) {
                /* folders it emptied go too (reports/ of a stage that writes none now) */
                char *dir = sco__path_dir(path);
                while (strlen(dir) > strlen(r->staging) && rmdir(dir) == 0) {
                    char *up = sco__path_dir(dir);
                    free(dir);
                    dir = up;
                }
                free(dir);
            }
            free(path);
        }
        if (!again && keep.len) {
            free(r->st[idx].outputs);
            r->st[idx].outputs = sco__buf_take(&keep);
        }
        sco__buf_fini(&keep);
    }
    sco__jval_free(m);
}

static void json_str_scrubbed(struct sco__json *j, const char *s)
{
    if (!s) {
        sco__json_null(j);
        return;
    }
    char *c = sco__scrub(s);
    sco__json_str(j, c);
    free(c);
}

static const char *run_error(const struct parent *P)
{
    if (P->fatal_msg)
        return P->fatal_msg;
    const struct sco__pipeline *p = P->run.pipe;
    for (size_t o = 0; o < p->n; o++) {
        const struct sco__stage_state *s = &P->run.st[p->order[o]];
        if (s->status == SCO__ST_FAILED || s->status == SCO__ST_CRASHED ||
            s->status == SCO__ST_TIMED_OUT)
            return s->error;
    }
    return NULL;
}

static int write_manifest(const struct parent *P, const char *dir, const char *status,
                          int exit_code, struct sco_err *err)
{
    const struct sco__run *r = &P->run;
    const struct sco__pipeline *p = r->pipe;
    struct sco__buf b = { 0 };
    struct sco__json j;
    char ts[SCO__TS_BUF], ds[SCO_DATE_BUF];
    sco__json_init(&j, &b, true);
    sco__json_obj_begin(&j);
    sco__json_key(&j, "run_id");
    sco__json_str(&j, r->run_id);
    sco__json_key(&j, "status");
    sco__json_str(&j, status);
    sco__json_key(&j, "exit_code");
    if (exit_code >= 0)
        sco__json_i64(&j, exit_code);
    else
        sco__json_null(&j);
    sco__json_key(&j, "sco_version");
    sco__json_str(&j, SCO_VERSION);
    sco__json_key(&j, "abi_version");
    sco__json_i64(&j, SCO_ABI_VERSION);
    sco__json_key(&j, "config");
    sco__json_obj_begin(&j);
    sco__json_key(&j, "path");
    sco__json_str(&j, P->config_abs);
    sco__json_key(&j, "sha256");
    sco__json_str(&j, r->cfg->sha256);
    sco__json_obj_end(&j);
    sco__json_key(&j, "date");
    sco__json_str(&j, sco_date_format(r->date, ds));
    sco__json_key(&j, "output");
    sco__json_str(&j, P->out_abs);
    sco__json_key(&j, "seed");
    sco__json_i64(&j, (int64_t)r->cfg->seed);
    sco__json_key(&j, "device");
    sco__json_str(&j, r->device[0] ? r->device : NULL);
    sco__json_key(&j, "threads");
    sco__json_i64(&j, r->threads);
    sco__json_key(&j, "host");
    sco__json_obj_begin(&j);
    char hn[256] = "";
    gethostname(hn, sizeof hn - 1);
    sco__json_key(&j, "name");
    sco__json_str(&j, hn);
    sco__json_key(&j, "pid");
    sco__json_i64(&j, getpid());
    sco__json_obj_end(&j);
    sco__json_key(&j, "only");
    sco__json_str(&j, P->opts->only);
    sco__json_key(&j, "skip");
    sco__json_str(&j, P->opts->skip);
    sco__format_utc(P->started, true, ts);
    sco__json_key(&j, "started");
    sco__json_str(&j, ts);
    sco__json_key(&j, "duration_s");
    sco__json_f64(&j, sco__mono() - P->started_mono);
    sco__json_key(&j, "error");
    json_str_scrubbed(&j, run_error(P));

    sco__json_key(&j, "plugins");
    sco__json_arr_begin(&j);
    for (size_t i = 0; i < p->n_plugins; i++) {
        const struct sco__plugin *pl = p->plugins[i];
        sco__json_obj_begin(&j);
        sco__json_key(&j, "name");
        sco__json_str(&j, pl->desc->name);
        sco__json_key(&j, "version");
        sco__json_str(&j, pl->desc->version);
        sco__json_key(&j, "abi_version");
        sco__json_i64(&j, pl->desc->abi_version);
        sco__json_key(&j, "file");
        sco__json_str(&j, pl->path);
        sco__json_obj_end(&j);
    }
    sco__json_arr_end(&j);

    sco__json_key(&j, "stages");
    sco__json_arr_begin(&j);
    for (size_t o = 0; o < p->n; o++) {
        size_t idx = p->order[o];
        const struct sco__stage *st = &p->stages[idx];
        const struct sco__stage_state *s = &r->st[idx];
        sco__json_obj_begin(&j);
        sco__json_key(&j, "name");
        sco__json_str(&j, st->cfg->name);
        sco__json_key(&j, "plugin");
        sco__json_str(&j, st->plugin->desc->name);
        sco__json_key(&j, "plugin_version");
        sco__json_str(&j, st->plugin->desc->version);
        sco__json_key(&j, "status");
        sco__json_str(&j, sco__status_name(s->status));
        sco__json_key(&j, "started");
        if (s->started > 0) {
            sco__format_utc(s->started, true, ts);
            sco__json_str(&j, ts);
        } else {
            sco__json_null(&j);
        }
        sco__json_key(&j, "duration_s");
        if (s->started > 0)
            sco__json_f64(&j, s->duration);
        else
            sco__json_null(&j);
        sco__json_key(&j, "rows_in");
        sco__json_i64(&j, s->rows_in);
        sco__json_key(&j, "rows_out");
        sco__json_i64(&j, s->rows_out);
        sco__json_key(&j, "outputs");
        sco__json_arr_begin(&j);
        if (s->outputs && *s->outputs) {
            char *copy = sco__xstrdup(s->outputs), *save = NULL;
            for (char *t = strtok_r(copy, SCO__FILE_SEP_S, &save); t;
                 t = strtok_r(NULL, SCO__FILE_SEP_S, &save))
                sco__json_str(&j, t);
            free(copy);
        }
        sco__json_arr_end(&j);
        sco__json_key(&j, "timeout_s");
        {
            double lim = s->status == SCO__ST_TIMED_OUT
                             ? s->timeout
                             : sco__stage_timeout(r->cfg, st->cfg, NULL);
            if (lim > 0)
                sco__json_f64(&j, lim);
            else
                sco__json_null(&j);
        }
        sco__json_key(&j, "signal");
        if (s->signal)
            sco__json_str(&j, sco__signal_name(s->signal));
        else
            sco__json_null(&j);
        sco__json_key(&j, "error");
        json_str_scrubbed(&j, s->error);
        sco__json_obj_end(&j);
    }
    sco__json_arr_end(&j);
    sco__json_obj_end(&j);
    sco__buf_putc(&b, '\n');

    char *path = sco__path_join(dir, "manifest.json");
    struct sco_outfile *of = NULL;
    int rc = sco__outfile_open(path, &of, err);
    if (rc == 0) {
        fwrite(b.s, 1, b.len, sco__outfile_stream(of));
        rc = sco__outfile_commit(of, err);
    }
    free(path);
    sco__buf_fini(&b);
    return rc;
}

/* ---- supervision ------------------------------------------------------------------------ */
static volatile sig_atomic_t parent_signals;
static volatile pid_t child_pid;

static void parent_on_signal(int sig)
{
    parent_signals++;
    pid_t c = child_pid;
    if (c > 0)
        kill(c, parent_signals > 1 ? SIGKILL : sig);
}

static char *next_field(char **p)
{
    char *s = *p, *tab = s ? strchr(s, '\t') : NULL;
    if (tab) {
        *tab = '\0';
        *p = tab + 1;
    } else {
        *p = NULL;
    }
    return s ? s : (char *)"";
}

static void handle_event(struct parent *P, char *line, long *running)
{
    char *rest = line;
    char *kind = next_field(&rest);
    struct sco__run *r = &P->run;
    if (strcmp(kind, "START") == 0) {
        long idx = strtol(next_field(&rest), NULL, 10);
        if (idx >= 0 && (size_t)idx < r->pipe->n) {
            *running = idx;
            r->st[idx].started = strtod(next_field(&rest), NULL);
            r->st[idx].started_mono = sco__mono();
        }
    } else if (strcmp(kind, "END") == 0) {
        long idx = strtol(next_field(&rest), NULL, 10);
        if (idx < 0 || (size_t)idx >= r->pipe->n)
            return;
        struct sco__stage_state *s = &r->st[idx];
        s->status = (enum sco__status)atoi(next_field(&rest));
        s->code = atoi(next_field(&rest));
        s->write_failed = atoi(next_field(&rest)) != 0;
        s->started = strtod(next_field(&rest), NULL);
        s->duration = strtod(next_field(&rest), NULL);
        s->rows_in = strtoll(next_field(&rest), NULL, 10);
        s->rows_out = strtoll(next_field(&rest), NULL, 10);
        free(s->outputs);
        s->outputs = sco__xstrdup(next_field(&rest));
        const char *e = next_field(&rest);
        free(s->error);
        s->error = *e ? sco__xstrdup(e) : NULL;
        *running = -1;
    } else if (strcmp(kind, "DEVICE") == 0) {
        snprintf(r->device, sizeof r->device, "%s", next_field(&rest));
    } else if (strcmp(kind, "FATAL") == 0) {
        P->fatal_code = atoi(next_field(&rest));
        P->fatal_phase = (enum sco__phase)atoi(next_field(&rest));
        free(P->fatal_msg);
        P->fatal_msg = sco__xstrdup(next_field(&rest));
    }
}

static bool any_pending(const struct sco__run *r)
{
    for (size_t i = 0; i < r->pipe->n; i++)
        if (r->pipe->stages[i].selected && r->st[i].status == SCO__ST_PENDING)
            return true;
    return false;
}

/* ---- stage time limits ------------------------------------------------------------------ */
/* The grace a stage gets between cancelled() turning true and the kill: 10% of its limit,
 * at least 1 s and at most 30 s. */
static double timeout_grace(double limit)
{
    double g = limit * 0.1;
    return g < 1 ? 1 : g > 30 ? 30 : g;
}

struct timeout_watch {
    long stage;     /* the stage being watched, -1: none */
    double limit;   /* its limit in seconds */
    bool cancelled; /* cancelled() turned true for it */
    bool killed;    /* the worker was killed for it */
};

static char *timeout_message(const struct parent *P, long idx, double limit, bool killed)
{
    const struct sco__stage *st = &P->run.pipe->stages[idx];
    char lim[32], *key = NULL;
    sco__duration_format(limit, lim);
    sco__stage_timeout(P->run.cfg, st->cfg, &key);
    char *m = sco__xasprintf(
        "stage '%s' (plugin %s) ran past its time limit of %s (%s) and %s; raise the limit "
        "or make the stage faster",
        st->cfg->name, st->plugin->desc->name, lim, key,
        killed ? "was killed because it did not stop when cancelled"
               : "stopped when cancelled");
    free(key);
    return m;
}

/* Called around every poll() of the worker's events: sends the cancel and the kill when their
 * time has come, and returns how long poll() may wait (ms, -1: no limit). */
static int watch_timeout(struct parent *P, long running, struct timeout_watch *tw)
{
    const struct sco__run *r = &P->run;
    if (tw->killed || running < 0 || P->cancelled || parent_signals)
        return -1; /* after the kill, only the end of the worker is left to see */
    if (tw->stage != running) {
        tw->stage = running;
        tw->limit = sco__stage_timeout(r->cfg, r->pipe->stages[running].cfg, NULL);
        tw->cancelled = tw->killed = false;
    }
    if (tw->limit <= 0 || tw->killed)
        return -1;
    double now = sco__mono(), t0 = r->st[running].started_mono;
    double cancel_at = t0 + tw->limit, kill_at = cancel_at + timeout_grace(tw->limit);
    if (!tw->cancelled && now >= cancel_at) {
        char lim[32];
        sco__duration_format(tw->limit, lim);
        sco__host_log(r->pipe->stages[running].cfg->name, SCO_LOG_WARN,
                      "ran past its time limit of %s; cancelling it (killed in %.0f s if it "
                      "does not stop)",
                      lim, timeout_grace(tw->limit));
        union sigval v = { .sival_int = (int)running };
        sigqueue(P->child, SCO__TIMEOUT_SIGNAL, v);
        tw->cancelled = true;
    }
    if (tw->cancelled && now >= kill_at) {
        kill(P->child, SIGKILL);
        tw->killed = true;
        return -1;
    }
    double next = tw->cancelled ? kill_at : cancel_at;
    double ms = ceil((next - now) * 1000);
    return ms < 1 ? 1 : ms > 60000 ? 60000 : (int)ms;
}

/* The worker reported a stage's end after its limit passed: a clean stop counts as timed out,
 * a success within the grace stays a success. */
static void timeout_ended(struct parent *P, long idx, const struct timeout_watch *tw)
{
    struct sco__stage_state *s = &P->run.st[idx];
    if (tw->stage != idx || !tw->cancelled || P->cancelled)
        return;
    if (s->status == SCO__ST_OK) {
        sco__host_log(P->run.pipe->stages[idx].cfg->name, SCO_LOG_WARN,
                      "finished %.1f s after its time limit, within the grace; kept",
                      s->duration - tw->limit);
        return;
    }
    s->status = SCO__ST_TIMED_OUT;
    s->code = SCO_ERR_CANCELLED;
    s->timeout = tw->limit;
    free(s->error);
    s->error = timeout_message(P, idx, tw->limit, false);
    sco__host_log(P->run.pipe->stages[idx].cfg->name, SCO_LOG_ERROR, "%s", s->error);
}

/* One worker: fork, read its events until it exits. Returns false when no further worker
 * should be started. */
static bool supervise_one(struct parent *P)
{
    struct sco__run *r = &P->run;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        P->fatal_code = SCO_ERR_INTERNAL;
        P->fatal_msg = sco__xasprintf("cannot create a pipe: %s", strerror(errno));
        return false;
    }
    fflush(NULL);
    pid_t parent_pid = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        P->fatal_code = SCO_ERR_INTERNAL;
        P->fatal_msg = sco__xasprintf("cannot start the worker: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        close(fds[0]);
        /* a worker must not outlive its supervisor (kill -9 of the parent) */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent_pid)
            _exit(SCO_EXIT_SOFTWARE);
        struct sigaction dfl = { 0 };
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGTERM, &dfl, NULL);
        int rc = sco__worker_main(r, fds[1]);
        fflush(NULL);
        _exit(rc);
    }
    child_pid = pid;
    P->child = pid;
    if (parent_signals) /* arrived between fork() and now */
        kill(pid, SIGTERM);
    close(fds[1]);

    long running = -1;
    struct timeout_watch tw = { .stage = -1 };
    struct sco__buf acc = { 0 };
    char buf[4096];
    for (;;) {
        struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
        int pr = poll(&pfd, 1, watch_timeout(P, running, &tw));
        if (pr < 0 && errno != EINTR)
            break;
        if (pr <= 0)
            continue;
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        sco__buf_putn(&acc, buf, (size_t)n);
        char *start = acc.s, *nl;
        while ((nl = memchr(start, '\n', acc.len - (size_t)(start - acc.s)))) {
            *nl = '\0';
            long was = running;
            handle_event(P, start, &running);
            if (was >= 0 && running < 0)
                timeout_ended(P, was, &tw);
            start = nl + 1;
            /* keep the manifest current: evidence even if this process is killed */
            struct sco_err e = { 0 };
            write_manifest(P, r->staging, "running", -1, &e);
        }
        size_t left = acc.len - (size_t)(start - acc.s);
        memmove(acc.s, start, left);
        acc.len = left;
        acc.s[left] = '\0';
    }
    sco__buf_fini(&acc);
    close(fds[0]);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    child_pid = 0;
    if (parent_signals)
        P->cancelled = true;

    if (WIFSIGNALED(status) && running >= 0 && tw.stage == running && tw.killed &&
        !P->cancelled) {
        struct sco__stage_state *s = &r->st[running];
        s->status = SCO__ST_TIMED_OUT;
        s->code = SCO_ERR_CANCELLED;
        s->timeout = tw.limit;
        s->duration = sco__now() - s->started;
        free(s->error);
        s->error = timeout_message(P, running, tw.limit, true);
        sco__host_log(r->pipe->stages[running].cfg->name, SCO_LOG_ERROR, "%s", s->error);
        struct sco_err e = { 0 };
        write_manifest(P, r->staging, "running", -1, &e);
        return true; /* a fresh worker runs what does not depend on it */
    }
    if (WIFSIGNALED(status) && running < 0 && tw.killed && !P->cancelled)
        return true; /* the timed-out stage ended just before the kill: go on */
    if (WIFSIGNALED(status) && running >= 0 && tw.killed && tw.stage != running &&
        !P->cancelled) {
        /* the timed-out stage ended just as the kill went out and hit the next one: that one
         * did nothing wrong, so a fresh worker runs it again */
        struct sco__stage_state *s = &r->st[running];
        s->status = SCO__ST_PENDING;
        s->started = s->duration = 0;
        return true;
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (running >= 0) {
            struct sco__stage_state *s = &r->st[running];
            s->status = P->cancelled ? SCO__ST_CANCELLED : SCO__ST_CRASHED;
            s->signal = P->cancelled ? 0 : sig;
            s->code = P->cancelled ? SCO_ERR_CANCELLED : SCO_ERR_INTERNAL;
            s->duration = sco__now() - s->started;
            free(s->error);
            s->error = P->cancelled
                           ? sco__xasprintf("killed by %s while cancelling", sco__signal_name(sig))
                           : sco__xasprintf("stage '%s' (plugin %s) crashed with %s",
                                            r->pipe->stages[running].cfg->name,
                                            r->pipe->stages[running].plugin->desc->name,
                                            sco__signal_name(sig));
            sco__host_log(r->pipe->stages[running].cfg->name, SCO_LOG_ERROR, "%s", s->error);
            struct sco_err e = { 0 };
            write_manifest(P, r->staging, "running", -1, &e);
            return !P->cancelled; /* a fresh worker runs what does not depend on it */
        }
        if (!P->fatal_msg) {
            P->fatal_code = P->cancelled ? SCO_ERR_CANCELLED : SCO_ERR_INTERNAL;
            P->fatal_msg = sco__xasprintf("the worker died with %s outside any stage",
                                          sco__signal_name(sig));
        }
        return false;
    }
    if (WIFEXITED(status) && running >= 0) {
        /* exit() or a sanitizer's report inside a plugin: the stage died like a crash */
        struct sco__stage_state *s = &r->st[running];
        s->status = SCO__ST_CRASHED;
        s->code = SCO_ERR_INTERNAL;
        s->duration = sco__now() - s->started;
        free(s->error);
        s->error = sco__xasprintf("stage '%s' (plugin %s) ended the process with exit status %d",
                                  r->pipe->stages[running].cfg->name,
                                  r->pipe->stages[running].plugin->desc->name,
                                  WEXITSTATUS(status));
        sco__host_log(r->pipe->stages[running].cfg->name, SCO_LOG_ERROR, "%s", s->error);
        struct sco_err e = { 0 };
        write_manifest(P, r->staging, "running", -1, &e);
        return !P->cancelled;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && !P->fatal_msg) {
        P->fatal_code = SCO_ERR_INTERNAL;
        P->fatal_msg = sco__xasprintf("the worker exited with status %d", WEXITSTATUS(status));
    }
    return false;
}

static int final_exit(const struct parent *P)
{
    if (P->fatal_msg)
        return sco__exit_code(P->fatal_code, P->fatal_phase);
    const struct sco__pipeline *p = P->run.pipe;
    int ex = 0;
    for (size_t o = 0; o < p->n && !ex; o++) {
        const struct sco__stage_state *s = &P->run.st[p->order[o]];
        switch (s->status) {
        case SCO__ST_FAILED:
            ex = s->write_failed ? SCO_EXIT_CANTCREAT
                                 : sco__exit_code(s->code, SCO__PHASE_STAGE);
            break;
        case SCO__ST_CRASHED:
        case SCO__ST_TIMED_OUT:
        case SCO__ST_CANCELLED: ex = SCO_EXIT_SOFTWARE; break;
        default: break;
        }
    }
    if (!ex)
        for (size_t o = 0; o < p->n && !ex; o++)
            if (P->run.st[p->order[o]].status == SCO__ST_SKIPPED ||
                (p->stages[p->order[o]].selected &&
                 P->run.st[p->order[o]].status == SCO__ST_PENDING))
                ex = SCO_EXIT_SOFTWARE;
    return ex;
}

/* Puts staging in place of final: atomic exchange when the folder exists. */
static int swap_into_place(const char *staging, const char *final, struct sco_err *err)
{
    struct stat st;
    if (lstat(final, &st) != 0) {
        if (rename(staging, final) != 0)
            return sco_err_set(err, SCO_ERR_IO, "cannot rename '%s' to '%s': %s", staging,
                               final, strerror(errno));
        return 0;
    }
    if (renameat2(AT_FDCWD, staging, AT_FDCWD, final, RENAME_EXCHANGE) == 0) {
        sco__rm_rf(staging); /* now holds the previous run's outputs */
        return 0;
    }
    /* file systems without RENAME_EXCHANGE: two renames, a moment without `final` */
    char *old = sco__xasprintf("%s.old-%d", staging, (int)getpid());
    if (rename(final, old) != 0 || rename(staging, final) != 0) {
        int e = errno;
        rename(old, final);
        free(old);
        return sco_err_set(err, SCO_ERR_IO, "cannot move '%s' into place as '%s': %s",
                           staging, final, strerror(e));
    }
    sco__rm_rf(old);
    free(old);
    return 0;
}

int sco__cmd_run(const struct sco__run_opts *o)
{
    struct parent P = { .opts = o };
    struct sco__run *r = &P.run;
    struct sco__config *cfg = NULL;
    struct sco__search search;
    struct sco__pipeline *pipe = NULL;
    struct sco_err err = { 0 };
    int lock_fd = -1, ex;
    char *parent_dir = NULL, *lock_path = NULL;

    P.started = sco__now();
    P.started_mono = sco__mono();
    {
        time_t t = (time_t)P.started;
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(r->run_id, sizeof r->run_id, "%04d%02d%02dT%02d%02d%02dZ-%d",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)getpid());
    }
    sco__log_setup(sco__log_get_format(), r->run_id);
    ex = prepare(o->config, o->log_format, r->run_id, &cfg, &search, &pipe);
    if (ex)
        goto out;
    r->cfg = cfg;
    r->pipe = pipe;
    if (sco__pipeline_select(pipe, o->only, o->skip, &err)) {
        sco__host_log(NULL, SCO_LOG_ERROR, "%s", err.msg);
        ex = SCO_EXIT_USAGE;
        goto out;
    }
    if (o->date) {
        if (sco_date_parse(o->date, strlen(o->date), &r->date) != 0) {
            sco__host_log(NULL, SCO_LOG_ERROR, "--date '%s' is not a date; write YYYY-MM-DD",
                     o->date);
            ex = SCO_EXIT_USAGE;
            goto out;
        }
    } else if (cfg->has_date) {
        r->date = cfg->date;
    } else {
        today(&r->date);
    }
    {
        char *pattern = expand_output(o->out ? o->out : cfg->output, r->date);
        r->out_final = o->out ? pattern : sco__path_join(cfg->dir, pattern);
        if (!o->out)
            free(pattern);
    }
    const char *base = sco__path_base(r->out_final);
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strcmp(base, "/") == 0) {
        sco__host_log(NULL, SCO_LOG_ERROR,
                 "output folder '%s' must end in a folder name, such as out/{date}",
                 r->out_final);
        ex = o->out ? SCO_EXIT_USAGE : SCO_EXIT_CONFIG;
        goto out;
    }
    r->threads = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (r->threads < 1)
        r->threads = 1;
    if (!realpath(cfg->path, P.config_abs))
        snprintf(P.config_abs, sizeof P.config_abs, "%s", cfg->path);

    if (o->dry_run) {
        char ds[SCO_DATE_BUF];
        printf("dry run of %s for %s\n", cfg->path, sco_date_format(r->date, ds));
        print_plan(pipe, r->out_final);
        ex = 0;
        goto out;
    }

    /* from here on SIGINT/SIGTERM cancel the run cleanly (the worker gets them forwarded) */
    struct sigaction sa = { 0 };
    sa.sa_handler = parent_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    /* lock, then a staging folder beside the final one (same file system: renames work) */
    parent_dir = sco__path_dir(r->out_final);
    if (sco__mkdir_p(parent_dir, &err) != 0) {
        sco__host_log(NULL, SCO_LOG_ERROR, "%s", err.msg);
        ex = SCO_EXIT_CANTCREAT;
        goto out;
    }
    lock_path = sco__xasprintf("%s/.%s.lock", parent_dir, base);
    if (take_lock(lock_path, r->run_id, P.started, &lock_fd, &err) != 0) {
        sco__host_log(NULL, SCO_LOG_ERROR, "%s", err.msg);
        ex = sco__exit_code(err.code, SCO__PHASE_OUTPUT);
        goto out;
    }
    {
        char real[PATH_MAX];
        P.out_abs = realpath(parent_dir, real) ? sco__xasprintf("%s/%s", real, base)
                                               : sco__xstrdup(r->out_final);
    }
    adopt_stale(parent_dir, base);
    r->staging = sco__xasprintf("%s/.%s.staging-%s", parent_dir, base, r->run_id);
    if (mkdir(r->staging, 0755) != 0) {
        sco__host_log(NULL, SCO_LOG_ERROR, "cannot create '%s': %s", r->staging, strerror(errno));
        ex = SCO_EXIT_CANTCREAT;
        goto out;
    }
    bool partial = false;
    r->st = sco__xcalloc(pipe->n ? pipe->n : 1, sizeof *r->st);
    for (size_t i = 0; i < pipe->n; i++) {
        r->st[i].status = pipe->stages[i].selected ? SCO__ST_PENDING : SCO__ST_NOT_SELECTED;
        partial = partial || !pipe->stages[i].selected;
    }
    if (partial && link_tree(r->out_final, r->staging, true, &err) != 0) {
        sco__host_log(NULL, SCO_LOG_ERROR, "%s", err.msg);
        ex = SCO_EXIT_CANTCREAT;
        goto out;
    }
    if (partial)
        take_over_previous(&P);
    {
        char ds[SCO_DATE_BUF];
        sco__host_log(NULL, SCO_LOG_INFO, "run %s of %s for %s into %s", r->run_id, cfg->path,
                 sco_date_format(r->date, ds), r->out_final);
    }
    write_manifest(&P, r->staging, "running", -1, &err);

    while (any_pending(r) && !P.cancelled && !parent_signals && supervise_one(&P)) {
    }
    if (parent_signals)
        P.cancelled = true;
    if (P.cancelled)
        for (size_t i = 0; i < pipe->n; i++)
            if (r->st[i].status == SCO__ST_PENDING) {
                r->st[i].status = SCO__ST_CANCELLED;
                free(r->st[i].error);
                r->st[i].error = sco__xstrdup("not run: the run was cancelled");
            }

    ex = final_exit(&P);
    /* the worker logs its own fatal errors; these come from the supervisor */
    if (P.fatal_msg && (P.fatal_code == SCO_ERR_INTERNAL || P.fatal_code == SCO_ERR_CANCELLED))
        sco__host_log(NULL, SCO_LOG_ERROR, "%s", P.fatal_msg);
    const char *status = ex == 0 ? "ok" : P.cancelled ? "cancelled" : "failed";
    /* the .spill folder only served reloading between workers */
    char *spill = sco__path_join(r->staging, ".spill");
    sco__rm_rf(spill);
    free(spill);
    if (write_manifest(&P, r->staging, status, ex, &err) != 0) {
        sco__host_log(NULL, SCO_LOG_ERROR, "%s", err.msg);
        if (!ex)
            ex = SCO_EXIT_CANTCREAT;
    }
    if (ex == 0) {
        if (swap_into_place(r->staging, r->out_final, &err) != 0) {
            sco__host_log(NULL, SCO_LOG_ERROR, "%s", err.msg);
            ex = SCO_EXIT_CANTCREAT;
        } else {
            char *link = sco__path_join(parent_dir, "latest");
            if (sco__symlink_replace(base, link, &err) != 0) {
                sco__host_log(NULL, SCO_LOG_ERROR, "outputs are in %s, but %s", r->out_final,
                         err.msg);
                ex = SCO_EXIT_CANTCREAT;
            }
            free(link);
            sco__host_log(NULL, SCO_LOG_INFO, "run %s ok in %.2f s: %s", r->run_id,
                     sco__mono() - P.started_mono, r->out_final);
        }
    }
    if (ex != 0 && r->staging) {
        char *kept = sco__xasprintf("%s/%s.failed-%s", parent_dir, base, r->run_id);
        if (access(r->staging, F_OK) == 0 && rename(r->staging, kept) == 0)
            sco__host_log(NULL, SCO_LOG_ERROR,
                     "run %s %s (exit %d); previous outputs in %s are untouched; this run's "
                     "outputs and manifest are kept in %s",
                     r->run_id, status, ex, r->out_final, kept);
        free(kept);
    }
out:
    if (lock_fd >= 0)
        close(lock_fd);
    if (r->st) {
        for (size_t i = 0; i < pipe->n; i++) {
            free(r->st[i].outputs);
            free(r->st[i].error);
        }
        free(r->st);
    }
    free(P.fatal_msg);
    free(P.out_abs);
    free(r->staging);
    free(r->out_final);
    free(parent_dir);
    free(lock_path);
    sco__pipeline_free(pipe);
    sco__search_fini(&search);
    sco__config_free(cfg);
    return ex;
}
