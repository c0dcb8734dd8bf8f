/* params.c: named parameter sets, initialisation, and the checksummed parameter file.
 *
 * File format (little-endian; version 1):
 *   "SCOPARAM" (8 bytes) | u32 format version | u32 count
 *   count x { u16 name length | name bytes | u8 dtype | u8 ndim | ndim x i64 size | data }
 *   u32 CRC-32 (IEEE) of every byte before it
 * Loading reads and checks the whole file before copying anything into the set. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

#define MAGIC "SCOPARAM"
#define FORMAT_VERSION 1u
#define NAME_MAX_LEN 127

/* ---- CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) ---- */
static uint32_t crc_table[256];

static void crc_init(void)
{
    if (crc_table[1])
        return;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32_update(uint32_t crc, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ---- RNG for init: xoshiro-like stream from splitmix64 ---- */
struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    r->s += 0x9e3779b97f4a7c15ull;
    return sco__mix64(r->s);
}

static double rng_unif(struct rng *r) /* [0, 1) */
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_normal(struct rng *r)
{
    double u1 = rng_unif(r), u2 = rng_unif(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static uint64_t hash_name(uint64_t seed, const char *s)
{
    uint64_t h = 1469598103934665603ull ^ seed;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return sco__mix64(h);
}

struct sco_params *sco__params_new(struct sco_runtime *R, uint64_t seed, struct sco_err *err)
{
    if (!R) {
        sco_err_set(err, SCO_ERR_INVALID, "params_new: runtime is NULL");
        return NULL;
    }
    struct sco_params *ps = calloc(1, sizeof *ps);
    if (!ps) {
        sco_err_set(err, SCO_ERR_NOMEM, "out of memory creating a parameter set");
        return NULL;
    }
    ps->R = R;
    ps->seed = seed;
    return ps;
}

void sco__params_free(struct sco_params *ps)
{
    if (!ps)
        return;
    for (int i = 0; i < ps->n; i++) {
        sco__mem_free(ps->R, ps->ts[i]->data);
        sco__mem_free(ps->R, ps->ts[i]->grad);
        free(ps->ts[i]->name);
        free(ps->ts[i]);
    }
    free(ps->ts);
    free(ps);
}

struct sco_tensor *sco__param_get(struct sco_params *ps, const char *name)
{
    if (!ps || !name)
        return NULL;
    for (int i = 0; i < ps->n; i++)
        if (strcmp(ps->ts[i]->name, name) == 0)
            return ps->ts[i];
    return NULL;
}

static void fans(const struct sco_tensor *t, double *fin, double *fout)
{
    if (t->ndim == 1) {
        *fin = *fout = (double)t->shape[0];
    } else if (t->ndim == 2) {
        *fin = (double)t->shape[0];
        *fout = (double)t->shape[1];
    } else {
        /* [k..., in, out]: receptive field = product of the leading sizes */
        double rf = 1;
        for (int i = 0; i < t->ndim - 2; i++)
            rf *= (double)t->shape[i];
        *fin = rf * (double)t->shape[t->ndim - 2];
        *fout = rf * (double)t->shape[t->ndim - 1];
    }
}

static void init_values(struct sco_params *ps, struct sco_tensor *t, enum sco_init init,
                        float scale)
{
    float *d = t->data;
    struct rng r = { hash_name(ps->seed, t->name) };
    double fin, fout, gain = scale != 0 ? scale : 1.0;
    fans(t, &fin, &fout);
    double a = 0, sd = 0;
    bool normal = false;
    switch (init) {
    case SCO_INIT_ZEROS:
        memset(d, 0, (size_t)t->n * sizeof *d);
        return;
    case SCO_INIT_ONES:
    case SCO_INIT_CONST:
        for (int64_t i = 0; i < t->n; i++)
            d[i] = init == SCO_INIT_ONES ? 1.0f : scale;
        return;
    case SCO_INIT_NORMAL:
        normal = true;
        sd = scale != 0 ? scale : 0.02;
        break;
    case SCO_INIT_UNIFORM:
        a = scale != 0 ? scale : 0.05;
        break;
    case SCO_INIT_XAVIER_UNIFORM:
        a = gain * sqrt(6.0 / (fin + fout));
        break;
    case SCO_INIT_XAVIER_NORMAL:
        normal = true;
        sd = gain * sqrt(2.0 / (fin + fout));
        break;
    case SCO_INIT_HE_UNIFORM:
        a = gain * sqrt(6.0 / fin);
        break;
    case SCO_INIT_HE_NORMAL:
        normal = true;
        sd = gain * sqrt(2.0 / fin);
        break;
    }
    for (int64_t i = 0; i < t->n; i++)
        d[i] = normal ? (float)(sd * rng_normal(&r)) : (float)(a * (2.0 * rng_unif(&r) - 1.0));
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '/' || c == '-'))
            return false;
    }
    return true;
}

struct sco_tensor *sco__param(struct sco_params *ps, const char *name, int ndim,
                              const int64_t *shape, enum sco_init init, float scale,
                              struct sco_err *err)
{
    if (!ps || !name || !shape) {
        sco_err_set(err, SCO_ERR_INVALID, "param: parameter set, name and shape are required");
        return NULL;
    }
    if (!valid_name(name)) {
        sco_err_set(err, SCO_ERR_INVALID,
                    "param: invalid name '%s'; use 1 to %d of [A-Za-z0-9_./-]", name,
                    NAME_MAX_LEN);
        return NULL;
    }
    if (sco__param_get(ps, name)) {
        sco_err_set(err, SCO_ERR_INVALID, "param: '%s' already exists in this set", name);
        return NULL;
    }
    if (ndim < 1 || ndim > SCO_MAX_DIMS) {
        sco_err_set(err, SCO_ERR_INVALID, "param '%s': %d dimensions; 1 to %d are supported",
                    name, ndim, SCO_MAX_DIMS);
        return NULL;
    }
    if ((int)init < SCO_INIT_ZEROS || init > SCO_INIT_HE_NORMAL) {
        sco_err_set(err, SCO_ERR_INVALID, "param '%s': unknown init scheme %d", name, (int)init);
        return NULL;
    }
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1) {
            sco_err_set(err, SCO_ERR_INVALID, "param '%s': size %lld at dimension %d", name,
                        (long long)shape[i], i);
            return NULL;
        }
        n *= shape[i];
    }
    if (ps->n == ps->cap) {
        int cap = ps->cap ? ps->cap * 2 : 16;
        struct sco_tensor **ts = realloc(ps->ts, (size_t)cap * sizeof *ts);
        if (!ts)
            goto nomem;
        ps->ts = ts;
        ps->cap = cap;
    }
    struct sco_tensor *t = calloc(1, sizeof *t);
    if (!t)
        goto nomem;
    t->ps = ps;
    t->dtype = SCO_F32;
    t->ndim = ndim;
    memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
    t->n = n;
    t->needs_grad = true;
    t->id = -1;
    t->name = strdup(name);
    t->data = sco__mem_alloc(ps->R, (size_t)n * sizeof(float));
    t->grad = sco__mem_alloc(ps->R, (size_t)n * sizeof(float));
    if (!t->name || !t->data || !t->grad) {
        sco__mem_free(ps->R, t->data);
        sco__mem_free(ps->R, t->grad);
        free(t->name);
        free(t);
        goto nomem;
    }
    init_values(ps, t, init, scale);
    ps->ts[ps->n++] = t;
    return t;
nomem:
    sco_err_set(err, SCO_ERR_NOMEM, "param '%s': out of memory for %d-D tensor", name, ndim);
    return NULL;
}

size_t sco__params_count(const struct sco_params *ps)
{
    return ps ? (size_t)ps->n : 0;
}

int64_t sco__params_numel(const struct sco_params *ps)
{
    int64_t s = 0;
    for (int i = 0; ps && i < ps->n; i++)
        s += ps->ts[i]->n;
    return s;
}

void sco__params_zero_grad(struct sco_params *ps)
{
    if (!ps || sco__sync(ps->R, NULL))
        return;
    for (int i = 0; i < ps->n; i++)
        memset(ps->ts[i]->grad, 0, (size_t)ps->ts[i]->n * sizeof(float));
}

/* ---- writing ---- */

struct wbuf {
    FILE *f;
    uint32_t crc;
    bool ok;
};

static void wr(struct wbuf *w, const void *p, size_t n)
{
    if (!w->ok)
        return;
    w->crc = crc32_update(w->crc, p, n);
    if (fwrite(p, 1, n, w->f) != n)
        w->ok = false;
}

static void wr_u32(struct wbuf *w, uint32_t v)
{
    unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24) };
    wr(w, b, 4);
}

static void wr_i64(struct wbuf *w, int64_t v)
{
    uint64_t u = (uint64_t)v;
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(u >> (8 * i));
    wr(w, b, 8);
}

int sco__params_write(const struct sco_params *ps, FILE *f, const char *what,
                      struct sco_err *err)
{
    if (!ps || !f)
        return sco_err_set(err, SCO_ERR_INVALID, "params_write: set and stream are required");
    if (!what)
        what = "stream";
    int rc = sco__sync(ps->R, err);
    if (rc)
        return rc;
    crc_init();
    struct wbuf w = { f, 0, true };
    wr(&w, MAGIC, 8);
    wr_u32(&w, FORMAT_VERSION);
    wr_u32(&w, (uint32_t)ps->n);
    for (int i = 0; i < ps->n; i++) {
        const struct sco_tensor *t = ps->ts[i];
        uint16_t len = (uint16_t)strlen(t->name);
        unsigned char lb[2] = { (unsigned char)len, (unsigned char)(len >> 8) };
        wr(&w, lb, 2);
        wr(&w, t->name, len);
        unsigned char hd[2] = { (unsigned char)t->dtype, (unsigned char)t->ndim };
        wr(&w, hd, 2);
        for (int d = 0; d < t->ndim; d++)
            wr_i64(&w, t->shape[d]);
        /* x86-64 and aarch64 are little-endian: float bytes go out as they are */
        wr(&w, t->data, (size_t)t->n * sizeof(float));
    }
    uint32_t crc = w.crc;
    wr_u32(&w, crc);
    if (!w.ok || fflush(f) != 0)
        return sco_err_set(err, SCO_ERR_IO, "cannot write parameters to '%s': %s", what,
                           strerror(errno));
    return 0;
}

int sco__params_save(const struct sco_params *ps, const char *path, struct sco_err *err)
{
    if (!ps || !path)
        return sco_err_set(err, SCO_ERR_INVALID, "params_save: set and path are required");
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    snprintf(tmp, n, "%s.tmp", path);
    int rc = 0;
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        rc = sco_err_set(err, SCO_ERR_IO, "cannot create '%s': %s", tmp, strerror(errno));
        goto out;
    }
    rc = sco__params_write(ps, f, path, err);
    if (rc == 0 && fsync(fileno(f)) != 0)
        rc = sco_err_set(err, SCO_ERR_IO, "cannot sync '%s': %s", tmp, strerror(errno));
    if (fclose(f) != 0 && rc == 0)
        rc = sco_err_set(err, SCO_ERR_IO, "cannot close '%s': %s", tmp, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = sco_err_set(err, SCO_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, path,
                         strerror(errno));
    if (rc != 0)
        unlink(tmp);
out:
    free(tmp);
    return rc;
}

/* ---- reading ---- */

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int64_t get_i64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)p[i] << (8 * i);
    return (int64_t)u;
}

#define CORRUPT(...) sco_err_set(err, SCO_ERR_DATA, __VA_ARGS__)

/* Checks buf (the whole file) against the set; on success copies the values. */
static int load_buffer(struct sco_params *ps, const unsigned char *buf, size_t n,
                       const char *what, struct sco_err *err)
{
    if (n < 20 || memcmp(buf, MAGIC, 8) != 0)
        return CORRUPT("'%s' is not a sco parameter file (%s); check the path", what,
                       n < 20 ? "too short" : "bad magic");
    crc_init();
    uint32_t stored = get_u32(buf + n - 4);
    if (crc32_update(0, buf, n - 4) != stored)
        return CORRUPT("parameter file '%s' is corrupt (checksum mismatch, %zu bytes); "
                       "restore it or retrain",
                       what, n);
    uint32_t ver = get_u32(buf + 8);
    if (ver != FORMAT_VERSION)
        return CORRUPT("parameter file '%s' has format version %u, this sco reads %u; retrain "
                       "or convert it",
                       what, ver, FORMAT_VERSION);
    uint32_t count = get_u32(buf + 12);
    size_t end = n - 4, pos = 16;
    const unsigned char **vals = calloc(ps->n ? (size_t)ps->n : 1, sizeof *vals);
    if (!vals)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    int rc = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (pos + 2 > end) {
            rc = CORRUPT("parameter file '%s' is truncated in record %u", what, i + 1);
            goto out;
        }
        size_t len = (size_t)buf[pos] | (size_t)buf[pos + 1] << 8;
        pos += 2;
        if (len == 0 || len > NAME_MAX_LEN || pos + len + 2 > end) {
            rc = CORRUPT("parameter file '%s' is truncated or corrupt in record %u", what, i + 1);
            goto out;
        }
        char name[NAME_MAX_LEN + 1];
        memcpy(name, buf + pos, len);
        name[len] = 0;
        pos += len;
        int dt = buf[pos], nd = buf[pos + 1];
        pos += 2;
        if (dt != SCO_F32 || nd < 1 || nd > SCO_MAX_DIMS || pos + 8 * (size_t)nd > end) {
            rc = CORRUPT("parameter file '%s': record '%s' has a bad header", what, name);
            goto out;
        }
        int64_t shape[SCO_MAX_DIMS], cnt = 1;
        for (int d = 0; d < nd; d++) {
            shape[d] = get_i64(buf + pos + 8 * (size_t)d);
            if (shape[d] < 1 || shape[d] > ((int64_t)1 << 40)) {
                rc = CORRUPT("parameter file '%s': record '%s' has a bad shape", what, name);
                goto out;
            }
            cnt *= shape[d];
        }
        pos += 8 * (size_t)nd;
        if (cnt > (int64_t)((end - pos) / 4)) {
            rc = CORRUPT("parameter file '%s' is truncated in '%s'", what, name);
            goto out;
        }
        struct sco_tensor *t = sco__param_get(ps, name);
        if (!t) {
            rc = CORRUPT("parameter file '%s' holds '%s', which this model does not have; "
                         "the file was saved by another model or configuration",
                         what, name);
            goto out;
        }
        bool same = t->ndim == nd;
        for (int d = 0; same && d < nd; d++)
            same = t->shape[d] == shape[d];
        if (!same) {
            char a[96] = "", b[96] = "";
            size_t ka = 0, kb = 0;
            for (int d = 0; d < nd; d++)
                ka += (size_t)snprintf(a + ka, sizeof a - ka, "%s%lld", d ? "x" : "",
                                       (long long)shape[d]);
            for (int d = 0; d < t->ndim; d++)
                kb += (size_t)snprintf(b + kb, sizeof b - kb, "%s%lld", d ? "x" : "",
                                       (long long)t->shape[d]);
            rc = CORRUPT("parameter file '%s': '%s' is %s, the model expects %s; the file was "
                         "saved with other model sizes",
                         what, name, a, b);
            goto out;
        }
        int idx; /* position in the set */
        for (idx = 0; idx < ps->n && ps->ts[idx] != t; idx++)
            ;
        if (vals[idx]) {
            rc = CORRUPT("parameter file '%s' holds '%s' twice", what, name);
            goto out;
        }
        vals[idx] = buf + pos;
        pos += (size_t)cnt * 4;
    }
    if (pos != end) {
        rc = CORRUPT("parameter file '%s' has %zu unexpected bytes after its records", what,
                     end - pos);
        goto out;
    }
    for (int i = 0; i < ps->n; i++)
        if (!vals[i]) {
            rc = CORRUPT("parameter file '%s' lacks '%s'; it was saved by another model",
                         what, ps->ts[i]->name);
            goto out;
        }
    if ((rc = sco__sync(ps->R, err)))
        goto out;
    for (int i = 0; i < ps->n; i++)
        memcpy(ps->ts[i]->data, vals[i], (size_t)ps->ts[i]->n * sizeof(float));
out:
    free(vals);
    return rc;
}

int sco__params_read(struct sco_params *ps, FILE *f, const char *what, struct sco_err *err)
{
    if (!ps || !f)
        return sco_err_set(err, SCO_ERR_INVALID, "params_read: set and stream are required");
    if (!what)
        what = "stream";
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    if (!buf)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    for (;;) {
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", what);
            }
            buf = nb;
            cap *= 2;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    int rc;
    if (ferror(f))
        rc = sco_err_set(err, SCO_ERR_IO, "cannot read '%s': %s", what, strerror(errno));
    else
        rc = load_buffer(ps, buf, n, what, err);
    free(buf);
    return rc;
}

int sco__params_load(struct sco_params *ps, const char *path, struct sco_err *err)
{
    if (!ps || !path)
        return sco_err_set(err, SCO_ERR_INVALID, "params_load: set and path are required");
    FILE *f = fopen(path, "rb");
    if (!f)
        return sco_err_set(err, SCO_ERR_IO, "cannot open parameter file '%s': %s", path,
                           strerror(errno));
    int rc = sco__params_read(ps, f, path, err);
    fclose(f);
    return rc;
}
