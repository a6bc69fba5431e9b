#ifndef MEMFIT_CPCRE2_SHIM_H
#define MEMFIT_CPCRE2_SHIM_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* PCRE2_UNSET is a cast macro that Swift cannot import. */
static inline PCRE2_SIZE memfit_pcre2_unset(void) { return PCRE2_UNSET; }
#endif
