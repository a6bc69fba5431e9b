#ifndef MEMFIT_CPCRE2_SHIM_H
#define MEMFIT_CPCRE2_SHIM_H
#include <stddef.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* PCRE2_UNSET is a cast macro that Swift cannot import. */
static inline PCRE2_SIZE memfit_pcre2_unset(void) { return PCRE2_UNSET; }

/* glibc's memmem, which <string.h> declares only under _GNU_SOURCE; defining that here would clash with the
   headers Foundation imports. The matcher's literal prefilter needs it. */
extern void *memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);
static inline const void *memfit_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}
#endif
