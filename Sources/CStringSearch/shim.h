#ifndef MEMFIT_CSTRINGSEARCH_SHIM_H
#define MEMFIT_CSTRINGSEARCH_SHIM_H
#include <stddef.h>

/* glibc's memmem and memrchr (SIMD-accelerated), which <string.h> declares only under _GNU_SOURCE.
   Defining _GNU_SOURCE here would clash with the headers Foundation imports, so they are declared directly.
   The reader and the literal prefilter use them to skip the bytes of lines that cannot match. */
extern void *memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);
extern void *memrchr(const void *s, int c, size_t n);

static inline const void *memfit_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}
static inline const void *memfit_memrchr(const void *s, int c, size_t n) { return memrchr(s, c, n); }
#endif
