#ifndef MEMFIT_CZLIB_SHIM_H
#define MEMFIT_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro; Swift needs a function. */
static inline int memfit_inflate_init(z_stream *s, int windowBits) {
    return inflateInit2(s, windowBits);
}
#endif
