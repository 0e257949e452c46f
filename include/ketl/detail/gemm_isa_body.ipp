// ketl's GEMM kernels, written once over a vector-ops type V and included
// into one namespace per instruction set: detail/gemm.hpp includes them for
// the arch the program is compiled for (V over xsimd), and
// detail/gemm_dispatch.hpp again inside AVX2 and AVX-512 target regions
// (V over intrinsics), so that a program compiled for baseline x86-64 still
// has fast copies of its hottest kernel and picks one at run time. No
// include guard: it is meant to be included more than once.
//
// V provides: value_type (float or double); type, a vector of them; width
// (lanes) and regs (vector registers); load, store (unaligned), zero, splat,
// add and fma(a, b, c) = a * b + c. The including namespace provides
// block_epilogue<T> (detail/gemm_epilogue.hpp) and, on x86, transpose8
// (detail/transpose8.hpp).
//
// C(m x n) = epi(A'(m x k) * B(k x n)  [+ C when accumulate]); gemm_bt
// takes B as its transpose Bt (n x k), B(p, j) = bt[j * ldt + p].
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
// A bias row (bias[j] for the block's column j; null for none) starts the
// accumulators, so that it costs nothing after the block is done. B's
// vectors come in pairs, one panel of two vectors each: pair q starts at
// b + q * b_step (used only with NV > 2, a tail over two panels).
template <class V, std::size_t MR, std::size_t NV, class T>
inline void micro(std::size_t k, const T* a, std::size_t a_rs, std::size_t a_cs, const T* b,
                  std::size_t ldb, T* c, std::size_t ldc, bool accumulate, const T* bias,
                  std::size_t b_step = 0) {
  using v = typename V::type;
  constexpr std::size_t W = V::width;
  v acc[MR][NV];
  v start[NV];
#pragma GCC unroll 4
  for (std::size_t j = 0; j < NV; ++j) start[j] = bias ? V::load(bias + j * W) : V::zero();
#pragma GCC unroll 32
  for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (std::size_t j = 0; j < NV; ++j)
      acc[r][j] = accumulate ? V::add(V::load(c + r * ldc + j * W), start[j]) : start[j];
  for (std::size_t p = 0; p < k; ++p) {
    v bv[NV];
#pragma GCC unroll 4
    for (std::size_t j = 0; j < NV; ++j) bv[j] = V::load(b + p * ldb + j % 2 * W + j / 2 * b_step);
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
                 const T* b, std::size_t ldb, T* c, std::size_t ldc, bool accumulate, const T* bias,
                 std::index_sequence<R...>, std::size_t b_step = 0) {
  (void)((n == R + 1
              ? (micro<V, R + 1, NV>(k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, bias, b_step),
                 true)
              : false) ||
         ...);
}

// Rows [0, m) of one column panel of NV vectors, starting at C's column j0;
// with finish, each block gets the epilogue right after its store. bias:
// the bias row at the panel's first column, or null.
template <class V, std::size_t NV, class T>
inline void panel(std::size_t m, std::size_t k, const T* a, std::size_t a_rs, std::size_t a_cs,
                  const T* b, std::size_t ldb, T* c, std::size_t ldc, bool accumulate,
                  const block_epilogue<T>& epi, std::size_t j0, bool finish, const T* bias) {
  constexpr std::size_t MR = rows<V, NV>;
  constexpr std::size_t cols = NV * V::width;
  const std::size_t blocks = m / MR, left = m % MR;
  for (std::size_t blk = 0; blk < blocks; ++blk, a += MR * a_rs, c += MR * ldc) {
    micro<V, MR, NV>(k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, bias);
    if (finish) epi(c, ldc, MR, cols, j0);
  }
  // Splitting a remainder of 2 rows and the last full block into two blocks
  // of 4 measured 5-15% slower at batch 32 and 128 (docs/benchmarks.md).
  if (left > 0) {
    tail<V, NV>(left, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, bias,
                std::make_index_sequence<MR - 1>{});
    if (finish) epi(c, ldc, left, cols, j0);
  }
}

// p + j, or null for a null p (no bias).
template <class T>
inline const T* bias_at(const T* p, std::size_t j) {
  return p ? p + j : nullptr;
}

// The most rows a tail block four vectors wide keeps in registers, beside
// B's four vectors and A's broadcast: 2 on AVX2, 6 on AVX-512.
template <class V>
inline constexpr std::size_t pair_rows = (V::regs - 5) / 4;

// Two adjacent 2-vector panels, C's columns [j0, j0 + 4W), whose B panels
// start at b and b + b_step: the full row blocks panel by panel, then the
// rows left over both panels at once. A 2-row tail on one panel keeps 4
// FMA chains, and ran at 46% of the FMA peak on Zen 3 (a batch of 32 or
// 128 leaves 2 rows after blocks of 6); over two panels it keeps 8.
template <class V, class T>
inline void panel_pair(std::size_t m, std::size_t k, const T* a, std::size_t a_rs, std::size_t a_cs,
                       const T* b, std::size_t b_step, std::size_t ldb, T* c, std::size_t ldc,
                       bool accumulate, const block_epilogue<T>& epi, std::size_t j0, bool finish,
                       const T* bias) {
  constexpr std::size_t MR = rows<V, 2>, W = V::width;
  const std::size_t left = m % MR;
  // Each panel alone: all its rows, or the full blocks when the rest pair.
  const bool pair = left > 0 && left <= pair_rows<V>;
  const std::size_t alone = pair ? m - left : m;
  panel<V, 2>(alone, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, epi, j0, finish, bias);
  panel<V, 2>(alone, k, a, a_rs, a_cs, b + b_step, ldb, c + 2 * W, ldc, accumulate, epi, j0 + 2 * W,
              finish, bias_at(bias, 2 * W));
  if (!pair) return;
  a += alone * a_rs, c += alone * ldc;
  tail<V, 4>(left, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, bias,
             std::make_index_sequence<pair_rows<V>>{}, b_step);
  if (finish) epi(c, ldc, left, 4 * W, j0);
}

// The last cols < W columns (all of them for a 10-unit output), computed in
// a panel one vector wide and copied back. The scratch is per thread and
// grows once, so a training step allocates nothing here.
// A lane of C reads only the same lane of B, so the panel's lanes past cols
// may hold anything: a row of B whose W values from its first column stay
// inside B is copied a vector at a time, the next row's first values and
// all, and only the last rows are copied element by element and padded
// with zeros. Copying every element with a test cost a sixth of a
// one-sample predict of the 784-128-10 MLP.
template <class V, class T>
inline void narrow(std::size_t m, std::size_t cols, std::size_t k, const T* a, std::size_t a_rs,
                   std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                   bool accumulate, const block_epilogue<T>& epi, std::size_t j0, bool finish,
                   const T* bias) {
  constexpr std::size_t W = V::width;
  thread_local std::vector<T> scratch;
  if (scratch.size() < (k + m + 1) * W) scratch.resize((k + m + 1) * W);
  T* bpad = scratch.data();
  T* cpad = bpad + k * W;
  T* biaspad = cpad + m * W;
  // Rows p with p * ldb + W <= (k - 1) * ldb + cols, B's extent from b.
  const std::size_t extent = (k - 1) * ldb + cols;
  const std::size_t fit = extent < W ? 0 : (extent - W) / ldb + 1;
  const std::size_t whole = fit < k ? fit : k;
  for (std::size_t p = 0; p < whole; ++p) V::store(bpad + p * W, V::load(b + p * ldb));
  for (std::size_t p = whole; p < k; ++p)
    for (std::size_t j = 0; j < W; ++j) bpad[p * W + j] = j < cols ? b[p * ldb + j] : T(0);
  if (bias)
    for (std::size_t j = 0; j < W; ++j) biaspad[j] = j < cols ? bias[j] : T(0);
  if (accumulate)
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < cols; ++j) cpad[i * W + j] = c[i * ldc + j];
  panel<V, 1>(m, k, a, a_rs, a_cs, bpad, W, cpad, W, accumulate, block_epilogue<T>{}, 0, false,
              bias ? biaspad : nullptr);
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

// The k block: k split evenly into blocks of at most kmax. 784 as
// 256 + 256 + 256 + 16 ended with a block that reloads and stores C for 16
// multiply-adds per element; 4 x 196 does the same work in equal parts.
inline std::size_t k_block(std::size_t k, std::size_t kmax) {
  const std::size_t blocks = (k + kmax - 1) / kmax;
  return (k + blocks - 1) / blocks;
}

// C for k = 0: the bias (or zeros), added to C when accumulate, then the
// epilogue.
template <class T>
inline void empty_product(std::size_t m, std::size_t n, T* c, std::size_t ldc, bool accumulate,
                          const block_epilogue<T>& epi) {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const T start = epi.bias ? epi.bias[epi.j_base + j] : T(0);
      c[i * ldc + j] = accumulate ? c[i * ldc + j] + start : start;
    }
  epi(c, ldc, m, n, 0);
}

// C = A' * B (+ C when accumulate) + the epilogue's bias, then the epilogue.
template <class V, class T>
inline void gemm(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
                 std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                 bool accumulate, const block_epilogue<T>& epi) {
  // MC is a multiple of every register block's height (6, 8 and 12), and
  // MC x KC floats (192 KB) fit L2: unblocked, a 1,000-row predict streamed
  // all of A from memory once per column panel.
  constexpr std::size_t W = V::width, KC = 256, MC = 192;
  if (k == 0) {
    empty_product(m, n, c, ldc, accumulate, epi);
    return;
  }
  const std::size_t KB = k_block(k, KC);
  for (std::size_t p0 = 0; p0 < k; p0 += KB) {
    const std::size_t kc = k - p0 < KB ? k - p0 : KB;
    const bool acc = accumulate || p0 > 0;
    const bool finish = p0 + kc == k;
    // The bias starts the first k block's accumulators.
    const T* bias = p0 == 0 && epi.bias ? epi.bias + epi.j_base : nullptr;
    const T* bp = b + p0 * ldb;
    // Packing pays once several row blocks read each panel, and only where
    // B's row stride maps a panel onto few L1 sets (a multiple of 256 bytes
    // leaves at most 16 of 64): at other strides the copy cost more than it
    // saved (B with 784-float rows, as a transposed copy of Dense's kernel).
    const std::size_t wide = n / (2 * W) * (2 * W);
    const bool pack = m >= 2 * rows<V, 2> && wide > 0 && (ldb * sizeof(T)) % 256 == 0;
    // Packing each panel right before its use instead (written to L1 and
    // read there) measured 3-8% slower at batch 32 and 128.
    const T* packed = pack ? pack_panels<V>(kc, wide, bp, ldb) : nullptr;
    for (std::size_t i0 = 0; i0 < m; i0 += MC) {
      const std::size_t mc = m - i0 < MC ? m - i0 : MC;
      const T* ap = a + p0 * a_cs + i0 * a_rs;
      T* cp = c + i0 * ldc;
      const std::size_t ldp = packed ? 2 * W : ldb, step = packed ? 2 * W * kc : 2 * W;
      std::size_t j = 0;
      for (; j + 4 * W <= n; j += 4 * W)
        panel_pair<V>(mc, kc, ap, a_rs, a_cs, packed ? packed + j * kc : bp + j, step, ldp, cp + j,
                      ldc, acc, epi, j, finish, bias_at(bias, j));
      for (; j + 2 * W <= n; j += 2 * W)
        panel<V, 2>(mc, kc, ap, a_rs, a_cs, packed ? packed + j * kc : bp + j, ldp, cp + j, ldc,
                    acc, epi, j, finish, bias_at(bias, j));
      for (; j + W <= n; j += W)
        panel<V, 1>(mc, kc, ap, a_rs, a_cs, bp + j, ldb, cp + j, ldc, acc, epi, j, finish,
                    bias_at(bias, j));
      if (j < n)
        narrow<V>(mc, n - j, kc, ap, a_rs, a_cs, bp + j, ldb, cp + j, ldc, acc, epi, j, finish,
                  bias_at(bias, j));
    }
  }
}

// Columns [0, cols) of a kc-row block of B = Bt^T, where Bt (n x k) is
// row-major with row stride ldt, copied into a contiguous kc x cols panel
// (row stride cols). 8 x 8 tiles: in AVX registers for float where V is
// AVX or wider (3x fewer instructions than the compiler made of the plain
// tile), else through a fixed-size tile; the ragged edges element by element.
template <class V, class T>
inline void pack_transposed(std::size_t kc, std::size_t cols, const T* bt, std::size_t ldt, T* to) {
  constexpr std::size_t B = 8;
  const std::size_t kb = kc / B * B, cb = cols / B * B;
  for (std::size_t p0 = 0; p0 < kb; p0 += B)
    for (std::size_t j0 = 0; j0 < cb; j0 += B) {
#if KETL_HAS_TRANSPOSE8
      if constexpr (std::is_same_v<T, float> && V::width * sizeof(T) >= 32) {
        transpose8(bt + j0 * ldt + p0, ldt, to + p0 * cols + j0, cols);
        continue;
      }
#endif
      T tile[B][B];
#pragma GCC unroll 8
      for (std::size_t j = 0; j < B; ++j)
#pragma GCC unroll 8
        for (std::size_t p = 0; p < B; ++p) tile[p][j] = bt[(j0 + j) * ldt + p0 + p];
#pragma GCC unroll 8
      for (std::size_t p = 0; p < B; ++p)
#pragma GCC unroll 8
        for (std::size_t j = 0; j < B; ++j) to[(p0 + p) * cols + j0 + j] = tile[p][j];
    }
  for (std::size_t p = 0; p < kc; ++p)
    for (std::size_t j = p < kb ? cb : 0; j < cols; ++j) to[p * cols + j] = bt[j * ldt + p];
}

// C = A' * Bt^T (+ C when accumulate), then the epilogue: Dense's dx, whose
// B is the kernel read across. Each column panel of B is transposed into a
// per-thread kc x 2W block right before the row blocks that read it, so it
// is written to L1 and read there. A whole transposed copy of B, made
// before the GEMM, wrote and re-read every element through L2.
template <class V, class T>
inline void gemm_bt(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
                    std::size_t a_cs, const T* bt, std::size_t ldt, T* c, std::size_t ldc,
                    bool accumulate, const block_epilogue<T>& epi) {
  constexpr std::size_t W = V::width, P = 2 * W, KC = 256, MC = 192;
  if (k == 0) {
    empty_product(m, n, c, ldc, accumulate, epi);
    return;
  }
  thread_local std::vector<T> buffer;
  if (buffer.size() < 2 * KC * P) buffer.resize(2 * KC * P);
  T* const panel_b = buffer.data();
  const std::size_t wide = n / P * P;
  const std::size_t KB = k_block(k, KC);
  for (std::size_t p0 = 0; p0 < k; p0 += KB) {
    const std::size_t kc = k - p0 < KB ? k - p0 : KB;
    const bool acc = accumulate || p0 > 0;
    const bool finish = p0 + kc == k;
    const T* bias = p0 == 0 && epi.bias ? epi.bias + epi.j_base : nullptr;
    for (std::size_t i0 = 0; i0 < m; i0 += MC) {
      const std::size_t mc = m - i0 < MC ? m - i0 : MC;
      const T* ap = a + p0 * a_cs + i0 * a_rs;
      T* cp = c + i0 * ldc;
      std::size_t j = 0;
      for (; j + 2 * P <= wide; j += 2 * P) {
        pack_transposed<V>(kc, P, bt + j * ldt + p0, ldt, panel_b);
        pack_transposed<V>(kc, P, bt + (j + P) * ldt + p0, ldt, panel_b + kc * P);
        panel_pair<V>(mc, kc, ap, a_rs, a_cs, panel_b, kc * P, P, cp + j, ldc, acc, epi, j, finish,
                      bias_at(bias, j));
      }
      for (; j < wide; j += P) {
        pack_transposed<V>(kc, P, bt + j * ldt + p0, ldt, panel_b);
        panel<V, 2>(mc, kc, ap, a_rs, a_cs, panel_b, P, cp + j, ldc, acc, epi, j, finish,
                    bias_at(bias, j));
      }
      if (wide < n) {
        // The last columns (fewer than 2W): one vector panel, then the
        // zero-padded narrow one, both reading the packed copy.
        const std::size_t rest = n - wide;
        pack_transposed<V>(kc, rest, bt + wide * ldt + p0, ldt, panel_b);
        std::size_t j = 0;
        if (rest >= W) {
          panel<V, 1>(mc, kc, ap, a_rs, a_cs, panel_b, rest, cp + wide, ldc, acc, epi, wide, finish,
                      bias_at(bias, wide));
          j = W;
        }
        if (j < rest)
          narrow<V>(mc, rest - j, kc, ap, a_rs, a_cs, panel_b + j, rest, cp + wide + j, ldc, acc,
                    epi, wide + j, finish, bias_at(bias, wide + j));
      }
    }
  }
}
