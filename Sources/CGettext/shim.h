#ifndef ONIONBOARD_CGETTEXT_SHIM_H
#define ONIONBOARD_CGETTEXT_SHIM_H
/* glibc's gettext (libintl.h, part of libc: no library to link) and setlocale. libintl.h
   may turn the calls into macros when optimising; these wrappers are always functions. */
#include <libintl.h>
#include <locale.h>

static inline const char *ob_dgettext(const char *domain, const char *msgid) {
    return dgettext(domain, msgid);
}

static inline const char *ob_dngettext(const char *domain, const char *singular, const char *plural,
                                       unsigned long count) {
    return dngettext(domain, singular, plural, count);
}

static inline void ob_bind_domain(const char *domain, const char *directory) {
    bindtextdomain(domain, directory);
    bind_textdomain_codeset(domain, "UTF-8");
}

/* Setting the default domain again (to itself) tells glibc that the environment changed:
   it forgets the translations it remembered, which a change of LANGUAGE at run time needs. */
static inline void ob_catalogs_changed(void) {
    textdomain(textdomain(NULL));
}

static inline const char *ob_setlocale(int category, const char *locale) {
    return setlocale(category, locale);
}
#endif
