/* exitcode.h: the one place where SCO_ERR_* codes become process exit statuses. */
#ifndef SCO_HOST_EXITCODE_H
#define SCO_HOST_EXITCODE_H

/* sysexits.h values, spelled out so the README and this file agree at a glance. */
enum {
    SCO_EXIT_OK = 0,
    SCO_EXIT_USAGE = 64,       /* EX_USAGE: bad command line */
    SCO_EXIT_DATAERR = 65,     /* EX_DATAERR: malformed input data */
    SCO_EXIT_NOINPUT = 66,     /* EX_NOINPUT: a required input is missing */
    SCO_EXIT_UNAVAILABLE = 69, /* EX_UNAVAILABLE: a data source or service is unavailable */
    SCO_EXIT_SOFTWARE = 70,    /* EX_SOFTWARE: a stage failed or crashed */
    SCO_EXIT_CANTCREAT = 73,   /* EX_CANTCREAT: cannot write output */
    SCO_EXIT_TEMPFAIL = 75,    /* EX_TEMPFAIL: another run holds the lock */
    SCO_EXIT_CONFIG = 78,      /* EX_CONFIG: configuration error */
};

/* Where an error happened, for the one ambiguous code (SCO_ERR_IO: reading or writing). */
enum sco__phase { SCO__PHASE_INPUT, SCO__PHASE_OUTPUT, SCO__PHASE_STAGE };

/* Exit status for error code `code` (0 for SCO_OK). */
int sco__exit_code(int code, enum sco__phase phase);

#endif
