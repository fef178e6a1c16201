/* onionboard — guided, anonymous XMPP account setup for Pidgin over Tor.
 * Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later. */
#include "cplatform.h"
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int cplatform_set_thread_name(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}

int cplatform_thread_id(void) {
    return (int)syscall(SYS_gettid);
}
