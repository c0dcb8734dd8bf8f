/* util.c: strings, paths, SHA-256, dates and clocks for the host. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sco-tables.h"
#include "util.h"

static void oom(void)
{
    fputs("sco: out of memory\n", stderr);
    _exit(70);
}

void *sco__xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *sco__xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *sco__xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *sco__xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        oom();
    return d;
}

char *sco__xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom();
    return s;
}

static void buf_grow(struct sco__buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->s = sco__xrealloc(b->s, cap);
    b->cap = cap;
}

void sco__buf_putn(struct sco__buf *b, const char *s, size_t n)
{
    buf_grow(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sco__buf_puts(struct sco__buf *b, const char *s)
{
    sco__buf_putn(b, s, strlen(s));
}

void sco__buf_putc(struct sco__buf *b, char c)
{
    sco__buf_putn(b, &c, 1);
}

void sco__buf_printf(struct sco__buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        sco__buf_putn(b, small, (size_t)n);
        return;
    }
    buf_grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sco__buf_fini(struct sco__buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

char *sco__buf_take(struct sco__buf *b)
{
    char *s = b->s ? b->s : sco__xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

const char *sco__suggest(const char *word, const char *const *cands, size_t n)
{
    return sco__did_you_mean(word, cands, n);
}

void sco__buf_suggest(struct sco__buf *b, const char *word, const char *const *cands, size_t n)
{
    const char *s = sco__suggest(word, cands, n);
    if (s)
        sco__buf_printf(b, " (did you mean '%s'?)", s);
}

char *sco__expand_date(const char *pattern, int64_t date)
{
    char ds[SCO_DATE_BUF];
    sco_date_format(date, ds);
    struct sco__buf b = { 0 };
    for (const char *p = pattern; *p;) {
        if (strncmp(p, "{date}", 6) == 0) {
            sco__buf_puts(&b, ds);
            p += 6;
        } else {
            sco__buf_putc(&b, *p++);
        }
    }
    return sco__buf_take(&b);
}

/* Folds "name/.." and "." segments of path in place where that names the same file: "name"
 * must be a folder that is not a symbolic link (through a link, ".." leads elsewhere), or
 * not exist yet (it will be made as a folder). "configs/../out" becomes "out". */
static void path_tidy(char *path)
{
    bool abs = path[0] == '/';
    char *seg[256];
    size_t n = 0, kept_dotdot = 0;
    char *save = NULL;
    char *copy = sco__xstrdup(path);
    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0)
            continue;
        if (strcmp(t, "..") == 0 && n > kept_dotdot) {
            /* is the folder named by seg[0..n) a real folder (or missing)? */
            struct sco__buf b = { 0 };
            if (abs)
                sco__buf_puts(&b, "/");
            for (size_t i = 0; i < n; i++)
                sco__buf_printf(&b, "%s%s", i ? "/" : "", seg[i]);
            struct stat st;
            bool foldable = lstat(b.s ? b.s : ".", &st) != 0 ? errno == ENOENT
                                                              : S_ISDIR(st.st_mode);
            free(b.s);
            if (foldable) {
                n--;
                continue;
            }
        }
        if (n == sizeof seg / sizeof *seg) {
            free(copy);
            return; /* absurdly deep: leave it as it is */
        }
        if (strcmp(t, "..") == 0 && n == kept_dotdot)
            kept_dotdot++;
        seg[n++] = t;
    }
    char *o = path;
    if (abs)
        *o++ = '/';
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(seg[i]);
        if (i)
            *o++ = '/';
        memmove(o, seg[i], l);
        o += l;
    }
    if (o == path)
        *o++ = '.';
    *o = 0;
    free(copy);
}

char *sco__path_join(const char *dir, const char *rel)
{
    if (!rel)
        return NULL;
    if (rel[0] == '/' || !dir || !*dir || strcmp(dir, ".") == 0)
        return sco__xstrdup(rel);
    size_t dl = strlen(dir);
    char *p = sco__xasprintf("%s%s%s", dir, dir[dl - 1] == '/' ? "" : "/", rel);
    path_tidy(p);
    return p;
}

char *sco__path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return sco__xstrdup(".");
    if (slash == path)
        return sco__xstrdup("/");
    char *d = sco__xmalloc((size_t)(slash - path) + 1);
    memcpy(d, path, (size_t)(slash - path));
    d[slash - path] = '\0';
    return d;
}

const char *sco__path_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int sco__rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISDIR(st.st_mode))
        return unlink(path) == 0 ? 0 : -errno;
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *sub = sco__path_join(path, e->d_name);
        int r = sco__rm_rf(sub);
        if (r && !rc)
            rc = r;
        free(sub);
    }
    closedir(d);
    if (rmdir(path) != 0 && !rc)
        rc = -errno;
    return rc;
}

/* ---- SHA-256 (FIPS 180-4) ---------------------------------------------------------------- */
struct sha256 {
    uint32_t h[8];
    uint8_t block[64];
    size_t fill;
    uint64_t total;
};

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(struct sha256 *s, const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
    uint32_t e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] +
                      w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
    s->h[5] += f;
    s->h[6] += g;
    s->h[7] += h;
}

static void sha_init(struct sha256 *s)
{
    static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    memcpy(s->h, h0, sizeof h0);
    s->fill = 0;
    s->total = 0;
}

static void sha_update(struct sha256 *s, const uint8_t *p, size_t n)
{
    s->total += n;
    while (n) {
        size_t take = 64 - s->fill < n ? 64 - s->fill : n;
        memcpy(s->block + s->fill, p, take);
        s->fill += take;
        p += take;
        n -= take;
        if (s->fill == 64) {
            sha_block(s, s->block);
            s->fill = 0;
        }
    }
}

static void sha_final(struct sha256 *s, uint8_t out[32])
{
    uint64_t bits = s->total * 8;
    uint8_t pad = 0x80, zero = 0;
    sha_update(s, &pad, 1);
    while (s->fill != 56)
        sha_update(s, &zero, 1);
    uint8_t len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha_update(s, len, 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
}

void sco__sha256(const void *data, size_t n, uint8_t out[32])
{
    struct sha256 s;
    sha_init(&s);
    sha_update(&s, data, n);
    sha_final(&s, out);
}

int sco__sha256_file(const char *path, char hex[65])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct sha256 s;
    sha_init(&s);
    uint8_t buf[65536];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return -e;
        }
        if (r == 0)
            break;
        sha_update(&s, buf, (size_t)r);
    }
    close(fd);
    uint8_t d[32];
    sha_final(&s, d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return 0;
}

double sco__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double sco__mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void sco__format_utc(double t, bool with_ms, char out[SCO__TS_BUF])
{
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    if (with_ms) {
        int ms = (int)((t - (double)s) * 1000.0);
        if (ms > 999)
            ms = 999;
        snprintf(out, SCO__TS_BUF, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    } else {
        snprintf(out, SCO__TS_BUF, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
}

const char *sco__signal_name(int sig)
{
    static char buf[32];
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev) {
        snprintf(buf, sizeof buf, "SIG%s", abbrev);
        return buf;
    }
    snprintf(buf, sizeof buf, "signal %d", sig);
    return buf;
}
