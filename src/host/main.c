/* main.c: the `sco` command line. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "exitcode.h"
#include "json.h"
#include "loader.h"
#include "log.h"
#include "run.h"
#include "sco-tables.h"
#include "util.h"

#ifndef SCO_VERSION
#define SCO_VERSION "0.0.0"
#endif

static const char usage_text[] =
    "usage: sco run CONFIG [--date YYYY-MM-DD] [--out DIR] [--only STAGE,...]\n"
    "               [--skip STAGE,...] [--dry-run] [--log-format text|json]\n"
    "       sco check-config CONFIG [--log-format text|json]\n"
    "       sco plugins [--config CONFIG] [--json]\n"
    "       sco --help | --version\n";

static const char help_text[] =
    "sco: a supply-chain optimizer. It reads a YAML config, loads plugins and runs the\n"
    "planning stages in dependency order, writing each run's tables under one folder.\n"
    "\n"
    "commands:\n"
    "  run CONFIG          run the configured stages\n"
    "      --date D        planning date YYYY-MM-DD (default: run.date, else today)\n"
    "      --out DIR       output folder, may contain {date} (default: run.output)\n"
    "      --only A,B      run only these stages (others' tables come from DIR)\n"
    "      --skip A,B      do not run these stages\n"
    "      --dry-run       print the plan and stop\n"
    "      --log-format F  text (default) or json: one JSON object per line\n"
    "  check-config CONFIG validate config, plugins, stage graph and input files\n"
    "  plugins             list plugins on the search path with their ports and keys\n"
    "      --config CONFIG also search the config's run.plugin_path\n"
    "      --json          machine-readable listing\n"
    "\n"
    "environment: SCO_PLUGIN_PATH (colon-separated plugin folders), SCO_LOG_LEVEL\n"
    "(debug|info|warn|error), NO_COLOR.\n"
    "exit status: 0 ok, 64 usage, 65 data error, 66 missing input, 69 source unavailable,\n"
    "70 a stage failed, crashed or timed out, 73 cannot write output, 75 another run holds\n"
    "the lock, 78 configuration error. See sco(1) and README.md.\n";

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "sco: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return SCO_EXIT_USAGE;
}

/* "--opt VALUE" or "--opt=VALUE"; returns the value or NULL when `arg` is another option */
static const char *opt_value(const char *name, int argc, char **argv, int *i, bool *bad)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *bad = true;
        return NULL;
    }
    return argv[++*i];
}

static int parse_log_format(const char *v)
{
    if (strcmp(v, "text") == 0)
        return SCO__LOG_TEXT;
    if (strcmp(v, "json") == 0)
        return SCO__LOG_JSON;
    return -2;
}

static void print_port(const struct sco_port *p, bool json, struct sco__json *j)
{
    if (json) {
        sco__json_obj_begin(j);
        sco__json_key(j, "name");
        sco__json_str(j, p->name);
        sco__json_key(j, "optional");
        sco__json_bool(j, p->optional);
        sco__json_key(j, "doc");
        sco__json_str(j, p->doc);
        sco__json_key(j, "columns");
        sco__json_arr_begin(j);
        for (size_t c = 0; c < p->n_columns; c++) {
            sco__json_obj_begin(j);
            sco__json_key(j, "name");
            sco__json_str(j, p->columns[c].name);
            sco__json_key(j, "type");
            sco__json_str(j, sco__col_type_name(p->columns[c].type));
            sco__json_key(j, "optional");
            sco__json_bool(j, p->columns[c].optional);
            sco__json_obj_end(j);
        }
        sco__json_arr_end(j);
        sco__json_obj_end(j);
        return;
    }
    printf("    %s%s%s%s\n", p->name, p->optional ? " (optional)" : "", p->doc ? ": " : "",
           p->doc ? p->doc : "");
    if (p->n_columns) {
        printf("      columns:");
        for (size_t c = 0; c < p->n_columns; c++)
            printf("%s %s %s%s", c ? "," : "", p->columns[c].name,
                   sco__col_type_name(p->columns[c].type), p->columns[c].optional ? "?" : "");
        printf("\n");
    }
}

static void print_plugin(const struct sco__plugin *pl, bool json, struct sco__json *j)
{
    const struct sco_plugin_desc *d = pl->desc;
    if (json) {
        sco__json_obj_begin(j);
        sco__json_key(j, "name");
        sco__json_str(j, d->name);
        sco__json_key(j, "version");
        sco__json_str(j, d->version);
        sco__json_key(j, "abi_version");
        sco__json_i64(j, d->abi_version);
        sco__json_key(j, "file");
        sco__json_str(j, pl->path);
        sco__json_key(j, "summary");
        sco__json_str(j, d->summary);
        sco__json_key(j, "inputs");
        sco__json_arr_begin(j);
        for (size_t i = 0; i < d->n_inputs; i++)
            print_port(&d->inputs[i], true, j);
        sco__json_arr_end(j);
        sco__json_key(j, "outputs");
        sco__json_arr_begin(j);
        for (size_t i = 0; i < d->n_outputs; i++)
            print_port(&d->outputs[i], true, j);
        sco__json_arr_end(j);
        sco__json_key(j, "config");
        sco__json_arr_begin(j);
        for (size_t i = 0; i < d->n_config; i++) {
            const struct sco_config_key *k = &d->config[i];
            sco__json_obj_begin(j);
            sco__json_key(j, "key");
            sco__json_str(j, k->key);
            sco__json_key(j, "type");
            sco__json_str(j, sco__cfg_type_name(k->type));
            sco__json_key(j, "default");
            sco__json_str(j, k->dflt);
            sco__json_key(j, "required");
            sco__json_bool(j, k->required);
            sco__json_key(j, "doc");
            sco__json_str(j, k->doc);
            sco__json_obj_end(j);
        }
        sco__json_arr_end(j);
        sco__json_obj_end(j);
        return;
    }
    printf("%s %s (ABI %u)\n  file: %s\n", d->name, d->version, (unsigned)d->abi_version,
           pl->path);
    if (d->summary)
        printf("  %s\n", d->summary);
    printf("  inputs:%s\n", d->n_inputs ? "" : " none");
    for (size_t i = 0; i < d->n_inputs; i++)
        print_port(&d->inputs[i], false, NULL);
    printf("  outputs:%s\n", d->n_outputs ? "" : " none");
    for (size_t i = 0; i < d->n_outputs; i++)
        print_port(&d->outputs[i], false, NULL);
    printf("  config:%s\n", d->n_config ? "" : " none");
    for (size_t i = 0; i < d->n_config; i++) {
        const struct sco_config_key *k = &d->config[i];
        printf("    %s (%s", k->key, sco__cfg_type_name(k->type));
        if (k->required)
            printf(", required");
        else if (k->dflt)
            printf(", default %s", k->dflt);
        printf(")%s%s\n", k->doc ? ": " : "", k->doc ? k->doc : "");
    }
}

int sco__cmd_plugins(const char *config, bool json)
{
    struct sco__config *cfg = NULL;
    struct sco__diags d = { 0 };
    struct sco_err err = { 0 };
    int ex = 0;
    if (config && sco__config_load(config, &cfg, &d, &err) != 0) {
        for (size_t i = 0; i < d.n; i++)
            sco__host_log(NULL, SCO_LOG_ERROR, "%s", d.msg[i]);
        ex = sco__exit_code(err.code, SCO__PHASE_INPUT);
        sco__diags_fini(&d);
        sco__config_free(cfg);
        return ex;
    }
    struct sco__search s;
    sco__search_init(&s, cfg);
    size_t n = 0;
    char **files = sco__plugin_list(&s, &n);
    struct sco__buf out = { 0 };
    struct sco__json j;
    sco__json_init(&j, &out, true);
    if (json)
        sco__json_arr_begin(&j);
    if (!json) {
        printf("plugin search path:");
        for (size_t i = 0; i < s.n; i++)
            printf("%s %s", i ? "," : "", s.dirs[i]);
        if (s.build_plugins)
            printf(", %s/*", s.build_plugins);
        printf("\n\n");
    }
    size_t loaded = 0;
    for (size_t i = 0; i < n; i++) {
        struct sco__plugin *pl = NULL;
        if (sco__plugin_load(files[i], &pl, &err) != 0) {
            sco__host_log(NULL, SCO_LOG_WARN, "%s", err.msg);
            ex = SCO_EXIT_CONFIG;
        } else {
            if (!json && loaded)
                printf("\n");
            print_plugin(pl, json, &j);
            loaded++;
        }
        sco__plugin_free(pl);
        free(files[i]);
    }
    free(files);
    if (json) {
        sco__json_arr_end(&j);
        printf("%s\n", out.s);
    } else if (!loaded) {
        printf("no plugins found\n");
    }
    sco__buf_fini(&out);
    sco__search_fini(&s);
    sco__config_free(cfg);
    return ex;
}

int main(int argc, char **argv)
{
    /* a closed log pipe (| head, a dead logger) must not kill a nightly run mid-write */
    signal(SIGPIPE, SIG_IGN);
    sco__log_setup(SCO__LOG_TEXT, NULL);
    if (argc < 2)
        return usage("%s", "no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        fputs("\n", stdout);
        fputs(help_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("sco %s (plugin ABI %d)\n", SCO_VERSION, SCO_ABI_VERSION);
        return 0;
    }

    struct sco__run_opts o = { .log_format = -1 };
    const char *config = NULL;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        const char *v;
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (config)
                return usage("unexpected argument '%s'", a);
            config = a;
            continue;
        }
        bool is_run = strcmp(cmd, "run") == 0;
        if (is_run && (v = opt_value("--date", argc, argv, &i, &bad)))
            o.date = v;
        else if (is_run && (v = opt_value("--out", argc, argv, &i, &bad)))
            o.out = v;
        else if (is_run && (v = opt_value("--only", argc, argv, &i, &bad)))
            o.only = v;
        else if (is_run && (v = opt_value("--skip", argc, argv, &i, &bad)))
            o.skip = v;
        else if (is_run && strcmp(a, "--dry-run") == 0)
            o.dry_run = true;
        else if (strcmp(cmd, "plugins") != 0 &&
                 (v = opt_value("--log-format", argc, argv, &i, &bad))) {
            o.log_format = parse_log_format(v);
            if (o.log_format < -1)
                return usage("--log-format '%s': use text or json", v);
        } else if (strcmp(cmd, "plugins") == 0 &&
                   (v = opt_value("--config", argc, argv, &i, &bad)))
            config = v;
        else if (strcmp(cmd, "plugins") == 0 && strcmp(a, "--json") == 0)
            json = true;
        else if (bad)
            return usage("option '%s' needs a value", a);
        else
            return usage("unknown option '%s'", a);
        if (bad)
            return usage("option '%s' needs a value", a);
    }
    if (o.log_format >= 0)
        sco__log_setup((enum sco__log_format)o.log_format, NULL);

    if (strcmp(cmd, "run") == 0) {
        if (!config)
            return usage("%s", "run needs a CONFIG file");
        o.config = config;
        return sco__cmd_run(&o);
    }
    if (strcmp(cmd, "check-config") == 0) {
        if (!config)
            return usage("%s", "check-config needs a CONFIG file");
        return sco__cmd_check(config, o.log_format);
    }
    if (strcmp(cmd, "plugins") == 0)
        return sco__cmd_plugins(config, json);

    static const char *const cmds[] = { "run", "check-config", "plugins" };
    const char *s = sco__suggest(cmd, cmds, 3);
    if (s) {
        fprintf(stderr, "sco: unknown command '%s' (did you mean '%s'?)\n%s", cmd, s,
                usage_text);
        return SCO_EXIT_USAGE;
    }
    return usage("unknown command '%s'", cmd);
}
