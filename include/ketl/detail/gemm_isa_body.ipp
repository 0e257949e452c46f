// ketl's GEMM kernels, written once over a vector-ops type V and included
// into one namespace per instruction set: detail/gemm.hpp includes them for
// the arch the program is compiled for (V over xsimd), and
// detail/gemm_dispatch.hpp again inside AVX2 and AVX-512 target regions
// (V over intrinsics), so that a program compiled for baseline x86-64 still
// has fast copies of its hottest kernel and picks one at run time. No
// include guard: it is meant to be included more than once.
//
// V provides: value_type (float or double); type, a vector of them; width
// (lanes) and regs (vector registers); load, store (unaligned), zero, splat
// and fma(a, b, c) = a * b + c. The including namespace provides
// block_epilogue<T> (detail/gemm_epilogue.hpp).
//
// C(m x n) = epi(A'(m x k) * B(k x n)  [+ C when accumulate])
//   A'(i, p) = a[i * a_rs + p * a_cs]  (strides cover both A and A^T, so NN and TN share it)
//   B(p, j)  = b[p * ldb + j]          (row-major)
//   C(i, j)  = c[i * ldc + j]
// The micro-kernel keeps MR x NV vectors of C in registers while it walks k;
// k is blocked (KC) so that the B panel stays in L1, and the rows (MC) so
// that a block of A stays in L2 while every column panel reads it. The
// epilogue (Dense's bias and activation) runs on each finished register
// block while it is still in L1. B's panels are packed where their rows
// would alias in L1 (pack_panels), and outputs narrower than a vector go
// through a zero-padded panel; A is read in place: packing it cost more
// than it saved at the MLP's shapes (docs/benchmarks.md).

// The register block is unrolled by pragma, not left to the optimiser:
// g++ and clang++ at -O2 kept acc[][] in memory and ran at half speed.
template <class V, std::size_t MR, std::size_t NV, class T>
inline void micro(std::size_t k, const T* a, std::size_t a_rs, std::size_t a_cs, const T* b,
                  std::size_t ldb, T* c, std::size_t ldc, bool accumulate) {
  using v = typename V::type;
  constexpr std::size_t W = V::width;
  v acc[MR][NV];
#pragma GCC unroll 32
  for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (std::size_t j = 0; j < NV; ++j)
      acc[r][j] = accumulate ? V::load(c + r * ldc + j * W) : V::zero();
  for (std::size_t p = 0; p < k; ++p) {
    v bv[NV];
#pragma GCC unroll 4
    for (std::size_t j = 0; j < NV; ++j) bv[j] = V::load(b + p * ldb + j * W);
#pragma GCC unroll 32
    for (std::size_t r = 0; r < MR; ++r) {
      const v ar = V::splat(a[r * a_rs + p * a_cs]);
#pragma GCC unroll 4
      for (std::size_t j = 0; j < NV; ++j) acc[r][j] = V::fma(ar, bv[j], acc[r][j]);
    }
  }
#pragma GCC unroll 32
  for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (std::size_t j = 0; j < NV; ++j) V::store(c + r * ldc + j * W, acc[r][j]);
}

// Rows per micro-kernel call for a panel of NV vectors: MR x NV
// accumulators plus NV vectors of B and one of A fit the register file.
template <class V, std::size_t NV>
inline constexpr std::size_t rows = NV == 1 ? 8 : (V::regs >= 32 ? 12 : 6);

// The rows left after the full blocks, in one block of their own height:
// a batch of 32 on AVX2 leaves 2 rows, which 1-row calls ran as two FMA
// chains that leave the FMA units mostly idle.
template <class V, std::size_t NV, class T, std::size_t... R>
inline void tail(std::size_t n, std::size_t k, const T* a, std::size_t a_rs, std::size_t a_cs,
                 const T* b, std::size_t ldb, T* c, std::size_t ldc, bool accumulate,
                 std::index_sequence<R...>) {
  (void)((n == R + 1 ? (micro<V, R + 1, NV>(k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate), true)
                     : false) ||
         ...);
}

// Rows [0, m) of one column panel of NV vectors, starting at C's column j0;
// with finish, each block gets the epilogue right after its store.
template <class V, std::size_t NV, class T>
inline void panel(std::size_t m, std::size_t k, const T* a, std::size_t a_rs, std::size_t a_cs,
                  const T* b, std::size_t ldb, T* c, std::size_t ldc, bool accumulate,
                  const block_epilogue<T>& epi, std::size_t j0, bool finish) {
  constexpr std::size_t MR = rows<V, NV>;
  constexpr std::size_t cols = NV * V::width;
  const std::size_t blocks = m / MR, left = m % MR;
  for (std::size_t blk = 0; blk < blocks; ++blk, a += MR * a_rs, c += MR * ldc) {
    micro<V, MR, NV>(k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate);
    if (finish) epi(c, ldc, MR, cols, j0);
  }
  if (left > 0) {
    tail<V, NV>(left, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate,
                std::make_index_sequence<MR - 1>{});
    if (finish) epi(c, ldc, left, cols, j0);
  }
}

// The last cols < W columns (all of them for a 10-unit output), computed in
// a zero-padded panel one vector wide and copied back. The scratch is per
// thread and grows once, so a training step allocates nothing here.
template <class V, class T>
inline void narrow(std::size_t m, std::size_t cols, std::size_t k, const T* a, std::size_t a_rs,
                   std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                   bool accumulate, const block_epilogue<T>& epi, std::size_t j0, bool finish) {
  constexpr std::size_t W = V::width;
  thread_local std::vector<T> scratch;
  if (scratch.size() < (k + m) * W) scratch.resize((k + m) * W);
  T* bpad = scratch.data();
  T* cpad = bpad + k * W;
  for (std::size_t p = 0; p < k; ++p)
    for (std::size_t j = 0; j < W; ++j) bpad[p * W + j] = j < cols ? b[p * ldb + j] : T(0);
  if (accumulate)
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < cols; ++j) cpad[i * W + j] = c[i * ldc + j];
  panel<V, 1>(m, k, a, a_rs, a_cs, bpad, W, cpad, W, accumulate, block_epilogue<T>{}, 0, false);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < cols; ++j) c[i * ldc + j] = cpad[i * W + j];
  // The epilogue runs on the real columns only (a bias has no padding).
  if (finish) epi(c, ldc, m, cols, j0);
}

// Copies the columns [0, cols) of a kc-row block of B (cols a multiple of
// two vectors) into panels of two vectors, each kc x 2W and contiguous: the
// panel starting at column j is at the result + j * kc. Read in place, a
// panel's rows sit ldb apart, and at ldb = 128 floats its 256 lines fell
// into 8 of L1's 64 sets, so the panel never stayed in L1. The buffer is
// per thread and grows once.
template <class V, class T>
inline const T* pack_panels(std::size_t kc, std::size_t cols, const T* b, std::size_t ldb) {
  constexpr std::size_t P = 2 * V::width;
  thread_local std::vector<T> buffer;
  if (buffer.size() < kc * cols) buffer.resize(kc * cols);
  T* to = buffer.data();
  for (std::size_t j = 0; j < cols; j += P, to += kc * P)
    for (std::size_t p = 0; p < kc; ++p) {
      V::store(to + p * P, V::load(b + p * ldb + j));
      V::store(to + p * P + V::width, V::load(b + p * ldb + j + V::width));
    }
  return buffer.data();
}

// C = A' * B (+ C when accumulate), then the epilogue.
template <class V, class T>
inline void gemm(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
                 std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                 bool accumulate, const block_epilogue<T>& epi) {
  // MC is a multiple of every register block's height (6, 8 and 12), and
  // MC x KC floats (192 KB) fit L2: unblocked, a 1,000-row predict streamed
  // all of A from memory once per column panel.
  constexpr std::size_t W = V::width, KC = 256, MC = 192;
  if (k == 0) {
    if (!accumulate)
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = T(0);
    epi(c, ldc, m, n, 0);
    return;
  }
  for (std::size_t p0 = 0; p0 < k; p0 += KC) {
    const std::size_t kc = k - p0 < KC ? k - p0 : KC;
    const bool acc = accumulate || p0 > 0;
    const bool finish = p0 + kc == k;
    const T* bp = b + p0 * ldb;
    // Packing pays once several row blocks read each panel, and only where
    // B's row stride maps a panel onto few L1 sets (a multiple of 256 bytes
    // leaves at most 16 of 64): at other strides the copy cost more than it
    // saved (Dense's dx reads a transposed copy with 784-float rows).
    const std::size_t wide = n / (2 * W) * (2 * W);
    const bool pack = m >= 2 * rows<V, 2> && wide > 0 && (ldb * sizeof(T)) % 256 == 0;
    const T* packed = pack ? pack_panels<V>(kc, wide, bp, ldb) : nullptr;
    for (std::size_t i0 = 0; i0 < m; i0 += MC) {
      const std::size_t mc = m - i0 < MC ? m - i0 : MC;
      const T* ap = a + p0 * a_cs + i0 * a_rs;
      T* cp = c + i0 * ldc;
      std::size_t j = 0;
      for (; j + 2 * W <= n; j += 2 * W)
        if (packed)
          panel<V, 2>(mc, kc, ap, a_rs, a_cs, packed + j * kc, 2 * W, cp + j, ldc, acc, epi, j,
                      finish);
        else
          panel<V, 2>(mc, kc, ap, a_rs, a_cs, bp + j, ldb, cp + j, ldc, acc, epi, j, finish);
      for (; j + W <= n; j += W)
        panel<V, 1>(mc, kc, ap, a_rs, a_cs, bp + j, ldb, cp + j, ldc, acc, epi, j, finish);
      if (j < n)
        narrow<V>(mc, n - j, kc, ap, a_rs, a_cs, bp + j, ldb, cp + j, ldc, acc, epi, j, finish);
    }
  }
}
