#ifndef MEMFIT_CPCRE2_SHIM_H
#define MEMFIT_CPCRE2_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <string.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* PCRE2_UNSET is a cast macro that Swift cannot import. */
static inline PCRE2_SIZE memfit_pcre2_unset(void) { return PCRE2_UNSET; }
/* glibc memmem is behind _GNU_SOURCE, which Swift's Glibc module does not set; the matcher's literal
   prefilter needs it. */
static inline const void *memfit_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}
#endif
