/* log.c: one line per message, text or JSON, with run id and stage; secrets scrubbed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "util.h"

static struct {
    enum sco__log_format fmt;
    char run_id[64];
    enum sco_log_level min;
    int tty; /* -1: not checked yet */
    char **secrets;
    size_t n_secrets;
    bool bar_shown;
    double bar_last;
} L = { .fmt = SCO__LOG_TEXT, .min = SCO_LOG_INFO, .tty = -1 };

static bool is_tty(void)
{
    if (L.tty < 0)
        L.tty = isatty(STDERR_FILENO);
    return L.tty == 1;
}

void sco__log_setup(enum sco__log_format fmt, const char *run_id)
{
    L.fmt = fmt;
    snprintf(L.run_id, sizeof L.run_id, "%s", run_id ? run_id : "");
    const char *lv = getenv("SCO_LOG_LEVEL");
    if (lv) {
        if (strcmp(lv, "debug") == 0)
            L.min = SCO_LOG_DEBUG;
        else if (strcmp(lv, "warn") == 0)
            L.min = SCO_LOG_WARN;
        else if (strcmp(lv, "error") == 0)
            L.min = SCO_LOG_ERROR;
    }
}

enum sco__log_format sco__log_get_format(void)
{
    return L.fmt;
}

void sco__secret_add(const char *value)
{
    if (!value || strlen(value) < 3)
        return; /* too short to scrub without mangling ordinary text */
    for (size_t i = 0; i < L.n_secrets; i++)
        if (strcmp(L.secrets[i], value) == 0)
            return;
    L.secrets = sco__xrealloc(L.secrets, (L.n_secrets + 1) * sizeof *L.secrets);
    L.secrets[L.n_secrets++] = sco__xstrdup(value);
}

char *sco__scrub(const char *s)
{
    char *cur = sco__xstrdup(s);
    for (size_t i = 0; i < L.n_secrets; i++) {
        const char *sec = L.secrets[i];
        if (!strstr(cur, sec))
            continue;
        struct sco__buf b = { 0 };
        const char *p = cur, *hit;
        while ((hit = strstr(p, sec))) {
            sco__buf_putn(&b, p, (size_t)(hit - p));
            sco__buf_puts(&b, "***");
            p = hit + strlen(sec);
        }
        sco__buf_puts(&b, p);
        free(cur);
        cur = sco__buf_take(&b);
    }
    return cur;
}

static const char *level_name(enum sco_log_level lvl)
{
    switch (lvl) {
    case SCO_LOG_DEBUG: return "debug";
    case SCO_LOG_INFO: return "info";
    case SCO_LOG_WARN: return "warn";
    default: return "error";
    }
}

void sco__progress_clear(void)
{
    if (L.bar_shown) {
        fputs("\r\033[K", stderr);
        L.bar_shown = false;
    }
}

void sco__host_logv(const char *stage, enum sco_log_level lvl, const char *fmt, va_list ap)
{
    if (lvl < L.min)
        return;
    struct sco__buf msg = { 0 };
    char small[1024];
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(small, sizeof small, fmt, aq);
    va_end(aq);
    if (n > 0) {
        char *tmp = small;
        if ((size_t)n >= sizeof small) {
            tmp = sco__xmalloc((size_t)n + 1);
            vsnprintf(tmp, (size_t)n + 1, fmt, ap);
        }
        /* strip trailing newlines: one message, one line */
        while (n > 0 && (tmp[n - 1] == '\n' || tmp[n - 1] == '\r'))
            tmp[--n] = '\0';
        sco__buf_puts(&msg, tmp);
        if (tmp != small)
            free(tmp);
    }
    char *clean = sco__scrub(msg.s ? msg.s : "");
    sco__buf_fini(&msg);

    struct sco__buf line = { 0 };
    double now = sco__now();
    if (L.fmt == SCO__LOG_JSON) {
        char ts[SCO__TS_BUF];
        sco__format_utc(now, true, ts);
        struct sco__json j;
        sco__json_init(&j, &line, false);
        sco__json_obj_begin(&j);
        sco__json_key(&j, "ts");
        sco__json_str(&j, ts);
        sco__json_key(&j, "run_id");
        sco__json_str(&j, L.run_id[0] ? L.run_id : NULL);
        sco__json_key(&j, "stage");
        sco__json_str(&j, stage);
        sco__json_key(&j, "level");
        sco__json_str(&j, level_name(lvl));
        sco__json_key(&j, "msg");
        sco__json_str(&j, clean);
        sco__json_obj_end(&j);
        sco__buf_putc(&line, '\n');
    } else {
        time_t t = (time_t)now;
        struct tm tm;
        localtime_r(&t, &tm);
        bool color = is_tty() && !getenv("NO_COLOR");
        const char *on = "", *off = "";
        if (color) {
            on = lvl == SCO_LOG_ERROR ? "\033[1;31m"
                 : lvl == SCO_LOG_WARN ? "\033[33m"
                 : lvl == SCO_LOG_DEBUG ? "\033[2m"
                                        : "";
            off = *on ? "\033[0m" : "";
        }
        /* a terminal shows the time of day; a log file (cron, journald) the full date */
        if (!is_tty())
            sco__buf_printf(&line, "%04d-%02d-%02d ", tm.tm_year + 1900, tm.tm_mon + 1,
                            tm.tm_mday);
        sco__buf_printf(&line, "%02d:%02d:%02d %s%-5s%s %s: %s\n", tm.tm_hour, tm.tm_min,
                        tm.tm_sec, on, level_name(lvl), off, stage ? stage : "sco", clean);
    }
    free(clean);
    sco__progress_clear();
    fputs(line.s, stderr);
    fflush(stderr);
    sco__buf_fini(&line);
}

void sco__host_log(const char *stage, enum sco_log_level lvl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sco__host_logv(stage, lvl, fmt, ap);
    va_end(ap);
}

void sco__progress(const char *stage, double done, double total, const char *note)
{
    if (L.fmt != SCO__LOG_TEXT || !is_tty())
        return;
    double now = sco__mono();
    bool finished = total > 0 && done >= total;
    if (!finished && now - L.bar_last < 0.1)
        return;
    L.bar_last = now;
    char bar[64] = "";
    if (total > 0) {
        double f = done / total;
        f = f < 0 ? 0 : f > 1 ? 1 : f;
        int w = 24, full = (int)(f * w + 0.5);
        for (int i = 0; i < w; i++)
            bar[i] = i < full ? '#' : '.';
        bar[w] = '\0';
        fprintf(stderr, "\r\033[K%s [%s] %3.0f%% %.60s", stage ? stage : "sco", bar, f * 100.0,
                note ? note : "");
    } else {
        fprintf(stderr, "\r\033[K%s %.0f %.60s", stage ? stage : "sco", done,
                note ? note : "");
    }
    fflush(stderr);
    L.bar_shown = true;
}
