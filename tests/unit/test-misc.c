/* JSON writer, SHA-256, exit codes, suggestions. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "json.h"
#include "util.h"

Test(json, escapes_and_nests)
{
    struct sco__buf b = { 0 };
    struct sco__json j;
    sco__json_init(&j, &b, false);
    sco__json_obj_begin(&j);
    sco__json_key(&j, "s");
    sco__json_str(&j, "a\"b\\c\n\t\x01 é");
    sco__json_key(&j, "n");
    sco__json_i64(&j, -5);
    sco__json_key(&j, "f");
    sco__json_f64(&j, 0.1);
    sco__json_key(&j, "nan");
    sco__json_f64(&j, 0.0 / 0.0);
    sco__json_key(&j, "a");
    sco__json_arr_begin(&j);
    sco__json_bool(&j, true);
    sco__json_null(&j);
    sco__json_str(&j, NULL);
    sco__json_arr_end(&j);
    sco__json_key(&j, "e");
    sco__json_obj_begin(&j);
    sco__json_obj_end(&j);
    sco__json_obj_end(&j);
    cr_expect_str_eq(b.s, "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001 é\",\"n\":-5,\"f\":0.1,"
                          "\"nan\":null,\"a\":[true,null,null],\"e\":{}}");
    sco__buf_fini(&b);
}

Test(json, invalid_utf8_replaced)
{
    struct sco__buf b = { 0 };
    sco__json_escape(&b, "a\xff\xc3\xa9" "b\xc3");
    cr_expect_str_eq(b.s, "\"a\\ufffd\xc3\xa9" "b\\ufffd\"");
    sco__buf_fini(&b);
}

Test(json, pretty)
{
    struct sco__buf b = { 0 };
    struct sco__json j;
    sco__json_init(&j, &b, true);
    sco__json_obj_begin(&j);
    sco__json_key(&j, "a");
    sco__json_arr_begin(&j);
    sco__json_i64(&j, 1);
    sco__json_i64(&j, 2);
    sco__json_arr_end(&j);
    sco__json_obj_end(&j);
    cr_expect_str_eq(b.s, "{\n  \"a\": [\n    1,\n    2\n  ]\n}");
    sco__buf_fini(&b);
}

Test(json, reader_round_trip_and_errors)
{
    struct sco__buf b = { 0 };
    struct sco__json j;
    sco__json_init(&j, &b, true);
    sco__json_obj_begin(&j);
    sco__json_key(&j, "name");
    sco__json_str(&j, "tab\there \"q\" caf\xc3\xa9 \x01");
    sco__json_key(&j, "list");
    sco__json_arr_begin(&j);
    sco__json_i64(&j, -12);
    sco__json_f64(&j, 0.25);
    sco__json_bool(&j, true);
    sco__json_null(&j);
    sco__json_arr_end(&j);
    sco__json_obj_end(&j);
    struct sco__jval *v = sco__json_parse(b.s, b.len);
    cr_assert_not_null(v, "%s", b.s);
    const struct sco__jval *name = sco__jval_get(v, "name");
    cr_assert_not_null(name);
    cr_expect_str_eq(name->str, "tab\there \"q\" caf\xc3\xa9 \x01");
    const struct sco__jval *list = sco__jval_get(v, "list");
    cr_assert(list && list->type == SCO__J_ARR && list->n == 4);
    cr_expect_eq(list->vals[0]->num, -12);
    cr_expect_eq(list->vals[1]->num, 0.25);
    cr_expect(list->vals[2]->type == SCO__J_BOOL && list->vals[2]->b);
    cr_expect_eq(list->vals[3]->type, SCO__J_NULL);
    cr_expect_null(sco__jval_get(v, "missing"));
    sco__jval_free(v);
    sco__buf_fini(&b);

    v = sco__json_parse("\"\\ud83d\\ude00\"", 14);
    cr_assert_not_null(v);
    cr_expect_str_eq(v->str, "\xf0\x9f\x98\x80");
    sco__jval_free(v);
    const char *bad[] = { "", "{", "[1,]", "{\"a\" 1}", "\"abc", "tru", "[1] x", "\"\\ude00\"",
                          "{\"a\":}", "\"a\nb\"" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_null(sco__json_parse(bad[i], strlen(bad[i])), "accepted %s", bad[i]);
}

Test(sha256, known_vectors)
{
    uint8_t d[32];
    char hex[65];
    sco__sha256("abc", 3, d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    cr_expect_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sco__sha256("", 0, d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    cr_expect_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sco__sha256(m, strlen(m), d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    cr_expect_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(exitcode, sysexits_mapping)
{
    cr_expect_eq(sco__exit_code(SCO_OK, SCO__PHASE_STAGE), 0);
    cr_expect_eq(sco__exit_code(SCO_ERR_DATA, SCO__PHASE_INPUT), 65);
    cr_expect_eq(sco__exit_code(SCO_ERR_NOINPUT, SCO__PHASE_INPUT), 66);
    cr_expect_eq(sco__exit_code(SCO_ERR_IO, SCO__PHASE_INPUT), 66);
    cr_expect_eq(sco__exit_code(SCO_ERR_UNAVAILABLE, SCO__PHASE_STAGE), 69);
    cr_expect_eq(sco__exit_code(SCO_ERR_INFEASIBLE, SCO__PHASE_STAGE), 70);
    cr_expect_eq(sco__exit_code(SCO_ERR_INTERNAL, SCO__PHASE_STAGE), 70);
    cr_expect_eq(sco__exit_code(SCO_ERR_IO, SCO__PHASE_OUTPUT), 73);
    cr_expect_eq(sco__exit_code(SCO_ERR_LOCKED, SCO__PHASE_OUTPUT), 75);
    cr_expect_eq(sco__exit_code(SCO_ERR_CONFIG, SCO__PHASE_STAGE), 78);
    cr_expect_eq(sco__exit_code(SCO_ERR_ABI, SCO__PHASE_STAGE), 78);
    cr_expect_eq(sco__exit_code(SCO_ERR_UNSUPPORTED, SCO__PHASE_STAGE), 78);
}

Test(util, suggest)
{
    static const char *const c[] = { "horizon_days", "quantiles", "seed" };
    cr_expect_str_eq(sco__suggest("horizon", c, 3), "horizon_days");
    cr_expect_str_eq(sco__suggest("quantile", c, 3), "quantiles");
    cr_expect_str_eq(sco__suggest("sede", c, 3), "seed");
    cr_expect_null(sco__suggest("banana", c, 3));
}

Test(util, path_join_keeps_links)
{
    /* through a symbolic link, "link/.." is the link target's parent: never folded */
    char tmpl[] = "/tmp/sco-path-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    char *deep = sco__xasprintf("%s/d1/d2", tmpl), *lnk = sco__xasprintf("%s/ln", tmpl);
    char *d1 = sco__xasprintf("%s/d1", tmpl);
    cr_assert_eq(mkdir(d1, 0755), 0);
    cr_assert_eq(mkdir(deep, 0755), 0);
    cr_assert_eq(symlink(deep, lnk), 0);
    char *p = sco__path_join(lnk, "../x");
    char *want = sco__xasprintf("%s/ln/../x", tmpl);
    cr_expect_str_eq(p, want);
    free(p);
    free(want);
    p = sco__path_join(deep, "../x");
    want = sco__xasprintf("%s/d1/x", tmpl);
    cr_expect_str_eq(p, want);
    free(p);
    free(want);
    unlink(lnk);
    rmdir(deep);
    rmdir(d1);
    rmdir(tmpl);
    free(deep);
    free(lnk);
    free(d1);
}

Test(util, paths)
{
    char *p = sco__path_join("a/b", "c.csv");
    cr_expect_str_eq(p, "a/b/c.csv");
    free(p);
    p = sco__path_join("a/b", "/abs");
    cr_expect_str_eq(p, "/abs");
    free(p);
    /* "name/.." folds where that names the same folder: missing or a real folder */
    p = sco__path_join("no-such-folder-here", "../out/{date}");
    cr_expect_str_eq(p, "out/{date}");
    free(p);
    p = sco__path_join("no-such-folder-here/", "./x/../../..");
    cr_expect_str_eq(p, "..");
    free(p);
    p = sco__path_join("/tmp", "../a//b/./c");
    cr_expect_str_eq(p, "/a/b/c");
    free(p);
    p = sco__path_join("../..", "x");
    cr_expect_str_eq(p, "../../x");
    free(p);
    p = sco__path_dir("x.yaml");
    cr_expect_str_eq(p, ".");
    free(p);
    p = sco__path_dir("/x.yaml");
    cr_expect_str_eq(p, "/");
    free(p);
    cr_expect_str_eq(sco__path_base("a/b/c.so"), "c.so");
    cr_expect_str_eq(sco__signal_name(11), "SIGSEGV");
}
