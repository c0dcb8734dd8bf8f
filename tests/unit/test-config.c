/* Config parsing: values, positions, unknown keys, ${ENV}, YAML errors. */
#include <criterion/criterion.h>

#include "config.h"
#include "helpers.h"
#include "log.h"

static struct sco__config *cfg;
static struct sco__diags diags;
static struct sco_err err;

static int load(const char *text)
{
    write_file("c.yaml", text);
    sco__config_free(cfg);
    cfg = NULL;
    sco__diags_fini(&diags);
    memset(&err, 0, sizeof err);
    return sco__config_load("c.yaml", &cfg, &diags, &err);
}

static void setup(void)
{
    enter_tmpdir();
}

static void teardown(void)
{
    sco__config_free(cfg);
    cfg = NULL;
    sco__diags_fini(&diags);
}

TestSuite(config, .init = setup, .fini = teardown);

Test(config, reads_every_section)
{
    int rc = load("run:\n"
                  "  date: 2026-11-29\n"
                  "  output: ../out/{date}\n"
                  "  device: cpu\n"
                  "  threads: 3\n"
                  "  seed: 7\n"
                  "  log_format: json\n"
                  "  tf32: true\n"
                  "  plugin_path: [plugins, /abs/plugins]\n"
                  "sources:\n"
                  "  sales: { kind: csv, path: demo/sales.csv,\n"
                  "           columns: { qty: f64, date: date } }\n"
                  "stages:\n"
                  "  forecast:\n"
                  "    plugin: fc\n"
                  "    inputs: { sales: sales }\n"
                  "    outputs: { forecast: fc_out }\n"
                  "    write: [fc_out]\n"
                  "    config:\n"
                  "      horizon_days: 28\n"
                  "  picklist:\n");
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_expect(cfg->has_date);
    cr_expect_eq(cfg->date, 20786); /* 2026-11-29 */
    cr_expect_str_eq(cfg->output, "../out/{date}");
    cr_expect_str_eq(cfg->device, "cpu");
    cr_expect_eq(cfg->threads, 3);
    cr_expect_eq(cfg->seed, 7);
    cr_expect(cfg->log_json);
    cr_expect(cfg->tf32);
    cr_assert_eq(cfg->n_plugin_path, 2);
    cr_expect_str_eq(cfg->plugin_path[0], "plugins"); /* config dir is "." */
    cr_expect_str_eq(cfg->plugin_path[1], "/abs/plugins");
    cr_assert_eq(cfg->n_sources, 1);
    cr_expect_str_eq(cfg->sources[0].path, "demo/sales.csv");
    cr_assert_eq(cfg->sources[0].n_cols, 2);
    cr_expect_eq(cfg->sources[0].col_types[0], SCO_COL_F64);
    cr_expect_eq(cfg->sources[0].col_types[1], SCO_COL_DATE);
    cr_assert_eq(cfg->n_stages, 2);
    struct sco__stage_cfg *s = &cfg->stages[0];
    cr_expect_str_eq(s->plugin, "fc");
    cr_expect_str_eq(s->outputs[0].table, "fc_out");
    cr_expect(!s->write_all);
    cr_expect(sco__stage_writes(s, "fc_out"));
    cr_expect(!sco__stage_writes(s, "other"));
    const struct sco__node *h = sco__map_get(s->config, "horizon_days");
    cr_assert_not_null(h);
    cr_expect_eq(h->line, 20);
    cr_expect_eq(h->col, 21);
    cr_expect_str_eq(cfg->stages[1].plugin, "picklist"); /* default: the stage name */
    cr_expect_eq(strlen(cfg->sha256), 64);
}

Test(config, paths_relative_to_config_folder)
{
    mkdir("sub", 0755);
    write_file("sub/c.yaml", "sources:\n  a: { path: data/a.csv }\nstages: {}\n");
    int rc = sco__config_load("sub/c.yaml", &cfg, &diags, &err);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_expect_str_eq(cfg->sources[0].path, "sub/data/a.csv");
    cr_expect_str_eq(cfg->dir, "sub");
}

Test(config, unknown_top_level_key_suggests)
{
    int rc = load("run:\n  seed: 1\nstage:\n  a: {}\n");
    cr_expect_eq(rc, SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "c.yaml:3:1: unknown key 'stage' in the configuration (did you "
                              "mean 'stages'?)");
}

Test(config, unknown_run_key_suggests_with_position)
{
    load("run:\n  date: 2026-11-29\n  thread: 2\nstages: {}\n");
    cr_expect_str_eq(err.msg, "c.yaml:3:3: unknown key 'thread' in 'run' (did you mean "
                              "'threads'?)");
}

Test(config, unknown_stage_key_lists_alternatives)
{
    load("stages:\n  a:\n    plugin: x\n    confg: {}\n");
    cr_expect_str_eq(err.msg, "c.yaml:4:5: unknown key 'confg' in stage 'a' (did you mean "
                              "'config'?)");
}

Test(config, wrong_types_named_with_position)
{
    load("run:\n  threads: many\n  device: cdua\n  date: 2026-02-30\n  tf32: maybe\nstages: {}\n");
    cr_assert_eq(diags.n, 4);
    cr_expect_str_eq(diags.msg[0], "c.yaml:2:12: run.threads expects an integer from 0 (all "
                                   "cores) to 4096, got 'many'");
    cr_expect_str_eq(diags.msg[1], "c.yaml:3:11: run.device 'cdua' is not auto, cpu or cuda "
                                   "(did you mean 'cuda'?)");
    cr_expect_str_eq(diags.msg[2], "c.yaml:4:9: run.date '2026-02-30' is not a date; write "
                                   "YYYY-MM-DD");
    cr_expect_str_eq(diags.msg[3], "c.yaml:5:9: run.tf32 expects true or false, got 'maybe'");
}

Test(config, all_problems_reported)
{
    load("run:\n  sed: 1\nsources:\n  a: { pth: a.csv }\nstages:\n  b: { plugn: x }\n");
    cr_assert_eq(diags.n, 4, "got %zu", diags.n);
    cr_expect_str_eq(diags.msg[0], "c.yaml:2:3: unknown key 'sed' in 'run' (did you mean "
                                   "'seed'?)");
    cr_expect_str_eq(diags.msg[1], "c.yaml:4:3: source 'a' has no 'path'; add path: FILE.csv");
    cr_expect_str_eq(diags.msg[2], "c.yaml:4:8: unknown key 'pth' in source 'a' (did you mean "
                                   "'path'?)");
    cr_expect_str_eq(diags.msg[3], "c.yaml:6:8: unknown key 'plugn' in stage 'b' (did you mean "
                                   "'plugin'?)");
}

Test(config, yaml_syntax_error_position)
{
    int rc = load("run:\n  seed: 1\n  date: [2026\nstages: {}\n");
    cr_expect_eq(rc, SCO_ERR_CONFIG);
    cr_expect(strncmp(err.msg, "c.yaml:4:7: invalid yaml: ", 26) == 0, "%s", err.msg);
}

Test(config, duplicate_key)
{
    load("run:\n  seed: 1\n  seed: 2\nstages: {}\n");
    cr_expect_str_eq(err.msg, "c.yaml:3:3: duplicate key 'seed' (first at line 2); keep one");
}

Test(config, env_substitution)
{
    setenv("SCO_TEST_TOKEN", "s3cret-value", 1);
    int rc = load("sources:\n  a: { path: \"${SCO_TEST_TOKEN}/a.csv\" }\nstages: {}\n");
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_expect_str_eq(cfg->sources[0].path, "s3cret-value/a.csv");
    cr_expect(cfg->sources[0].path_node->secret);
    char *scrubbed = sco__scrub("token is s3cret-value here");
    cr_expect_str_eq(scrubbed, "token is *** here");
    free(scrubbed);
}

Test(config, env_missing_is_config_error_at_position)
{
    unsetenv("SCO_TEST_NOPE");
    int rc = load("run:\n  seed: 1\nsources:\n  a:\n    path: ${SCO_TEST_NOPE}\nstages: {}\n");
    cr_expect_eq(rc, SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "c.yaml:5:11: environment variable 'SCO_TEST_NOPE' is not set; "
                              "export it before running sco");
}

Test(config, env_escape)
{
    int rc = load("sources:\n  a: { path: \"$${HOME}.csv\" }\nstages: {}\n");
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_expect_str_eq(cfg->sources[0].path, "${HOME}.csv");
}

Test(config, secret_values_not_quoted_in_messages)
{
    setenv("SCO_TEST_T", "abc", 1);
    load("run:\n  threads: ${SCO_TEST_T}\nstages: {}\n");
    cr_expect_str_eq(err.msg, "c.yaml:2:12: run.threads expects an integer from 0 (all cores) "
                              "to 4096, got a value from ${...}");
}

Test(config, column_type_hint_typo)
{
    load("sources:\n  a: { path: a.csv, columns: { qty: flaot } }\nstages: {}\n");
    cr_expect_str_eq(err.msg, "c.yaml:2:37: column 'qty' has unknown type 'flaot' (did you mean "
                              "'float'?); use i64, f64, str or date");
}

Test(config, missing_file)
{
    int rc = sco__config_load("nope.yaml", &cfg, &diags, &err);
    cr_expect_eq(rc, SCO_ERR_NOINPUT);
    cr_expect_str_eq(err.msg, "cannot read config 'nope.yaml': No such file or directory");
}

Test(config, empty_file)
{
    int rc = load("");
    cr_expect_eq(rc, SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "c.yaml:1:1: configuration is empty; it needs at least 'stages'");
}

Test(config, not_a_mapping)
{
    load("- a\n- b\n");
    cr_expect_str_eq(err.msg, "c.yaml:1:1: the configuration must be a mapping, got a sequence");
}

Test(config, write_bad_value)
{
    load("stages:\n  a:\n    write: {x: 1}\n");
    cr_expect_str_eq(err.msg, "c.yaml:3:12: write expects true, false or a list of table names, "
                              "got a mapping");
}

Test(config, scalar_readers)
{
    struct sco__node *n = NULL;
    struct sco_err e = { 0 };
    cr_assert_eq(sco__yaml_parse("[12, 1.5e3, yes, Off, abc, '7', ~]", 34, "x", false, &n, &e),
                 0);
    int64_t i;
    double f;
    bool b;
    cr_expect(sco__node_i64(n->vals[0], &i) && i == 12);
    cr_expect(sco__node_f64(n->vals[1], &f) && f == 1500.0);
    cr_expect(sco__node_bool(n->vals[2], &b) && b);
    cr_expect(sco__node_bool(n->vals[3], &b) && !b);
    cr_expect(!sco__node_i64(n->vals[4], &i));
    cr_expect(sco__node_i64(n->vals[5], &i) && i == 7);
    cr_expect(n->vals[6]->null);
    sco__node_free(n);
}

Test(config, durations)
{
    double v;
    cr_expect(sco__duration_parse("90s", &v) && v == 90);
    cr_expect(sco__duration_parse("20m", &v) && v == 1200);
    cr_expect(sco__duration_parse("1h30m", &v) && v == 5400);
    cr_expect(sco__duration_parse("1.5h", &v) && v == 5400);
    cr_expect(sco__duration_parse("500ms", &v) && v == 0.5);
    cr_expect(sco__duration_parse("2m30s", &v) && v == 150);
    cr_expect(sco__duration_parse("none", &v) && v == 0);
    cr_expect_not(sco__duration_parse("20", &v), "a bare number has no unit");
    cr_expect_not(sco__duration_parse("", &v));
    cr_expect_not(sco__duration_parse("0s", &v), "no time at all is not a limit");
    cr_expect_not(sco__duration_parse("-5s", &v));
    cr_expect_not(sco__duration_parse("5 s", &v));
    cr_expect_not(sco__duration_parse("5d", &v));
    cr_expect_not(sco__duration_parse("s", &v));
    char b[32];
    sco__duration_format(5400, b);
    cr_expect_str_eq(b, "1h30m");
    sco__duration_format(1200, b);
    cr_expect_str_eq(b, "20m");
    sco__duration_format(90, b);
    cr_expect_str_eq(b, "1m30s");
    sco__duration_format(0.2, b);
    cr_expect_str_eq(b, "200ms");
    sco__duration_format(1.5, b);
    cr_expect_str_eq(b, "1.5s");
}

Test(config, stage_timeout_default_and_override)
{
    cr_assert_eq(load("run: { stage_timeout: 20m }\n"
                      "stages:\n"
                      "  a: { plugin: good }\n"
                      "  b: { plugin: good, timeout: 90s }\n"
                      "  c: { plugin: good, timeout: none }\n"),
                 0, "%s", err.msg);
    struct sco__config *c = cfg;
    char *key = NULL;
    cr_expect_eq(sco__stage_timeout(c, &c->stages[0], &key), 1200);
    cr_expect_str_eq(key, "run.stage_timeout");
    free(key);
    cr_expect_eq(sco__stage_timeout(c, &c->stages[1], &key), 90);
    cr_expect_str_eq(key, "stages.b.timeout");
    free(key);
    cr_expect_eq(sco__stage_timeout(c, &c->stages[2], NULL), 0);
    cr_assert_eq(load("stages:\n  a: { plugin: good }\n"), 0, "%s", err.msg);
    cr_expect_eq(sco__stage_timeout(cfg, &cfg->stages[0], NULL), 0, "no limit by default");
}
