#ifndef ONIONBOARD_CSODIUM_SHIM_H
#define ONIONBOARD_CSODIUM_SHIM_H
#include <sodium.h>
#endif
