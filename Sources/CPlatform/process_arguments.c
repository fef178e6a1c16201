/* onionboard — guided, anonymous XMPP account setup for Pidgin over Tor.
 * Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.
 *
 * Arguments without /proc. Swift's runtime on Linux does not get argv from main(): it reads
 * /proc/self/maps to find the initial stack and walks back from `environ` to argv
 * (swiftlang/swift stdlib/public/stubs/CommandLine.cpp, ArgvGrabber). Where /proc is not
 * mounted (a chroot, a minimal container) that finds nothing and CommandLine.arguments is
 * empty, so `onionboard providers list` parsed no arguments and ran the default wizard.
 *
 * glibc calls the main program's init_array functions with (argc, argv, envp). This one
 * keeps them and gives them to the runtime through its override hook (what the REPL and
 * the JIT use), before any Swift code runs, so every reader of CommandLine.arguments —
 * ArgumentParser included — sees the real arguments. */
#include "cplatform.h"
#include <stddef.h>
#include <unistd.h> /* defines __GLIBC__ */

static int captured_count;
static char **captured_vector;

#if defined(__linux__) && defined(__GLIBC__)
/* Defined in the Swift runtime (libswiftCore) with the Swift calling convention. */
extern void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) __attribute__((swiftcall));

static void capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc <= 0 || argv == NULL) return;
    captured_count = argc;
    captured_vector = argv;
    _swift_stdlib_overrideUnsafeArgvArgc(argv, argc);
}

__attribute__((section(".init_array"), used))
static void (*const capture_arguments_at_start)(int, char **, char **) = capture_arguments;
#endif

int cprocess_arguments_count(void) {
    return captured_count;
}

const char *cprocess_argument(int index) {
    if (index < 0 || index >= captured_count) return NULL;
    return captured_vector[index];
}
