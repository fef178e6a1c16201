#ifndef ONIONBOARD_CPROCESSCONTROL_SHIM_H
#define ONIONBOARD_CPROCESSCONTROL_SHIM_H
/* prctl(2) is variadic, which Swift cannot call: fixed-argument wrappers. */
#include <sys/prctl.h>

static inline int cprocess_set_dumpable(int dumpable) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
}

static inline int cprocess_get_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
}
#endif
