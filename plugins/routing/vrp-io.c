/* vrp-io.c: instance allocation and the VRPLIB (CVRPLIB X set) and Solomon readers. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vrp.h"

int sco__vrp_instance_alloc(struct vrp_instance *in, int n_jobs, int n_vehicles, int n_locs,
                            int n_dims, struct sco_err *err)
{
    memset(in, 0, sizeof *in);
    if (n_jobs < 0 || n_vehicles < 0 || n_locs < 1 || n_dims < 1 || n_dims > VRP_MAX_DIM)
        return sco_err_set(err, SCO_ERR_INVALID, "invalid instance size");
    in->n_jobs = n_jobs;
    in->n_vehicles = n_vehicles;
    in->n_locs = n_locs;
    in->n_dims = n_dims;
    in->time_per_dist = 1.0;
    in->jobs = calloc((size_t)n_jobs + 1, sizeof *in->jobs);
    in->vehicles = calloc((size_t)n_vehicles + 1, sizeof *in->vehicles);
    in->x = calloc((size_t)n_locs, sizeof *in->x);
    in->y = calloc((size_t)n_locs, sizeof *in->y);
    in->dist = malloc((size_t)n_locs * (size_t)n_locs * sizeof *in->dist);
    if (!in->jobs || !in->vehicles || !in->x || !in->y || !in->dist) {
        sco__vrp_instance_fini(in);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for a routing instance of %d "
                           "locations", n_locs);
    }
    for (int v = 0; v < n_vehicles; v++) {
        struct vrp_vehicle *ve = &in->vehicles[v];
        for (int d = 0; d < VRP_MAX_DIM; d++)
            ve->cap[d] = VRP_INF;
        ve->shift_end = VRP_INF;
        ve->max_duration = VRP_INF;
        ve->cost_per_dist = 1.0;
    }
    for (int j = 0; j < n_jobs; j++)
        in->jobs[j].tw_close = VRP_INF;
    return 0;
}

void sco__vrp_instance_fini(struct vrp_instance *in)
{
    if (!in)
        return;
    free(in->jobs);
    free(in->vehicles);
    free(in->x);
    free(in->y);
    free(in->dist);
    free(in->time);
    memset(in, 0, sizeof *in);
}

void sco__vrp_instance_euclid(struct vrp_instance *in, bool round)
{
    int n = in->n_locs;
    in->rounded = round;
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            double dx = in->x[a] - in->x[b], dy = in->y[a] - in->y[b];
            double d = sqrt(dx * dx + dy * dy);
            in->dist[(size_t)a * (size_t)n + (size_t)b] = round ? floor(d + 0.5) : d;
        }
}

/* ---- line reader ---------------------------------------------------------------------- */

struct lines {
    char *buf;
    char *p;
    int line;
};

/* Next line (modifiable, trailing blanks cut) or NULL at the end. */
static char *next_line(struct lines *L)
{
    if (!L->p || !*L->p)
        return NULL;
    char *s = L->p;
    char *e = strchr(s, '\n');
    if (e) {
        *e = '\0';
        L->p = e + 1;
    } else {
        L->p = s + strlen(s);
    }
    L->line++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* Parses up to max numbers separated by blanks; returns how many, -1 on a non-number. */
static int parse_numbers(const char *s, double *out, int max)
{
    int n = 0;
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || errno || !isfinite(v) || (*end && !isspace((unsigned char)*end)))
            return -1;
        if (n < max)
            out[n] = v;
        n++;
        s = end;
    }
    return n;
}

static bool is_int(double v) { return v == floor(v) && fabs(v) < 1e9; }

static int read_text(const char *path, char **out, struct sco_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sco_err_set(err, SCO_ERR_NOINPUT, "cannot open instance '%s': %s", path,
                           strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (n + 1 < cap)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", path);
    if (bad) {
        free(buf);
        return sco_err_set(err, SCO_ERR_IO, "cannot read instance '%s'", path);
    }
    buf[n] = '\0';
    *out = buf;
    return 0;
}

int sco__vrp_read_file(const char *path, struct vrp_instance *in, struct sco_err *err)
{
    char *text = NULL;
    int rc = read_text(path, &text, err);
    if (rc)
        return rc;
    /* VRPLIB files are "KEY : value" headers with *_SECTION blocks; Solomon files have a
     * VEHICLE block. */
    if (strstr(text, "NODE_COORD_SECTION") || strstr(text, "DIMENSION"))
        rc = sco__vrp_read_vrplib(path, text, in, err);
    else if (strstr(text, "VEHICLE") && strstr(text, "CUSTOMER"))
        rc = sco__vrp_read_solomon(path, text, in, err);
    else
        rc = sco_err_set(err, SCO_ERR_DATA, "%s:1: unknown instance format; expected VRPLIB "
                         "(DIMENSION, NODE_COORD_SECTION) or Solomon (VEHICLE, CUSTOMER)", path);
    free(text);
    return rc;
}

/* ---- VRPLIB ---------------------------------------------------------------------------- */

int sco__vrp_read_vrplib(const char *path, const char *text, struct vrp_instance *in,
                         struct sco_err *err)
{
    struct lines L = { .buf = strdup(text) };
    if (!L.buf)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", path);
    L.p = L.buf;
    char name[128] = "";
    long dim = -1;
    double capacity = -1;
    double *x = NULL, *y = NULL, *dem = NULL;
    bool have_coord = false, have_demand = false, have_depot = false;
    int rc = 0;
    char *s;
    int sec_line = 0;
    while ((s = next_line(&L))) {
        if (!*s)
            continue;
        if (!strcmp(s, "EOF"))
            break;
        if (!strncmp(s, "NODE_COORD_SECTION", 18) || !strncmp(s, "DEMAND_SECTION", 14)) {
            bool coord = s[0] == 'N';
            sec_line = L.line;
            if (dim < 2) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: section before a valid DIMENSION; "
                                 "put 'DIMENSION : n' in the header", path, L.line);
                goto out;
            }
            for (long i = 0; i < dim; i++) {
                double v[4];
                s = next_line(&L);
                if (!s) {
                    rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: %s ends after %ld of %ld nodes",
                                     path, L.line, coord ? "NODE_COORD_SECTION" :
                                     "DEMAND_SECTION", i, dim);
                    goto out;
                }
                int k = parse_numbers(s, v, 4);
                int want = coord ? 3 : 2;
                if (k != want) {
                    rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: expected '%s', got '%.40s'",
                                     path, L.line, coord ? "id x y" : "id demand", s);
                    goto out;
                }
                if (!is_int(v[0]) || (long)v[0] != i + 1) {
                    rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: node id %g out of order; "
                                     "expected %ld", path, L.line, v[0], i + 1);
                    goto out;
                }
                if (coord) {
                    x[i] = v[1];
                    y[i] = v[2];
                } else {
                    if (v[1] < 0 || !is_int(v[1])) {
                        rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: demand %g of node %ld is "
                                         "not a non-negative integer", path, L.line, v[1], i + 1);
                        goto out;
                    }
                    dem[i] = v[1];
                }
            }
            if (coord)
                have_coord = true;
            else
                have_demand = true;
            continue;
        }
        if (!strncmp(s, "DEPOT_SECTION", 13)) {
            double v[2];
            s = next_line(&L);
            if (!s || parse_numbers(s, v, 2) != 1 || v[0] != 1) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: expected depot '1' in DEPOT_SECTION "
                                 "(one depot, node 1)", path, L.line);
                goto out;
            }
            s = next_line(&L);
            if (!s || parse_numbers(s, v, 2) != 1 || v[0] != -1) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: expected '-1' closing DEPOT_SECTION; "
                                 "only one depot is supported", path, L.line);
                goto out;
            }
            have_depot = true;
            continue;
        }
        char *colon = strchr(s, ':');
        if (!colon) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: expected 'KEY : value' or a section, "
                             "got '%.40s'", path, L.line, s);
            goto out;
        }
        *colon = '\0';
        char *key = s, *val = colon + 1;
        size_t kn = strlen(key);
        while (kn && isspace((unsigned char)key[kn - 1]))
            key[--kn] = '\0';
        while (isspace((unsigned char)*val))
            val++;
        if (!strcmp(key, "NAME")) {
            snprintf(name, sizeof name, "%s", val);
        } else if (!strcmp(key, "TYPE")) {
            if (strcmp(val, "CVRP")) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: TYPE '%s' is not supported; "
                                 "expected CVRP", path, L.line, val);
                goto out;
            }
        } else if (!strcmp(key, "EDGE_WEIGHT_TYPE")) {
            if (strcmp(val, "EUC_2D")) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: EDGE_WEIGHT_TYPE '%s' is not "
                                 "supported; expected EUC_2D", path, L.line, val);
                goto out;
            }
        } else if (!strcmp(key, "DIMENSION") || !strcmp(key, "CAPACITY")) {
            double v[2];
            if (parse_numbers(val, v, 2) != 1 || !is_int(v[0]) || v[0] < 1 ||
                (key[0] == 'D' && (v[0] < 2 || v[0] > 200000))) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: %s '%s' is not a valid positive "
                                 "integer", path, L.line, key, val);
                goto out;
            }
            if (key[0] == 'D') {
                if (dim > 0) {
                    rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: DIMENSION given twice", path,
                                     L.line);
                    goto out;
                }
                dim = (long)v[0];
                x = calloc((size_t)dim, sizeof *x);
                y = calloc((size_t)dim, sizeof *y);
                dem = calloc((size_t)dim, sizeof *dem);
                if (!x || !y || !dem) {
                    rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", path);
                    goto out;
                }
            } else {
                capacity = v[0];
            }
        }
        /* other header keys (COMMENT, ...) carry nothing we use */
    }
    if (dim < 2 || capacity <= 0 || !have_coord || !have_demand) {
        rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: incomplete file: %s missing", path, L.line,
                         dim < 2 ? "DIMENSION" : capacity <= 0 ? "CAPACITY" :
                         !have_coord ? "NODE_COORD_SECTION" : "DEMAND_SECTION");
        goto out;
    }
    (void)have_depot; /* the depot is node 1 whether or not the section is there */
    if (dem[0] != 0) {
        rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: the depot (node 1) has demand %g; expected 0",
                         path, sec_line, dem[0]);
        goto out;
    }
    for (long i = 1; i < dim; i++)
        if (dem[i] > capacity) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: node %ld demand %g exceeds CAPACITY %g; "
                             "no vehicle can serve it", path, i + 1, dem[i], capacity);
            goto out;
        }
    int n = (int)dim - 1;
    rc = sco__vrp_instance_alloc(in, n, n, (int)dim, 1, err);
    if (rc)
        goto out;
    snprintf(in->name, sizeof in->name, "%s", name);
    for (int i = 0; i < dim; i++) {
        in->x[i] = x[i];
        in->y[i] = y[i];
    }
    for (int j = 0; j < n; j++) {
        in->jobs[j].loc = j + 1;
        in->jobs[j].demand[0] = dem[j + 1];
        in->jobs[j].tw_open = 0;
        in->jobs[j].tw_close = VRP_INF;
    }
    for (int v = 0; v < n; v++) {
        in->vehicles[v].cap[0] = capacity;
        in->vehicles[v].cost_per_dist = 1;
    }
    sco__vrp_instance_euclid(in, true);
out:
    free(x);
    free(y);
    free(dem);
    free(L.buf);
    return rc;
}

/* ---- Solomon --------------------------------------------------------------------------- */

int sco__vrp_read_solomon(const char *path, const char *text, struct vrp_instance *in,
                          struct sco_err *err)
{
    struct lines L = { .buf = strdup(text) };
    if (!L.buf)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", path);
    L.p = L.buf;
    int rc = 0;
    char name[128] = "";
    double nveh = -1, cap = -1;
    size_t n_rows = 0, cap_rows = 128;
    double (*rows)[7] = malloc(cap_rows * sizeof *rows);
    int *row_line = malloc(cap_rows * sizeof *row_line);
    if (!rows || !row_line) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", path);
        goto out;
    }
    enum { NAME, VEH_KW, VEH_HDR, VEH_VAL, CUST_KW, CUST_HDR, ROWS } st = NAME;
    char *s;
    while ((s = next_line(&L))) {
        if (!*s)
            continue;
        double v[8];
        switch (st) {
        case NAME:
            snprintf(name, sizeof name, "%s", s);
            st = VEH_KW;
            break;
        case VEH_KW:
            if (strcasecmp(s, "VEHICLE")) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: expected 'VEHICLE', got '%.40s'",
                                 path, L.line, s);
                goto out;
            }
            st = VEH_HDR;
            break;
        case VEH_HDR:
            if (strncasecmp(s, "NUMBER", 6)) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: expected 'NUMBER CAPACITY', got "
                                 "'%.40s'", path, L.line, s);
                goto out;
            }
            st = VEH_VAL;
            break;
        case VEH_VAL:
            if (parse_numbers(s, v, 3) != 2 || !is_int(v[0]) || v[0] < 1 || v[1] <= 0) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: expected vehicle number and "
                                 "capacity (two positive numbers), got '%.40s'", path, L.line, s);
                goto out;
            }
            nveh = v[0];
            cap = v[1];
            st = CUST_KW;
            break;
        case CUST_KW:
            if (strcasecmp(s, "CUSTOMER")) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: expected 'CUSTOMER', got '%.40s'",
                                 path, L.line, s);
                goto out;
            }
            st = CUST_HDR;
            break;
        case CUST_HDR:
            if (strncasecmp(s, "CUST", 4)) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: expected the column header "
                                 "'CUST NO. XCOORD. ...', got '%.40s'", path, L.line, s);
                goto out;
            }
            st = ROWS;
            break;
        case ROWS: {
            int k = parse_numbers(s, v, 8);
            if (k != 7) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: expected 7 numbers (id x y demand "
                                 "ready due service), got '%.40s'", path, L.line, s);
                goto out;
            }
            if (!is_int(v[0]) || (size_t)v[0] != n_rows) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: customer number %g out of order; "
                                 "expected %zu", path, L.line, v[0], n_rows);
                goto out;
            }
            if (v[3] < 0 || v[6] < 0 || v[4] > v[5]) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: customer %g has a negative demand "
                                 "or service time, or ready time after due date", path, L.line,
                                 v[0]);
                goto out;
            }
            if (v[3] > cap) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: customer %g demand %g exceeds the "
                                 "vehicle capacity %g", path, L.line, v[0], v[3], cap);
                goto out;
            }
            if (n_rows == cap_rows) {
                cap_rows *= 2;
                void *nr = realloc(rows, cap_rows * sizeof *rows);
                if (!nr) {
                    rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", path);
                    goto out;
                }
                rows = nr;
                void *nl = realloc(row_line, cap_rows * sizeof *row_line);
                if (!nl) {
                    rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", path);
                    goto out;
                }
                row_line = nl;
            }
            memcpy(rows[n_rows], v, sizeof rows[0]);
            row_line[n_rows] = L.line;
            n_rows++;
            break;
        }
        }
    }
    if (st != ROWS || n_rows < 2) {
        rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: incomplete Solomon file: %s", path, L.line,
                         st != ROWS ? "missing VEHICLE or CUSTOMER block" :
                         "needs the depot (0) and at least one customer");
        goto out;
    }
    int n = (int)n_rows - 1;
    rc = sco__vrp_instance_alloc(in, n, (int)nveh, (int)n_rows, 1, err);
    if (rc)
        goto out;
    snprintf(in->name, sizeof in->name, "%s", name);
    for (size_t i = 0; i < n_rows; i++) {
        in->x[i] = rows[i][1];
        in->y[i] = rows[i][2];
    }
    for (int j = 0; j < n; j++) {
        struct vrp_job *jb = &in->jobs[j];
        jb->loc = j + 1;
        jb->demand[0] = rows[j + 1][3];
        jb->tw_open = rows[j + 1][4];
        jb->tw_close = rows[j + 1][5];
        jb->service = rows[j + 1][6];
    }
    for (int v = 0; v < (int)nveh; v++) {
        struct vrp_vehicle *ve = &in->vehicles[v];
        ve->cap[0] = cap;
        ve->shift_start = rows[0][4];
        ve->shift_end = rows[0][5];
        ve->cost_per_dist = 1;
    }
    sco__vrp_instance_euclid(in, false);
    /* every customer must be reachable in time from the depot and back */
    for (int j = 0; j < n; j++) {
        double t0 = rows[0][4] + vrp_dist(in, 0, j + 1);
        double b = t0 > rows[j + 1][4] ? t0 : rows[j + 1][4];
        if (b > rows[j + 1][5] + 1e-9 ||
            b + rows[j + 1][6] + vrp_dist(in, j + 1, 0) > rows[0][5] + 1e-9) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: customer %d cannot be served within its "
                             "time window from the depot", path, row_line[j + 1], j + 1);
            sco__vrp_instance_fini(in);
            goto out;
        }
    }
out:
    free(rows);
    free(row_line);
    free(L.buf);
    return rc;
}

/* ---- solutions ------------------------------------------------------------------------- */

void sco__vrp_solution_fini(struct vrp_solution *s)
{
    if (!s)
        return;
    free(s->veh);
    free(s->off);
    free(s->jobs);
    free(s->unassigned);
    memset(s, 0, sizeof *s);
}

int sco__vrp_solution_copy(struct vrp_solution *dst, const struct vrp_solution *src)
{
    struct vrp_solution t = { .n_routes = src->n_routes, .n_unassigned = src->n_unassigned };
    int nj = src->off ? src->off[src->n_routes] : 0;
    t.veh = malloc(((size_t)src->n_routes + 1) * sizeof *t.veh);
    t.off = malloc(((size_t)src->n_routes + 1) * sizeof *t.off);
    t.jobs = malloc(((size_t)nj + 1) * sizeof *t.jobs);
    t.unassigned = malloc(((size_t)src->n_unassigned + 1) * sizeof *t.unassigned);
    if (!t.veh || !t.off || !t.jobs || !t.unassigned) {
        sco__vrp_solution_fini(&t);
        return SCO_ERR_NOMEM;
    }
    if (src->n_routes)
        memcpy(t.veh, src->veh, (size_t)src->n_routes * sizeof *t.veh);
    if (src->off)
        memcpy(t.off, src->off, ((size_t)src->n_routes + 1) * sizeof *t.off);
    else
        t.off[0] = 0;
    if (nj)
        memcpy(t.jobs, src->jobs, (size_t)nj * sizeof *t.jobs);
    if (src->n_unassigned)
        memcpy(t.unassigned, src->unassigned, (size_t)src->n_unassigned * sizeof *t.unassigned);
    sco__vrp_solution_fini(dst);
    *dst = t;
    return 0;
}
