/* End to end: the real `sco` binary as a subprocess, real plugins, real files, real signals. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void enter_tmpdir(void)
{
    char tmpl[] = "/tmp/sco-e2e-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    cr_assert_eq(chdir(tmpl), 0);
    setenv("SCO_PLUGIN_PATH", TEST_PLUGIN_DIR, 1);
    unsetenv("SCO_LOG_LEVEL");
    /* under AddressSanitizer, let SIGSEGV kill the worker as it would in production */
    const char *asan = getenv("ASAN_OPTIONS");
    char opts[1024];
    snprintf(opts, sizeof opts, "%s%shandle_segv=0", asan ? asan : "", asan && *asan ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* whole file, or NULL; the caller frees it */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct sco__buf b = { 0 };
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sco__buf_putn(&b, chunk, n);
    fclose(f);
    return sco__buf_take(&b);
}

/* Runs `sco ARGS` (a shell word list) with stderr in err.txt and stdout in out.txt. */
static int sco(const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s >out.txt 2>err.txt", SCO_EXE, args);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "sco did not exit normally");
    return WEXITSTATUS(st);
}

static pid_t sco_bg(const char *config, const char *extra)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        freopen("bg-err.txt", "w", stderr);
        freopen("/dev/null", "w", stdout);
        if (extra)
            execl(SCO_EXE, "sco", "run", config, extra, (char *)NULL);
        else
            execl(SCO_EXE, "sco", "run", config, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static int wait_exit(pid_t pid)
{
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st), "sco was killed by signal %d", WTERMSIG(st));
    return WEXITSTATUS(st);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* first entry of `dir` whose name starts with prefix, or NULL; the caller frees it */
static char *find_entry(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct dirent *e;
    char *found = NULL;
    while (!found && (e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            found = sco__xasprintf("%s/%s", dir, e->d_name);
    closedir(d);
    return found;
}

static bool contains(const char *path, const char *needle)
{
    char *s = slurp(path);
    bool ok = s && strstr(s, needle);
    free(s);
    return ok;
}

#define NUMBERS "x,label\n1,a\n2,b\n3,\"c, d\"\n"
#define HEAD                                                                                   \
    "run: { date: 2026-11-29, output: \"out/{date}\", seed: 9 }\n"                             \
    "sources:\n  numbers: { path: numbers.csv }\n"                                             \
    "stages:\n"

static void chain_config_f(int factor, const char *extra_first)
{
    char text[2048];
    snprintf(text, sizeof text,
             HEAD "  double: { plugin: good, config: { factor: %d, report: true%s } }\n"
                  "  again: { plugin: good, inputs: { numbers: doubled }, outputs: { doubled: "
                  "quadrupled } }\n",
             factor, extra_first ? extra_first : "");
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml", text);
}

static void chain_config(const char *extra_first)
{
    chain_config_f(3, extra_first);
}

TestSuite(e2e, .init = enter_tmpdir, .timeout = 60);

Test(e2e, chain_writes_outputs_manifest_and_latest)
{
    chain_config(NULL);
    cr_assert_eq(sco("run c.yaml"), 0);
    char *d = slurp("out/2026-11-29/doubled.csv");
    cr_expect_str_eq(d, "x,y,label\n3,0.5,a\n6,1,b\n9,1.5,\"c, d\"\n");
    free(d);
    char *q = slurp("out/2026-11-29/quadrupled.csv");
    cr_expect_str_eq(q, "x,y,label\n6,1.5,a\n12,3,b\n18,4.5,\"c, d\"\n");
    free(q);
    char link[64] = "";
    cr_expect_gt(readlink("out/latest", link, sizeof link - 1), 0);
    cr_expect_str_eq(link, "2026-11-29");
    /* file_create/commit: committed file present, uncommitted one removed */
    cr_expect(contains("out/2026-11-29/reports/good.txt", "stage double run "));
    cr_expect(contains("out/2026-11-29/reports/good.txt", "seed 9"));
    cr_expect_neq(access("out/2026-11-29/reports/uncommitted.txt", F_OK), 0);

    char *m = slurp("out/2026-11-29/manifest.json");
    cr_assert_not_null(m);
    char hash[65];
    cr_assert_eq(sco__sha256_file("c.yaml", hash), 0);
    cr_expect(strstr(m, hash), "config hash missing");
    cr_expect(strstr(m, "\"status\": \"ok\""));
    cr_expect(strstr(m, "\"exit_code\": 0"));
    cr_expect(strstr(m, "\"sco_version\": \"0.1.0\""));
    cr_expect(strstr(m, "\"seed\": 9"));
    cr_expect(strstr(m, "\"device\": \"cpu\"") || strstr(m, "\"device\": \"cuda\""));
    cr_expect(strstr(m, "\"date\": \"2026-11-29\""));
    cr_expect(strstr(m, "\"name\": \"good\",\n      \"version\": \"1.0.0\""));
    cr_expect(strstr(m, "\"name\": \"double\""));
    cr_expect(strstr(m, "\"rows_in\": 3"));
    cr_expect(strstr(m, "\"rows_out\": 3"));
    cr_expect(strstr(m, "\"quadrupled.csv\""));
    cr_expect(strstr(m, "\"run_id\": \"20"));
    cr_expect(strstr(m, "\"duration_s\": "));
    free(m);
    /* no staging folder left behind */
    char *st = find_entry("out", ".2026-11-29.staging-");
    cr_expect_null(st);
    free(st);
}

Test(e2e, second_run_replaces_first)
{
    chain_config(NULL);
    cr_assert_eq(sco("run c.yaml"), 0);
    chain_config_f(5, NULL);
    cr_assert_eq(sco("run c.yaml"), 0);
    cr_expect(contains("out/2026-11-29/doubled.csv", "x,y,label\n5,0.5,a\n"));
    char *old = find_entry("out", ".2026-11-29.");
    cr_expect(old == NULL || strstr(old, ".lock"), "left over: %s", old);
    free(old);
}

Test(e2e, crash_keeps_evidence_and_runs_independent_stages)
{
    write_file("numbers.csv", NUMBERS);
    chain_config(NULL);
    cr_assert_eq(sco("run c.yaml"), 0);
    char *before = slurp("out/2026-11-29/doubled.csv");
    char *before_m = slurp("out/2026-11-29/manifest.json");
    write_file("c.yaml", HEAD "  first: { plugin: good, config: { factor: 7 } }\n"
                              "  boom: { plugin: crash, inputs: { numbers: doubled } }\n"
                              "  after: { plugin: good, inputs: { numbers: wreck }, outputs: "
                              "{ doubled: after } }\n"
                              "  indep: { plugin: good, outputs: { doubled: indep } }\n"
                              "  late: { plugin: good, inputs: { numbers: indep }, outputs: "
                              "{ doubled: late } }\n");
    cr_assert_eq(sco("run c.yaml"), 70);
    /* previous outputs untouched */
    char *after = slurp("out/2026-11-29/doubled.csv");
    char *after_m = slurp("out/2026-11-29/manifest.json");
    cr_expect_str_eq(after, before);
    cr_expect_str_eq(after_m, before_m);
    free(before);
    free(after);
    free(before_m);
    free(after_m);
    /* evidence: the failed run's folder with its manifest and finished outputs */
    char *failed = find_entry("out", "2026-11-29.failed-");
    cr_assert_not_null(failed);
    char path[512];
    snprintf(path, sizeof path, "%s/manifest.json", failed);
    char *m = slurp(path);
    cr_assert_not_null(m);
    cr_expect(strstr(m, "\"status\": \"failed\""));
    cr_expect(strstr(m, "\"exit_code\": 70"));
    cr_expect(strstr(m, "\"status\": \"crashed\""));
    cr_expect(strstr(m, "\"signal\": \"SIGSEGV\""));
    cr_expect(strstr(m, "\"error\": \"stage 'boom' (plugin crash) crashed with SIGSEGV\""));
    cr_expect(strstr(m, "\"status\": \"skipped\""));
    cr_expect(strstr(m, "not run: stage 'boom' did not succeed, so table 'wreck' is missing"));
    free(m);
    snprintf(path, sizeof path, "%s/doubled.csv", failed);
    cr_expect(contains(path, "7,0.5,a"), "finished stage's output kept");
    /* stages that do not depend on the crash ran in a fresh worker, reading 'indep' back */
    snprintf(path, sizeof path, "%s/late.csv", failed);
    cr_expect(contains(path, "x,y,label\n4,1,a\n"), "late.csv missing or wrong");
    free(failed);
    cr_expect(contains("err.txt", "crashed with SIGSEGV"));
}

Test(e2e, abort_is_recorded)
{
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml", HEAD "  boom: { plugin: crash, config: { how: abort } }\n");
    cr_assert_eq(sco("run c.yaml"), 70);
    char *failed = find_entry("out", "2026-11-29.failed-");
    cr_assert_not_null(failed);
    char path[512];
    snprintf(path, sizeof path, "%s/manifest.json", failed);
    cr_expect(contains(path, "\"signal\": \"SIGABRT\""));
    free(failed);
}

Test(e2e, plugin_calling_exit_is_a_crash)
{
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml", HEAD "  boom: { plugin: crash, config: { how: exit } }\n"
                              "  indep: { plugin: good }\n");
    cr_assert_eq(sco("run c.yaml"), 70);
    char *failed = find_entry("out", "2026-11-29.failed-");
    cr_assert_not_null(failed);
    char path[512];
    snprintf(path, sizeof path, "%s/manifest.json", failed);
    cr_expect(contains(path, "ended the process with exit status 3"));
    snprintf(path, sizeof path, "%s/doubled.csv", failed);
    cr_expect_eq(access(path, F_OK), 0, "independent stage did not run");
    free(failed);
}

static int run_fails(const char *code)
{
    char text[512];
    snprintf(text, sizeof text,
             "run: { date: 2026-11-29, output: \"out/{date}\" }\n"
             "stages:\n  f:\n    plugin: fails\n    config: { code: %s }\n",
             code);
    write_file("c.yaml", text);
    return sco("run c.yaml");
}

Test(e2e, stage_failure_exit_codes)
{
    cr_expect_eq(run_fails("infeasible"), 70);
    cr_expect(contains("err.txt", "f: failed after"));
    cr_expect(contains("err.txt", "no feasible plan: demand exceeds capacity"));
    cr_expect_eq(run_fails("data"), 65);
    cr_expect_eq(run_fails("noinput"), 66);
    cr_expect_eq(run_fails("undeclared"), 70);
    cr_expect(contains("err.txt", "plugin 'fails' asked for config key 'undeclared', which it "
                                  "does not declare; fix the plugin"));
    cr_expect_eq(run_fails("config"), 78);
    cr_expect(contains("err.txt", "c.yaml:5:21: f.code: rejected on purpose"));
}

Test(e2e, bad_csv_cell_is_data_error_with_position)
{
    write_file("numbers.csv", "x,label\n1,a\nabc,b\n");
    write_file("c.yaml", HEAD "  double: { plugin: good }\n");
    cr_expect_eq(sco("run c.yaml"), 65);
    cr_expect(contains("err.txt", "numbers.csv:3:1: column 'x': expected "), "no position");
}

Test(e2e, lock_contention_between_two_processes)
{
    write_file("numbers.csv", NUMBERS);
    /* long enough for a loaded machine; cancelled below once the second run was refused */
    write_file("c.yaml", HEAD "  slow: { plugin: good, config: { sleep_ms: 60000 } }\n");
    pid_t bg = sco_bg("c.yaml", NULL);
    /* wait until the first run holds the lock and wrote its pid into it */
    char want[64];
    snprintf(want, sizeof want, "pid %d,", (int)bg);
    for (int i = 0; i < 2000 && !contains("out/.2026-11-29.lock", want); i++)
        sleep_ms(10);
    cr_assert(contains("out/.2026-11-29.lock", want), "lock file not written");
    cr_expect_eq(sco("run c.yaml"), 75);
    cr_expect(contains("err.txt", "another run holds the lock"));
    cr_expect(contains("err.txt", want), "holder's pid not printed");
    cr_expect(contains("err.txt", "started 20"), "holder's start time not printed");
    kill(bg, SIGTERM);
    cr_expect_eq(wait_exit(bg), 70);
    /* once released, a run gets it */
    write_file("c.yaml", HEAD "  fast: { plugin: good }\n");
    cr_expect_eq(sco("run c.yaml"), 0);
}

Test(e2e, kill_9_mid_run_leaves_previous_outputs_intact)
{
    write_file("numbers.csv", NUMBERS);
    chain_config(NULL);
    cr_assert_eq(sco("run c.yaml"), 0);
    char *before = slurp("out/2026-11-29/doubled.csv");
    char *before_m = slurp("out/2026-11-29/manifest.json");
    write_file("c.yaml", HEAD "  double: { plugin: good, config: { factor: 100 } }\n"
                              "  slow: { plugin: good, inputs: { numbers: doubled }, outputs: "
                              "{ doubled: slow }, config: { sleep_ms: 60000 } }\n");
    pid_t bg = sco_bg("c.yaml", NULL);
    /* wait until the first stage's output sits in the staging folder, then kill -9 */
    char *staging = NULL;
    char path[512] = "";
    for (int i = 0; i < 2000; i++) {
        free(staging);
        staging = find_entry("out", ".2026-11-29.staging-");
        if (staging) {
            snprintf(path, sizeof path, "%s/doubled.csv", staging);
            if (access(path, F_OK) == 0)
                break;
        }
        sleep_ms(10);
    }
    cr_assert(staging && access(path, F_OK) == 0, "run did not reach its second stage");
    kill(bg, SIGKILL);
    int st;
    waitpid(bg, &st, 0);
    cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    char *after = slurp("out/2026-11-29/doubled.csv");
    char *after_m = slurp("out/2026-11-29/manifest.json");
    cr_expect_str_eq(after, before, "previous outputs damaged");
    cr_expect_str_eq(after_m, before_m, "previous manifest damaged");
    cr_expect(contains(path, "100,0.5,a"), "killed run's finished output not in staging");
    free(before);
    free(after);
    free(before_m);
    free(after_m);
    /* the worker died with its supervisor: the lock is free at once */
    sleep_ms(100);
    write_file("c.yaml", HEAD "  double: { plugin: good }\n");
    cr_expect_eq(sco("run c.yaml"), 0);
    cr_expect(contains("err.txt", "did not finish (killed?)"));
    char *adopted = find_entry("out", "2026-11-29.failed-");
    cr_expect_not_null(adopted, "killed run's staging folder not kept as evidence");
    free(adopted);
    free(staging);
}

Test(e2e, sigterm_cancels_run)
{
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml", HEAD "  slow: { plugin: good, config: { sleep_ms: 60000 } }\n"
                              "  next: { plugin: good, inputs: { numbers: doubled }, outputs: "
                              "{ doubled: next } }\n");
    pid_t bg = sco_bg("c.yaml", NULL);
    for (int i = 0; i < 2000 && !contains("bg-err.txt", "slow: started"); i++)
        sleep_ms(10);
    sleep_ms(100);
    kill(bg, SIGTERM);
    cr_expect_eq(wait_exit(bg), 70);
    char *failed = find_entry("out", "2026-11-29.failed-");
    cr_assert_not_null(failed);
    char path[512];
    snprintf(path, sizeof path, "%s/manifest.json", failed);
    cr_expect(contains(path, "\"status\": \"cancelled\""));
    free(failed);
}

Test(e2e, world_writable_plugin_refused)
{
    write_file("numbers.csv", NUMBERS);
    mkdir("p", 0755);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s/good.so' p/good.so && chmod 0666 p/good.so",
             TEST_PLUGIN_DIR);
    cr_assert_eq(system(cmd), 0);
    setenv("SCO_PLUGIN_PATH", "p", 1);
    write_file("c.yaml", HEAD "  double: { plugin: good }\n");
    cr_expect_eq(sco("run c.yaml"), 78);
    cr_expect(contains("err.txt", "is writable by everyone"));
    cr_expect(contains("err.txt", "fix with chmod go-w"));
    cr_expect_neq(access("out", F_OK), 0, "nothing may run");
}

Test(e2e, check_config_reports_positions)
{
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml", HEAD "  double:\n    plugin: good\n    config: { factr: 3 }\n");
    cr_expect_eq(sco("check-config c.yaml"), 78);
    cr_expect(contains("err.txt", "c.yaml:7:15: unknown key 'factr' for plugin 'good' (did you "
                                  "mean 'factor'?)"));
    /* a structural error does not hide a plugin's key error: both, in file order */
    write_file("c.yaml", "run: { date: 2026-11-29, sed: 9 }\n"
                         "sources:\n  numbers: { path: numbers.csv }\n"
                         "stages:\n  double:\n    plugin: good\n    config: { factr: 3 }\n");
    cr_expect_eq(sco("check-config c.yaml"), 78);
    char *e = slurp("err.txt");
    cr_assert_not_null(e);
    char *a = strstr(e, "c.yaml:1:26: unknown key 'sed' in 'run'");
    char *b = strstr(e, "c.yaml:7:15: unknown key 'factr' for plugin 'good'");
    cr_expect(a && b && a < b, "both errors, in file order:\n%s", e);
    free(e);
    write_file("c.yaml", HEAD "  double: { plugin: good }\n");
    cr_expect_eq(sco("check-config c.yaml"), 0);
    cr_expect(contains("out.txt", "c.yaml: ok (1 sources, 1 stages)"));
    write_file("c.yaml", HEAD "  double: { plugin: good }\n");
    unlink("numbers.csv");
    cr_expect_eq(sco("check-config c.yaml"), 66);
    cr_expect(contains("err.txt", "c.yaml:3:20: source 'numbers': cannot open 'numbers.csv'"));
    cr_expect_eq(sco("run c.yaml"), 66);
    cr_expect(contains("err.txt", "c.yaml:3:20: source 'numbers': "));
    /* check-config reads the sources as the stages will */
    write_file("numbers.csv", "x\n1\nabc\n");
    cr_expect_eq(sco("check-config c.yaml"), 65);
    cr_expect(contains("err.txt", "c.yaml:3:20: numbers.csv:3:1: column 'x': expected "));
    write_file("numbers.csv", "y\n1\n");
    cr_expect_eq(sco("check-config c.yaml"), 65);
    cr_expect(contains("err.txt", "stage 'double' input 'numbers': table 'numbers' (numbers.csv) "
                                  "has no column 'x'"));
}

Test(e2e, usage_and_version)
{
    cr_expect_eq(sco(""), 64);
    cr_expect_eq(sco("run"), 64);
    cr_expect_eq(sco("run c.yaml --bogus"), 64);
    cr_expect(contains("err.txt", "unknown option '--bogus'"));
    cr_expect_eq(sco("rnu c.yaml"), 64);
    cr_expect(contains("err.txt", "did you mean 'run'?"));
    cr_expect_eq(sco("--version"), 0);
    cr_expect(contains("out.txt", "sco 0.1.0 (plugin ABI 1)"));
    cr_expect_eq(sco("--help"), 0);
    cr_expect(contains("out.txt", "check-config"));
    cr_expect_eq(sco("run missing.yaml"), 66);
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml", HEAD "  double: { plugin: good }\n");
    cr_expect_eq(sco("run c.yaml --date 2026-13-01"), 64);
    cr_expect_eq(sco("run c.yaml --log-format xml"), 64);
}

Test(e2e, dry_run_writes_nothing)
{
    chain_config(NULL);
    cr_expect_eq(sco("run c.yaml --dry-run --date 2026-12-01"), 0);
    cr_expect(contains("out.txt", "dry run of c.yaml for 2026-12-01"));
    cr_expect(contains("out.txt", "2. again: plugin good 1.0.0"));
    cr_expect_neq(access("out", F_OK), 0);
}

Test(e2e, date_and_out_override)
{
    chain_config(NULL);
    cr_expect_eq(sco("run c.yaml --date 2026-12-24 --out elsewhere/{date}"), 0);
    cr_expect_eq(access("elsewhere/2026-12-24/doubled.csv", F_OK), 0);
    cr_expect(contains("elsewhere/2026-12-24/manifest.json", "\"date\": \"2026-12-24\""));
    /* {date} in a source path: the day's file */
    mkdir("daily", 0755);
    write_file("daily/2026-12-24.csv", "x\n21\n");
    write_file("c.yaml", "run: { date: 2026-11-29, output: \"out/{date}\" }\n"
                         "sources:\n  numbers: { path: \"daily/{date}.csv\" }\n"
                         "stages:\n  double: { plugin: good }\n");
    cr_expect_eq(sco("run c.yaml --date 2026-12-24"), 0);
    cr_expect(contains("out/2026-12-24/doubled.csv", "42,"));
    cr_expect_eq(sco("run c.yaml"), 66); /* no daily/2026-11-29.csv */
    cr_expect(contains("err.txt", "daily/2026-11-29.csv"));
}

Test(e2e, secrets_never_logged_nor_in_manifest)
{
    setenv("SCO_E2E_SECRET", "pa55word-xyz", 1);
    chain_config(", note: \"${SCO_E2E_SECRET}\"");
    cr_assert_eq(sco("run c.yaml"), 0);
    cr_expect(contains("err.txt", "note: ***"));
    cr_expect(!contains("err.txt", "pa55word-xyz"));
    cr_expect(!contains("out/2026-11-29/manifest.json", "pa55word-xyz"));
}

Test(e2e, json_log_lines)
{
    chain_config(NULL);
    cr_assert_eq(sco("run c.yaml --log-format json"), 0);
    char *s = slurp("err.txt");
    cr_assert_not_null(s);
    int lines = 0;
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n"), lines++) {
        cr_expect_eq(line[0], '{', "not JSON: %s", line);
        cr_expect(strstr(line, "\"ts\":\"20"), "%s", line);
        cr_expect(strstr(line, "\"run_id\":\"20"), "%s", line);
        cr_expect(strstr(line, "\"stage\":"), "%s", line);
        cr_expect(strstr(line, "\"level\":\""), "%s", line);
        cr_expect(strstr(line, "\"msg\":\""), "%s", line);
    }
    cr_expect_geq(lines, 5);
    free(s);
}

Test(e2e, only_reuses_previous_outputs)
{
    chain_config(NULL);
    cr_assert_eq(sco("run c.yaml"), 0);
    chain_config_f(50, NULL);
    cr_assert_eq(sco("run c.yaml --only again"), 0);
    /* 'double' did not run: its old output stays and fed 'again' */
    cr_expect(contains("out/2026-11-29/doubled.csv", "3,0.5,a"));
    cr_expect(contains("out/2026-11-29/quadrupled.csv", "6,1.5,a"));
    cr_expect(contains("out/2026-11-29/manifest.json", "\"status\": \"not_selected\""));
    cr_expect(contains("out/2026-11-29/manifest.json", "\"only\": \"again\""));
    cr_expect_eq(sco("run c.yaml --skip again --date 2026-11-30"), 0);
    cr_expect_eq(access("out/2026-11-30/quadrupled.csv", F_OK), -1);
    cr_expect_eq(sco("run c.yaml --only again --date 2026-12-02"), 66);
    cr_expect(contains("err.txt", "run stage 'double' too"));
}

Test(e2e, write_list_keeps_tables_in_memory)
{
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml", HEAD "  double: { plugin: good, write: false }\n"
                              "  again: { plugin: good, inputs: { numbers: doubled }, outputs: "
                              "{ doubled: quadrupled }, write: [quadrupled] }\n");
    cr_assert_eq(sco("run c.yaml"), 0);
    cr_expect_neq(access("out/2026-11-29/doubled.csv", F_OK), 0);
    cr_expect(contains("out/2026-11-29/quadrupled.csv", "4,1,a"));
}

Test(e2e, config_values_reach_the_plugin)
{
    mkdir("conf", 0755);
    write_file("conf/c.yaml", "run: { date: 2026-11-29, output: \"../out/{date}\" }\n"
                              "stages:\n  echo:\n    plugin: cfgkeys\n    config:\n"
                              "      count: 5\n      file: data/x.txt\n"
                              "      levels: [0.1, 0.975]\n      tags: solo\n"
                              "      horizon_days: 28\n");
    cr_assert_eq(sco("run conf/c.yaml"), 0, "sco failed");
    char *c = slurp("out/2026-11-29/cfg.csv");
    cr_assert_not_null(c);
    cr_expect_str_eq(c, "key,value\nname,anon\ncount,5\nratio,0.25\nenabled,true\n"
                        "file,conf/data/x.txt\nlevels,0.1 0.975\ntags,solo\nhorizon_days,28\n");
    free(c);
    write_file("conf/c.yaml", "run: { date: 2026-11-29, output: \"../out/{date}\" }\n"
                              "stages:\n  echo:\n    plugin: cfgkeys\n    config:\n"
                              "      horizon_days: 400\n");
    cr_expect_eq(sco("run conf/c.yaml"), 78);
    cr_expect(contains("err.txt", "conf/c.yaml:6:21: echo.horizon_days: at most 365 days, got "
                                  "400"));
}

Test(e2e, device_cuda_without_device_is_config_error)
{
    if (access("/dev/nvidia0", F_OK) == 0)
        cr_skip_test("a GPU is present");
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml", "run: { date: 2026-11-29, output: \"out/{date}\", device: cuda }\n"
                         "sources:\n  numbers: { path: numbers.csv }\n"
                         "stages:\n  double: { plugin: good }\n");
    cr_expect_eq(sco("run c.yaml"), 78);
}

Test(e2e, plugins_listing)
{
    cr_expect_eq(sco("plugins"), 78); /* the broken test plugins are reported */
    cr_expect(contains("out.txt", "good 1.0.0 (ABI 1)"));
    cr_expect(contains("out.txt", "factor (integer, default 2): multiplier for x"));
    cr_expect(contains("out.txt", "columns: x i64, label str?"));
    cr_expect(contains("err.txt", "plugin 'abi-too-new' uses ABI 2"));
    cr_expect_eq(sco("plugins --json"), 78);
    cr_expect(contains("out.txt", "\"name\": \"cfgkeys\""));
}

Test(e2e, progress_bar_only_on_a_tty)
{
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml", HEAD "  slow: { plugin: good, config: { sleep_ms: 600 } }\n");
    cr_assert_eq(sco("run c.yaml"), 0);
    cr_expect(!contains("err.txt", "sleeping"), "progress bar drawn on a file");
    if (access("/usr/bin/script", X_OK) != 0)
        cr_skip_test("script(1) is not installed; cannot make a terminal");
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "script -qec \"'%s' run c.yaml --date 2026-11-30\" /dev/null >tty.txt 2>&1",
             SCO_EXE);
    cr_assert_eq(system(cmd), 0);
    cr_expect(contains("tty.txt", "] "), "no bar");
    cr_expect(contains("tty.txt", "% sleeping"), "no progress note");
    cr_expect(contains("tty.txt", "slow [#"), "bar never advanced");
}

Test(e2e, unwritable_output_is_exit_73)
{
    chain_config(NULL);
    /* a regular file where a folder must go: fails for root too */
    cr_expect_eq(sco("run c.yaml --out numbers.csv/sub/{date}"), 73);
    cr_expect(contains("err.txt", "numbers.csv/sub"));
}

Test(e2e, stage_time_limits_cancel_then_kill)
{
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml",
               "run: { date: 2026-11-29, output: \"out/{date}\", stage_timeout: 300ms }\n"
               "sources:\n  numbers: { path: numbers.csv }\n"
               "stages:\n"
               "  polite: { plugin: good, config: { sleep_ms: 60000 } }\n"
               "  after: { plugin: good, inputs: { numbers: doubled }, outputs: "
               "{ doubled: after } }\n"
               "  stuck: { plugin: stubborn, timeout: 200ms }\n"
               "  stuck_after: { plugin: good, inputs: { numbers: stalled }, outputs: "
               "{ doubled: stuck_after }, timeout: 1m }\n"
               "  indep: { plugin: good, outputs: { doubled: indep }, timeout: none }\n");
    double t0 = sco__mono();
    cr_assert_eq(sco("run c.yaml"), 70);
    double took = sco__mono() - t0;
    /* 300 ms + stop; 200 ms + 1 s grace + kill; a fresh worker for the rest: about 2 s. The
     * bound only has to tell that from waiting out the 60 s sleep; a loaded CI machine with
     * sanitizers can take several seconds to start the workers. */
    cr_expect_lt(took, 30.0, "took %.1f s", took);
    cr_expect_geq(took, 1.2, "took %.1f s: the stubborn stage got no grace", took);
    char *failed = find_entry("out", "2026-11-29.failed-");
    cr_assert_not_null(failed);
    char path[512];
    snprintf(path, sizeof path, "%s/manifest.json", failed);
    char *m = slurp(path);
    cr_assert_not_null(m);
    cr_expect(strstr(m, "\"exit_code\": 70"));
    cr_expect(strstr(m, "\"error\": \"stage 'polite' (plugin good) ran past its time limit of "
                        "300ms (run.stage_timeout) and stopped when cancelled; raise the "
                        "limit or make the stage faster\""),
              "%s", m);
    cr_expect(strstr(m, "\"error\": \"stage 'stuck' (plugin stubborn) ran past its time limit "
                        "of 200ms (stages.stuck.timeout) and was killed because it did not "
                        "stop when cancelled; raise the limit or make the stage faster\""));
    cr_expect(strstr(m, "\"status\": \"timed_out\",\n"));
    cr_expect(strstr(m, "\"timeout_s\": 0.3,\n"));
    cr_expect(strstr(m, "\"timeout_s\": 0.2,\n"));
    cr_expect(strstr(m, "\"timeout_s\": 60,\n"));
    cr_expect(strstr(m, "not run: stage 'polite' did not succeed, so table 'doubled' is "
                        "missing"));
    cr_expect(strstr(m, "not run: stage 'stuck' did not succeed, so table 'stalled' is "
                        "missing"));
    cr_expect_null(strstr(m, "\"signal\": \"SIGKILL\""), "a time limit is not a crash");
    free(m);
    /* the independent stage ran, in the fresh worker after the kill */
    snprintf(path, sizeof path, "%s/indep.csv", failed);
    cr_expect(contains(path, "x,y,label\n2,0.5,a\n"), "indep.csv missing or wrong");
    snprintf(path, sizeof path, "%s/doubled.csv", failed);
    cr_expect_neq(access(path, F_OK), 0, "a timed-out stage publishes nothing");
    free(failed);
    cr_expect(contains("err.txt", "polite: ran past its time limit of 300ms; cancelling it"));
    cr_expect(contains("err.txt", "was killed because it did not stop when cancelled"));
}

Test(e2e, stage_time_limit_config_errors)
{
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml", "run: { stage_timeout: soon }\n"
                         "sources:\n  numbers: { path: numbers.csv }\n"
                         "stages:\n"
                         "  double: { plugin: good, timeout: 20 }\n"
                         "  twice: { plugin: good, timout: 2m }\n");
    cr_expect_eq(sco("check-config c.yaml"), 78);
    cr_expect(contains("err.txt", "c.yaml:1:23: run.stage_timeout expects a duration such as "
                                  "90s, 20m or 1h30m (or none), got 'soon'"));
    cr_expect(contains("err.txt", "c.yaml:5:36: stages.double.timeout expects a duration such "
                                  "as 90s, 20m or 1h30m (or none), got '20'"));
    cr_expect(contains("err.txt", "c.yaml:6:26: unknown key 'timout' in stage 'twice' (did you "
                                  "mean 'timeout'?)"));
    write_file("c.yaml", "run: { stage_timeout: 1h30m }\n"
                         "sources:\n  numbers: { path: numbers.csv }\n"
                         "stages:\n"
                         "  double: { plugin: good, timeout: 90s }\n");
    cr_expect_eq(sco("check-config c.yaml"), 0);
    cr_expect(contains("out.txt", "time limit 1m30s (stages.double.timeout)"));
}

Test(e2e, rerun_of_a_stage_replaces_its_whole_set_of_outputs)
{
    write_file("numbers.csv", NUMBERS);
    chain_config(NULL); /* 'double' writes doubled.csv and reports/good.txt */
    cr_assert_eq(sco("run c.yaml"), 0);
    cr_assert(contains("out/2026-11-29/reports/good.txt", "stage double"));
    cr_expect(contains("out/2026-11-29/manifest.json", "\"reports/good.txt\""));
    /* now 'double' neither writes the report nor its table as CSV */
    write_file("c.yaml", HEAD "  double: { plugin: good, write: false, config: { factor: 4 } }\n"
                              "  again: { plugin: good, inputs: { numbers: doubled }, outputs: "
                              "{ doubled: quadrupled } }\n");
    cr_assert_eq(sco("run c.yaml --only double"), 0);
    cr_expect_neq(access("out/2026-11-29/reports/good.txt", F_OK), 0, "stale report kept");
    cr_expect_neq(access("out/2026-11-29/reports", F_OK), 0, "empty folder kept");
    cr_expect_neq(access("out/2026-11-29/doubled.csv", F_OK), 0, "stale table kept");
    /* the stage left out keeps its file, and the manifest still says whose it is */
    cr_expect(contains("out/2026-11-29/quadrupled.csv", "x,y,label\n6,1.5,a\n"));
    char *m = slurp("out/2026-11-29/manifest.json");
    cr_assert_not_null(m);
    cr_expect(strstr(m, "\"status\": \"not_selected\""));
    cr_expect(strstr(m, "\"outputs\": [\n        \"quadrupled.csv\"\n      ]"), "%s", m);
    cr_expect_null(strstr(m, "good.txt"));
    free(m);
    /* two partial runs later, quadrupled.csv is still known to be 'again''s */
    write_file("c.yaml", HEAD "  double: { plugin: good, config: { factor: 4 } }\n"
                              "  again: { plugin: good, write: false, inputs: { numbers: "
                              "doubled }, outputs: { doubled: quadrupled } }\n");
    cr_assert_eq(sco("run c.yaml --only double"), 0);
    cr_expect(contains("out/2026-11-29/quadrupled.csv", "x,y,label\n6,1.5,a\n"));
    cr_expect(contains("out/2026-11-29/doubled.csv", "x,y,label\n4,0.5,a\n"));
    cr_assert_eq(sco("run c.yaml --only again"), 0);
    cr_expect_neq(access("out/2026-11-29/quadrupled.csv", F_OK), 0, "stale table kept");
    cr_expect(contains("out/2026-11-29/doubled.csv", "x,y,label\n4,0.5,a\n"));
}

Test(e2e, stage_finishing_within_the_grace_is_kept)
{
    write_file("numbers.csv", NUMBERS);
    write_file("c.yaml", HEAD "  stuck: { plugin: stubborn, timeout: 200ms, config: { sleep_ms: "
                              "500 } }\n"
                              "  after: { plugin: good, inputs: { numbers: stalled } }\n");
    cr_assert_eq(sco("run c.yaml"), 0);
    cr_expect(contains("out/2026-11-29/stalled.csv", "x\n1\n"));
    cr_expect(contains("out/2026-11-29/doubled.csv", "x,y,label\n2,0.5,\n"));
    cr_expect(contains("out/2026-11-29/manifest.json", "\"timeout_s\": 0.2,"));
    cr_expect(contains("err.txt", "stuck: ran past its time limit of 200ms; cancelling it"));
    cr_expect(contains("err.txt", "after its time limit, within the grace; kept"));
}
