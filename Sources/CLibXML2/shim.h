#ifndef ONIONBOARD_CLIBXML2_SHIM_H
#define ONIONBOARD_CLIBXML2_SHIM_H
// Debian's libxml2 pulls in ICU headers, which clash with Foundation's own ICU
// module ("'UErrorCode' has different definitions"). We never use the ICU
// encoders, so hide them before the other headers are read.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlerror.h>
#include <libxml/SAX2.h>

// xmlFree is a C global variable holding a function pointer; Swift 6 refuses
// to touch mutable globals, so call it through a function.
static inline void cxml_free(void *p) { xmlFree(p); }
static inline int cxml_parser_version(void) { return LIBXML_VERSION; }
#endif
