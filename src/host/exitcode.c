/* exitcode.c: SCO_ERR_* -> sysexits. Keep README "Exit codes" and doc/sco.1 in step. */
#include <sco/sco-plugin.h>

#include "exitcode.h"

int sco__exit_code(int code, enum sco__phase phase)
{
    switch (code) {
    case SCO_OK: return SCO_EXIT_OK;
    case SCO_ERR_DATA: return SCO_EXIT_DATAERR;
    case SCO_ERR_INVALID: return phase == SCO__PHASE_INPUT ? SCO_EXIT_DATAERR : SCO_EXIT_SOFTWARE;
    case SCO_ERR_NOINPUT: return SCO_EXIT_NOINPUT;
    case SCO_ERR_IO:
        if (phase == SCO__PHASE_INPUT)
            return SCO_EXIT_NOINPUT;
        return phase == SCO__PHASE_OUTPUT ? SCO_EXIT_CANTCREAT : SCO_EXIT_SOFTWARE;
    case SCO_ERR_CONFIG:
    case SCO_ERR_ABI:
    case SCO_ERR_UNSUPPORTED: return SCO_EXIT_CONFIG;
    case SCO_ERR_UNAVAILABLE: return SCO_EXIT_UNAVAILABLE;
    case SCO_ERR_LOCKED: return SCO_EXIT_TEMPFAIL;
    case SCO_ERR_NOMEM:
    case SCO_ERR_CANCELLED:
    case SCO_ERR_INFEASIBLE:
    case SCO_ERR_INTERNAL:
    default: return SCO_EXIT_SOFTWARE;
    }
}
