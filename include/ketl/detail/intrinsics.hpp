// <immintrin.h>, included once for every ketl header that needs it.
//
// g++ 12 warns inside its own AVX-512 header wherever -O inlines the
// _mm512_undefined_* helpers, whose self-initialisation is deliberate
// (GCC bug 105593, fixed in g++ 13): "'__Y' is used uninitialized" in
// avx512fintrin.h, which -Werror turns into a failed build on any machine
// with AVX-512. The warning's location is that header, so the pragmas
// around its inclusion silence it there and nowhere else.
#pragma once

#if !defined(__x86_64__) && !defined(__i386__)
// Not x86: nothing to include.
#elif defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif
