/* no-entry.c: a shared object without sco_plugin_entry. */
#include <sco/sco-plugin.h>

SCO_EXPORT int not_the_entry_point(void);
SCO_EXPORT int not_the_entry_point(void)
{
    return 42;
}
