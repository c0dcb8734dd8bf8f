/* Loader: real .so test plugins, the checks of STYLE.md section 3, permissions. */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "helpers.h"
#include "loader.h"

static struct sco__plugin *pl;
static struct sco_err err;

static void teardown(void)
{
    sco__plugin_free(pl);
    pl = NULL;
}

TestSuite(loader, .fini = teardown);

Test(loader, loads_good_plugin)
{
    cr_assert_eq(sco__plugin_load(TEST_PLUGIN_DIR "/good.so", &pl, &err), 0, "%s", err.msg);
    cr_expect_str_eq(pl->desc->name, "good");
    cr_expect_str_eq(pl->desc->version, "1.0.0");
    cr_expect_str_eq(pl->stem, "good");
    cr_expect_eq(pl->desc->n_inputs, 1);
    cr_expect_eq(pl->desc->n_config, 5);
    size_t idx;
    const struct sco_config_key *k = sco__plugin_key(pl, "factor", &idx);
    cr_assert_not_null(k);
    cr_expect_eq(idx, 0);
    cr_expect_str_eq(pl->dflt[0]->str, "2");
    cr_expect_null(pl->dflt[4]); /* note: no default */
}

Test(loader, rejects_newer_abi)
{
    cr_expect_eq(sco__plugin_load(TEST_PLUGIN_DIR "/abi-too-new.so", &pl, &err), SCO_ERR_ABI);
    cr_expect_str_eq(err.msg, "plugin 'abi-too-new' uses ABI 2, this sco supports ABI 1; "
                              "rebuild it against sco 1.x");
    cr_expect_null(pl);
}

Test(loader, rejects_small_descriptor)
{
    char want[128];
    snprintf(want, sizeof want, "plugin 'desc-too-small' descriptor is 16 bytes, expected at "
                                "least %zu",
             sizeof(struct sco_plugin_desc));
    cr_expect_eq(sco__plugin_load(TEST_PLUGIN_DIR "/desc-too-small.so", &pl, &err), SCO_ERR_ABI);
    cr_expect_str_eq(err.msg, want);
}

Test(loader, rejects_missing_entry_point)
{
    cr_expect_eq(sco__plugin_load(TEST_PLUGIN_DIR "/no-entry.so", &pl, &err), SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "plugin 'no-entry.so' does not export sco_plugin_entry");
}

Test(loader, rejects_default_of_wrong_type)
{
    cr_expect_eq(sco__plugin_load(TEST_PLUGIN_DIR "/bad-default.so", &pl, &err), SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "plugin 'bad-default' key 'horizon_days' has default 'four weeks', "
                              "which is not an integer; fix the plugin");
}

Test(loader, dlopen_failure_names_file_and_fix)
{
    enter_tmpdir();
    write_file("broken.so", "this is not an ELF file\n");
    cr_expect_eq(sco__plugin_load("broken.so", &pl, &err), SCO_ERR_CONFIG);
    cr_expect(strncmp(err.msg, "cannot load plugin 'broken.so': ", 32) == 0, "%s", err.msg);
    const char *tail = "; check its dependencies with ldd";
    cr_expect_str_eq(err.msg + strlen(err.msg) - strlen(tail), tail);
}

static void copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    cr_assert(a && b);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, a)) > 0)
        fwrite(buf, 1, n, b);
    fclose(a);
    fclose(b);
}

Test(loader, refuses_world_writable_file)
{
    enter_tmpdir();
    mkdir("p", 0755);
    copy_file(TEST_PLUGIN_DIR "/good.so", "p/good.so");
    chmod("p/good.so", 0666);
    cr_expect_eq(sco__plugin_load("p/good.so", &pl, &err), SCO_ERR_CONFIG);
    cr_expect(strstr(err.msg, "refusing to load plugin 'good.so': file '") == err.msg, "%s",
              err.msg);
    cr_expect(strstr(err.msg, "is writable by everyone, so another user could change the code "
                              "sco runs; fix with chmod go-w"),
              "%s", err.msg);
    chmod("p/good.so", 0755);
    cr_expect_eq(sco__plugin_load("p/good.so", &pl, &err), 0, "%s", err.msg);
}

Test(loader, refuses_group_writable_folder)
{
    enter_tmpdir();
    mkdir("p", 0755);
    copy_file(TEST_PLUGIN_DIR "/good.so", "p/good.so");
    chmod("p/good.so", 0755);
    chmod("p", 0775);
    cr_expect_eq(sco__plugin_load("p/good.so", &pl, &err), SCO_ERR_CONFIG);
    cr_expect(strstr(err.msg, "its folder '"), "%s", err.msg);
    cr_expect(strstr(err.msg, "is writable by its group"), "%s", err.msg);
}

Test(loader, search_path_order_and_not_found)
{
    struct sco__search s;
    setenv("SCO_PLUGIN_PATH", "/nonexistent-a:" TEST_PLUGIN_DIR, 1);
    sco__search_init(&s, NULL);
    cr_assert_geq(s.n, 3);
    cr_expect_str_eq(s.dirs[0], "/nonexistent-a");
    cr_expect_str_eq(s.dirs[1], TEST_PLUGIN_DIR);
    char *p = sco__plugin_find(&s, "good", &err);
    cr_expect_str_eq(p, TEST_PLUGIN_DIR "/good.so");
    free(p);
    cr_expect_null(sco__plugin_find(&s, "nothere", &err));
    cr_expect(strncmp(err.msg, "plugin 'nothere' not found (no nothere.so in /nonexistent-a, ",
                      60) == 0,
              "%s", err.msg);
    size_t n = 0;
    char **all = sco__plugin_list(&s, &n);
    cr_expect_geq(n, 8);
    for (size_t i = 0; i < n; i++)
        free(all[i]);
    free(all);
    sco__search_fini(&s);
}
