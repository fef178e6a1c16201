// onionboard — GPL-3.0-or-later.
#ifndef ONIONBOARD_CFUZZENTRY_H
#define ONIONBOARD_CFUZZENTRY_H
#include <stddef.h>
#include <stdint.h>

/// One fuzz input: returns 0 (libFuzzer ignores other values except -1: do not add to the corpus).
typedef int (*onionboard_fuzz_callback)(const uint8_t *data, size_t size);

/// Runs libFuzzer (flags and corpus directories in argv, as for any libFuzzer binary).
int onionboard_fuzz_run(int *argc, char ***argv, onionboard_fuzz_callback callback);
#endif
