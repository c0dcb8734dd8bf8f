/* Parameter files: round trip, and refusal of truncated, bit-flipped, mismatched and foreign
 * files without touching the set. Files go to the build folder (TEST_TMPDIR). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sco/sco-tensor.h>

#include "runtime-host.h"

static const struct sco_runtime_api *rt;
static struct sco_runtime *R;
static char path[512];

static void setup(void)
{
    rt = sco_runtime_api_table();
    struct sco_runtime_opts o = { .device = "cpu", .threads = 1 };
    cr_assert_eq(sco_runtime_create(&o, &R, NULL), 0);
    const char *dir = getenv("SCO_TEST_TMPDIR"); /* set by bench/gpu.sh's kit runs */
    snprintf(path, sizeof path, "%s/params-%d.scop", dir && *dir ? dir : TEST_TMPDIR,
             (int)getpid());
}

static void teardown(void)
{
    unlink(path);
    sco_runtime_destroy(R);
}

TestSuite(params, .init = setup, .fini = teardown);

/* a model: w [3, 4] and b [4], values from the seed */
static struct sco_params *model(uint64_t seed, int64_t wcols, bool extra)
{
    struct sco_err err = { 0 };
    struct sco_params *ps = rt->params_new(R, seed, &err);
    cr_assert_not_null(rt->param(ps, "layer1/w", 2, (int64_t[]){ 3, wcols }, SCO_INIT_NORMAL, 1,
                                 &err));
    cr_assert_not_null(rt->param(ps, "layer1/b", 1, (int64_t[]){ 4 }, SCO_INIT_UNIFORM, 1, &err));
    if (extra)
        cr_assert_not_null(rt->param(ps, "head", 1, (int64_t[]){ 2 }, SCO_INIT_ONES, 0, &err));
    return ps;
}

static void values(struct sco_params *ps, float *w, float *b)
{
    rt->read(rt->param_get(ps, "layer1/w"), w, 12 * sizeof *w, NULL);
    rt->read(rt->param_get(ps, "layer1/b"), b, 4 * sizeof *b, NULL);
}

static long file_size(void)
{
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

Test(params, round_trip)
{
    struct sco_err err = { 0 };
    struct sco_params *a = model(1, 4, false), *b = model(2, 4, false);
    float wa[12], ba[4], wb[12], bb[4];
    cr_assert_eq(rt->params_save(a, path, &err), 0, "%s", err.msg);
    values(b, wb, bb);
    values(a, wa, ba);
    cr_assert(memcmp(wa, wb, sizeof wa) != 0, "different seeds give different values");
    cr_assert_eq(rt->params_load(b, path, &err), 0, "%s", err.msg);
    values(b, wb, bb);
    cr_expect(memcmp(wa, wb, sizeof wa) == 0 && memcmp(ba, bb, sizeof ba) == 0);
    /* 16 header + 2 records (2+8+2+16+48, 2+8+2+8+16) + 4 crc */
    cr_expect_eq(file_size(), 16 + 76 + 36 + 4);
    cr_expect_eq(rt->params_count(b), 2);
    cr_expect_eq(rt->params_numel(b), 16);
    rt->params_free(a);
    rt->params_free(b);
}

static void expect_refused(struct sco_params *b, const char *want_substr)
{
    struct sco_err err = { 0 };
    float w0[12], b0[4], w1[12], b1[4];
    values(b, w0, b0);
    int rc = rt->params_load(b, path, &err);
    cr_expect_eq(rc, SCO_ERR_DATA, "rc %d: %s", rc, err.msg);
    cr_expect(strstr(err.msg, want_substr) != NULL, "message '%s' lacks '%s'", err.msg,
              want_substr);
    values(b, w1, b1);
    cr_expect(memcmp(w0, w1, sizeof w0) == 0 && memcmp(b0, b1, sizeof b0) == 0,
              "a refused file must leave the set unchanged");
}

Test(params, truncated_files_refused_at_every_length)
{
    struct sco_params *a = model(1, 4, false), *b = model(2, 4, false);
    cr_assert_eq(rt->params_save(a, path, NULL), 0);
    long n = file_size();
    unsigned char *buf = malloc((size_t)n);
    FILE *f = fopen(path, "rb");
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    for (long cut = 0; cut < n; cut += 7) {
        f = fopen(path, "wb");
        fwrite(buf, 1, (size_t)cut, f);
        fclose(f);
        expect_refused(b, cut < 20 ? "is not a sco parameter file" : "corrupt");
    }
    free(buf);
    rt->params_free(a);
    rt->params_free(b);
}

Test(params, every_flipped_bit_refused)
{
    struct sco_params *a = model(1, 4, false), *b = model(2, 4, false);
    cr_assert_eq(rt->params_save(a, path, NULL), 0);
    long n = file_size();
    unsigned char *buf = malloc((size_t)n);
    FILE *f = fopen(path, "rb");
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    for (long i = 8; i < n; i += 3) {
        buf[i] ^= (unsigned char)(1u << (i % 8));
        f = fopen(path, "wb");
        fwrite(buf, 1, (size_t)n, f);
        fclose(f);
        expect_refused(b, "checksum mismatch");
        buf[i] ^= (unsigned char)(1u << (i % 8));
    }
    buf[0] = 'X'; /* magic */
    f = fopen(path, "wb");
    fwrite(buf, 1, (size_t)n, f);
    fclose(f);
    expect_refused(b, "bad magic");
    free(buf);
    rt->params_free(a);
    rt->params_free(b);
}

Test(params, other_model_refused)
{
    struct sco_err err = { 0 };
    struct sco_params *a = model(1, 4, true), *b = model(2, 4, false);
    cr_assert_eq(rt->params_save(a, path, NULL), 0);
    expect_refused(b, "holds 'head', which this model does not have");
    rt->params_free(a);
    struct sco_params *c = model(1, 4, false), *d = model(2, 4, true);
    cr_assert_eq(rt->params_save(c, path, NULL), 0);
    cr_expect_eq(rt->params_load(d, path, &err), SCO_ERR_DATA);
    cr_expect(strstr(err.msg, "lacks 'head'") != NULL, "%s", err.msg);
    rt->params_free(c);
    rt->params_free(d);
    struct sco_params *e = model(1, 5, false);
    cr_assert_eq(rt->params_save(e, path, NULL), 0);
    cr_assert_eq(rt->params_load(b, path, &err), SCO_ERR_DATA);
    char want[1024];
    snprintf(want, sizeof want, "parameter file '%s': 'layer1/w' is 3x5, the model expects 3x4; "
                                "the file was saved with other model sizes", path);
    cr_expect_str_eq(err.msg, want);
    rt->params_free(e);
    rt->params_free(b);
}

Test(params, missing_file_is_io_error)
{
    struct sco_err err = { 0 };
    struct sco_params *b = model(2, 4, false);
    cr_expect_eq(rt->params_load(b, "/nonexistent/m.scop", &err), SCO_ERR_IO);
    cr_expect_str_eq(err.msg, "cannot open parameter file '/nonexistent/m.scop': No such file or "
                              "directory");
    rt->params_free(b);
}

Test(params, stream_round_trip)
{
    struct sco_err err = { 0 };
    struct sco_params *a = model(1, 4, false), *b = model(2, 4, false);
    FILE *f = tmpfile();
    cr_assert_eq(rt->params_write(a, f, "tmp", &err), 0, "%s", err.msg);
    rewind(f);
    cr_assert_eq(rt->params_read(b, f, "tmp", &err), 0, "%s", err.msg);
    fclose(f);
    float wa[12], ba[4], wb[12], bb[4];
    values(a, wa, ba);
    values(b, wb, bb);
    cr_expect(memcmp(wa, wb, sizeof wa) == 0);
    rt->params_free(a);
    rt->params_free(b);
}
