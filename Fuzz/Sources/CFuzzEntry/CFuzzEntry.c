// onionboard — GPL-3.0-or-later.
// libFuzzer is linked by -sanitize=fuzzer; its own main is never used (see Package.swift).
#include "CFuzzEntry.h"

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int onionboard_fuzz_run(int *argc, char ***argv, onionboard_fuzz_callback callback) {
    return LLVMFuzzerRunDriver(argc, argv, callback);
}
