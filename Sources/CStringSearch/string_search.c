#include "string_search.h"
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum { WIDTH = 3, BUCKETS = 8, MAX_LITERALS = 64 };

struct memfit_literal_set {
    /* lo[i][n] / hi[i][n]: the buckets whose fingerprint byte i has low / high nibble n. Each 16-byte table is
       stored twice so one 32-byte load serves both AVX2 lanes. Positions past a short fingerprint are 0xFF. */
    uint8_t lo[WIDTH][32], hi[WIDTH][32];
    size_t count;
    const uint8_t *literal[MAX_LITERALS];
    size_t length[MAX_LITERALS], offset[MAX_LITERALS];
    uint8_t bucket[MAX_LITERALS];
    uint8_t *storage;
};

memfit_literal_set *memfit_literal_set_new(const uint8_t *const *literals, const size_t *lengths,
                                           const size_t *fingerprint_offsets, size_t count) {
    if (count == 0 || count > MAX_LITERALS) return NULL;
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        if (lengths[i] == 0) return NULL;
        total += lengths[i];
    }
    memfit_literal_set *set = calloc(1, sizeof *set);
    if (!set) return NULL;
    set->storage = malloc(total);
    if (!set->storage) { free(set); return NULL; }
    memset(set->lo, 0, sizeof set->lo);
    memset(set->hi, 0, sizeof set->hi);
    uint8_t *next = set->storage;
    for (size_t i = 0; i < count; i++) {
        memcpy(next, literals[i], lengths[i]);
        set->literal[i] = next;
        next += lengths[i];
        size_t width = lengths[i] < WIDTH ? lengths[i] : WIDTH;
        size_t offset = fingerprint_offsets[i] + width <= lengths[i] ? fingerprint_offsets[i] : lengths[i] - width;
        set->length[i] = lengths[i];
        set->offset[i] = offset;
        set->bucket[i] = (uint8_t)(i % BUCKETS);
        uint8_t bit = (uint8_t)(1u << set->bucket[i]);
        for (size_t k = 0; k < WIDTH; k++) {
            if (k < width) {
                uint8_t byte = set->literal[i][offset + k];
                set->lo[k][byte & 15] |= bit;
                set->lo[k][16 + (byte & 15)] |= bit;
                set->hi[k][byte >> 4] |= bit;
                set->hi[k][16 + (byte >> 4)] |= bit;
            } else {
                /* A fingerprint shorter than WIDTH accepts any byte here. */
                for (int n = 0; n < 32; n++) { set->lo[k][n] |= bit; set->hi[k][n] |= bit; }
            }
        }
    }
    set->count = count;
    return set;
}

void memfit_literal_set_free(memfit_literal_set *set) {
    if (!set) return;
    free(set->storage);
    free(set);
}

/* The buckets whose fingerprint starts at q; q + WIDTH may pass the end, where no fingerprint can fit. */
static inline uint8_t buckets_at(const memfit_literal_set *set, const uint8_t *hay, size_t length, size_t q) {
    uint8_t mask = 0xFF;
    for (size_t k = 0; k < WIDTH && mask; k++) {
        if (q + k >= length) {
            /* Only literals whose fingerprint ends before k remain possible. */
            uint8_t shorter = 0;
            for (size_t i = 0; i < set->count; i++)
                if ((set->length[i] < WIDTH ? set->length[i] : WIDTH) <= k) shorter |= (uint8_t)(1u << set->bucket[i]);
            return mask & shorter;
        }
        uint8_t byte = hay[q + k];
        mask &= set->lo[k][byte & 15] & set->hi[k][byte >> 4];
    }
    return mask;
}

/* A literal of one of `buckets` whose fingerprint starts at q, verified in full: its start, or -1. */
static inline ptrdiff_t verify(const memfit_literal_set *set, const uint8_t *hay, size_t length, size_t q, uint8_t buckets) {
    for (size_t i = 0; i < set->count; i++) {
        if (!(buckets & (1u << set->bucket[i])) || q < set->offset[i]) continue;
        size_t start = q - set->offset[i];
        if (start + set->length[i] <= length && memcmp(hay + start, set->literal[i], set->length[i]) == 0)
            return (ptrdiff_t)start;
    }
    return -1;
}

static ptrdiff_t find_scalar(const memfit_literal_set *set, const uint8_t *hay, size_t length, size_t from) {
    for (size_t q = from; q < length; q++) {
        uint8_t buckets = buckets_at(set, hay, length, q);
        if (buckets) {
            ptrdiff_t hit = verify(set, hay, length, q, buckets);
            if (hit >= 0) return hit;
        }
    }
    return -1;
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static ptrdiff_t find_avx2(const memfit_literal_set *set, const uint8_t *hay, size_t length) {
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    __m256i lo[WIDTH], hi[WIDTH];
    for (int k = 0; k < WIDTH; k++) {
        lo[k] = _mm256_loadu_si256((const __m256i *)set->lo[k]);
        hi[k] = _mm256_loadu_si256((const __m256i *)set->hi[k]);
    }
    size_t q = 0;
    for (; q + 32 + WIDTH - 1 <= length; q += 32) {
        __m256i all = _mm256_set1_epi8((char)0xFF);
        for (int k = 0; k < WIDTH; k++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(hay + q + k));
            __m256i l = _mm256_shuffle_epi8(lo[k], _mm256_and_si256(v, nibble));
            __m256i h = _mm256_shuffle_epi8(hi[k], _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble));
            all = _mm256_and_si256(all, _mm256_and_si256(l, h));
        }
        uint32_t lanes = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(all, _mm256_setzero_si256()));
        while (lanes) {
            unsigned lane = (unsigned)__builtin_ctz(lanes);
            lanes &= lanes - 1;
            uint8_t buckets = buckets_at(set, hay, length, q + lane);
            ptrdiff_t hit = verify(set, hay, length, q + lane, buckets);
            if (hit >= 0) return hit;
        }
    }
    return find_scalar(set, hay, length, q);
}

__attribute__((target("avx2")))
static size_t count_avx2(const uint8_t *bytes, size_t length, uint8_t byte) {
    const __m256i needle = _mm256_set1_epi8((char)byte);
    size_t total = 0, i = 0;
    while (i + 32 <= length) {
        /* Byte counters would overflow after 255 steps. */
        size_t stop = length - i > 32 * 255 ? i + 32 * 255 : length;
        __m256i counts = _mm256_setzero_si256();
        for (; i + 32 <= stop; i += 32)
            counts = _mm256_sub_epi8(counts, _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(bytes + i)), needle));
        __m256i sums = _mm256_sad_epu8(counts, _mm256_setzero_si256());
        total += (size_t)_mm256_extract_epi64(sums, 0) + (size_t)_mm256_extract_epi64(sums, 1) +
                 (size_t)_mm256_extract_epi64(sums, 2) + (size_t)_mm256_extract_epi64(sums, 3);
    }
    for (; i < length; i++) total += bytes[i] == byte;
    return total;
}
#endif

ptrdiff_t memfit_literal_set_find(const memfit_literal_set *set, const uint8_t *haystack, size_t length) {
    if (!set || !haystack || length == 0) return -1;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) return find_avx2(set, haystack, length);
#endif
    return find_scalar(set, haystack, length, 0);
}

size_t memfit_count_byte(const uint8_t *bytes, size_t length, uint8_t byte) {
    if (!bytes) return 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) return count_avx2(bytes, length, byte);
#endif
    size_t total = 0;
    for (size_t i = 0; i < length; i++) total += bytes[i] == byte;
    return total;
}
