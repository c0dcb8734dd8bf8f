/* Pipeline: stage config against declared keys, cycles, missing producers, order. */
#include <criterion/criterion.h>

#include "helpers.h"
#include "pipeline.h"

static struct sco__config *cfg;
static struct sco__pipeline *pipe_;
static struct sco__search search;
static struct sco__diags diags;
static struct sco_err err;

static int build(const char *text)
{
    write_file("c.yaml", text);
    write_file("numbers.csv", "x\n1\n");
    int rc = sco__config_load("c.yaml", &cfg, &diags, &err);
    cr_assert_eq(rc, 0, "%s", err.msg);
    sco__search_init(&search, cfg);
    return sco__pipeline_build(cfg, &search, &pipe_, &diags, &err);
}

static void setup(void)
{
    setenv("SCO_PLUGIN_PATH", TEST_PLUGIN_DIR, 1);
    enter_tmpdir();
}

static void teardown(void)
{
    sco__pipeline_free(pipe_);
    sco__search_fini(&search);
    sco__config_free(cfg);
    sco__diags_fini(&diags);
}

TestSuite(pipeline, .init = setup, .fini = teardown);

static const char *name_at(size_t o)
{
    return pipe_->stages[pipe_->order[o]].cfg->name;
}

Test(pipeline, orders_by_dependency_not_config_order)
{
    int rc = build("sources:\n  numbers: { path: numbers.csv }\n"
                   "stages:\n"
                   "  third: { plugin: good, inputs: { numbers: b }, outputs: { doubled: c } }\n"
                   "  first: { plugin: good, outputs: { doubled: a } }\n"
                   "  second: { plugin: good, inputs: { numbers: a }, outputs: { doubled: b } }\n");
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_expect_str_eq(name_at(0), "first");
    cr_expect_str_eq(name_at(1), "second");
    cr_expect_str_eq(name_at(2), "third");
    cr_expect(sco__pipeline_depends(pipe_, 0, 1)); /* third needs first */
    cr_expect(!sco__pipeline_depends(pipe_, 1, 0));
    cr_expect_eq(pipe_->n_plugins, 1); /* loaded once */
}

Test(pipeline, unknown_plugin_key_with_suggestion)
{
    int rc = build("sources:\n  numbers: { path: numbers.csv }\n"
                   "stages:\n"
                   "  double:\n"
                   "    plugin: good\n"
                   "    config:\n"
                   "      factr: 3\n");
    cr_expect_eq(rc, SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "c.yaml:7:7: unknown key 'factr' for plugin 'good' (did you mean "
                              "'factor'?)");
}

Test(pipeline, plugin_key_wrong_type)
{
    int rc = build("sources:\n  numbers: { path: numbers.csv }\n"
                   "stages:\n"
                   "  double:\n"
                   "    plugin: good\n"
                   "    config: { factor: two, scale: [1] }\n");
    cr_expect_eq(rc, SCO_ERR_CONFIG);
    cr_assert_eq(diags.n, 2);
    cr_expect_str_eq(diags.msg[0], "c.yaml:6:23: double.factor: expected an integer, got 'two'");
    cr_expect_str_eq(diags.msg[1], "c.yaml:6:35: double.scale: expected a number, got a "
                                   "sequence");
}

Test(pipeline, required_key_missing)
{
    int rc = build("stages:\n  echo:\n    plugin: cfgkeys\n    config: { name: x }\n");
    cr_expect_eq(rc, SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "c.yaml:4:13: stage 'echo' needs config key 'horizon_days' "
                              "(integer: required integer); add it under config:");
}

Test(pipeline, cycle_names_its_stages)
{
    int rc = build("stages:\n"
                   "  a: { plugin: good, inputs: { numbers: tb }, outputs: { doubled: ta } }\n"
                   "  b: { plugin: good, inputs: { numbers: ta }, outputs: { doubled: tb } }\n");
    cr_expect_eq(rc, SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "c.yaml:2:3: stages form a cycle: 'a' needs 'b' needs 'a'; break "
                              "it by renaming a table with inputs: or outputs:");
}

Test(pipeline, missing_producer)
{
    int rc = build("sources:\n  numbrs: { path: numbers.csv }\n"
                   "stages:\n  double: { plugin: good }\n");
    cr_expect_eq(rc, SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "c.yaml:4:3: stage 'double' input 'numbers' needs table "
                              "'numbers', which no source or stage produces (did you mean "
                              "'numbrs'?); add a source named 'numbers' or a stage that "
                              "outputs it");
}

Test(pipeline, optional_input_may_be_unbound)
{
    int rc = build("stages:\n  boom: { plugin: crash }\n");
    cr_expect_eq(rc, 0, "%s", err.msg);
    cr_expect_eq(pipe_->stages[0].in[0].source, -1);
    cr_expect_eq(pipe_->stages[0].in[0].stage, -1);
}

Test(pipeline, two_producers_of_one_table)
{
    int rc = build("sources:\n  numbers: { path: numbers.csv }\n"
                   "stages:\n  a: { plugin: good }\n  b: { plugin: good }\n");
    cr_expect_eq(rc, SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "c.yaml:5:3: stages 'a' and 'b' both output table 'doubled'; "
                              "rename one with outputs: { doubled: NEW_NAME }");
}

Test(pipeline, rename_of_unknown_port)
{
    int rc = build("sources:\n  numbers: { path: numbers.csv }\n"
                   "stages:\n  a: { plugin: good, inputs: { number: numbers } }\n");
    cr_expect_eq(rc, SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "c.yaml:4:40: plugin 'good' has no input port 'number' (did you "
                              "mean 'numbers'?); its input ports are numbers");
}

Test(pipeline, plugin_load_error_points_at_stage)
{
    int rc = build("stages:\n  x:\n    plugin: abi-too-new\n");
    cr_expect_eq(rc, SCO_ERR_ABI);
    cr_expect_str_eq(err.msg, "c.yaml:3:13: stage 'x': plugin 'abi-too-new' uses ABI 2, this "
                              "sco supports ABI 1; rebuild it against sco 1.x");
}

Test(pipeline, select_only_and_skip)
{
    int rc = build("sources:\n  numbers: { path: numbers.csv }\n"
                   "stages:\n  a: { plugin: good }\n"
                   "  b: { plugin: good, inputs: { numbers: doubled },\n"
                   "       outputs: { doubled: b } }\n");
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_expect_eq(sco__pipeline_select(pipe_, "b", NULL, &err), 0);
    cr_expect(!pipe_->stages[0].selected);
    cr_expect(pipe_->stages[1].selected);
    cr_expect_eq(sco__pipeline_select(pipe_, NULL, "b", &err), 0);
    cr_expect(pipe_->stages[0].selected);
    cr_expect(!pipe_->stages[1].selected);
    cr_expect_eq(sco__pipeline_select(pipe_, "c", NULL, &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "--only: no stage named 'c' (did you mean 'a'?); stages are a, b");
}
