#ifndef MEMFIT_STRING_SEARCH_H
#define MEMFIT_STRING_SEARCH_H
#include <stddef.h>
#include <stdint.h>

/* glibc's memmem and memrchr (SIMD-accelerated), which <string.h> declares only under _GNU_SOURCE.
   Defining _GNU_SOURCE here would clash with the headers Foundation imports, so they are declared directly. */
extern void *memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);
extern void *memrchr(const void *s, int c, size_t n);

static inline const void *memfit_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}
static inline const void *memfit_memrchr(const void *s, int c, size_t n) { return memrchr(s, c, n); }

/* A set of literals searched for in one pass (the "Teddy" idea from Hyperscan and ripgrep): every position is
   checked against a 3-byte fingerprint of each literal with nibble tables (32 positions per step with AVX2),
   and only fingerprint hits are verified with memcmp. Immutable once built, so one set is shared by threads. */
typedef struct memfit_literal_set memfit_literal_set;

/* `fingerprint_offsets[i]` is where literal i's fingerprint starts (at most its length minus 3; literals shorter
   than 3 bytes use their whole length). Returns NULL when out of memory or when count is 0 or above 64. */
memfit_literal_set *memfit_literal_set_new(const uint8_t *const *literals, const size_t *lengths,
                                           const size_t *fingerprint_offsets, size_t count);
void memfit_literal_set_free(memfit_literal_set *set);

/* The start offset of an occurrence of some literal, or -1. Occurrences are found in the order of their
   fingerprints, so for literals without a newline the one returned lies in the first line that holds any. */
ptrdiff_t memfit_literal_set_find(const memfit_literal_set *set, const uint8_t *haystack, size_t length);

/* How many bytes of `bytes` equal `byte` (newlines, for line numbers), 32 at a time with AVX2. */
size_t memfit_count_byte(const uint8_t *bytes, size_t length, uint8_t byte);
#endif
