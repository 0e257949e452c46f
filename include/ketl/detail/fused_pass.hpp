// The fused pass: one walk over a batch's rows that computes the loss, writes
// its gradient and feeds every metric, W rows at a time in SIMD lanes (what
// loss.hpp's kernels are for; engine/output_step.hpp runs it every step).
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>

#include "ketl/detail/simd.hpp"
#include "ketl/expr.hpp"
#include "ketl/loss.hpp"

namespace ketl::detail {

// How many values a metric kernel reports, and writing them.
template <class K>
struct value_count_of {
  static constexpr std::size_t value = 1;
};
template <class K>
requires requires { K::count; }
struct value_count_of<K> {
  static constexpr std::size_t value = K::count;
};
template <class K>
struct value_count_of<weighted_metric_kernel<K>> : value_count_of<K> {};
template <class K>
constexpr std::size_t value_count() {
  return value_count_of<K>::value;
}
// The same for a kernel at hand: a list of metrics named at run time
// knows its count only then.
template <class K>
std::size_t values_in(const K& k) {
  if constexpr (requires { k.inner; })
    return values_in(k.inner);
  else if constexpr (requires { k.count(); })
    return k.count();
  else
    return value_count<K>();
}
template <class T, class K>
void write_results(K& k, double* out) {
  if constexpr (requires { k.inner; })
    write_results<T>(k.inner, out);
  else if constexpr (requires { k.template results<T>(out); })
    k.template results<T>(out);
  else
    out[0] = k.template result<T>();
}

template <class K, class L>
inline constexpr bool takes_lanes = requires(K& k, const L& l) {
  k.add(l);
};
template <class L, class Tuple>
struct all_take_lanes;
template <class L, class... K>
struct all_take_lanes<L, std::tuple<K...>> : std::bool_constant<(takes_lanes<K, L> && ...)> {};
template <class L, class Tuple>
inline constexpr bool all_take_lanes_v = all_take_lanes<L, Tuple>::value;

// The heart of a training or test step: over `rows` rows, the loss, its
// gradient (scaled by 1/rows, into grad unless it is null) and every metric,
// in one pass: W rows at a time in SIMD lanes, then a scalar tail. Metric
// kernels that cannot take lanes (batch-wise ones) take those rows one by
// one in the same pass; type-erased ones take the batch after it.
// out[0] is the mean loss, out[1 + i] metric i's value.
//
// With row weights w (one per row), the loss is Keras 2.2.4's weighted
// mean, sum(w_r * l_r) / denom, and the gradient is scaled to match; the
// caller gives denom (the count of non-zero sample weights) and the rows'
// share of their sample's weight. Metrics stay unweighted, as Keras's,
// except those compiled as weighted_metrics, which weigh rows the same way.
//
// grad_weight scales the gradient only: the output's loss weight in a model
// with several outputs (Keras's loss_weights).
//
// A masked output (Keras 2.2.4 masks the loss and every metric) gives the
// plain metrics row weights too: mw, the mask, with mdenom, the mask's sum
// (the loss's w and denom already fold the mask in).
// The rows of a block a few blocks ahead, asked for before they are needed:
// a block's arithmetic takes long enough that the hardware prefetchers fall
// behind on a batch that streams from memory.
template <class T>
void prefetch_block(const T* yt, const T* yp, std::size_t rows, std::size_t cols,
                    std::size_t yt_cols) {
  const auto* t = reinterpret_cast<const char*>(yt);
  const auto* p = reinterpret_cast<const char*>(yp);
  for (std::size_t at = 0; at < rows * cols * sizeof(T); at += 64) __builtin_prefetch(p + at);
  for (std::size_t at = 0; at < rows * yt_cols * sizeof(T); at += 64) __builtin_prefetch(t + at);
}
inline constexpr std::size_t ahead = 2;  // blocks

template <class A = simd::arch, class Loss, class Metrics, class T>
void fused_pass(Loss& loss, Metrics& metrics, const T* yt, const T* yp, std::size_t rows,
                std::size_t cols, std::size_t yt_cols, T* grad, double* out, const T* w = nullptr,
                double denom = 0, double grad_weight = 1.0, const T* mw = nullptr,
                double mdenom = 0) {
  using row_type = expr::row_ref<T>;
  using lanes_type = expr::lanes_ref<T, A>;
  constexpr std::size_t W = lanes_type::width;
  const double divisor = w ? denom : double(rows);
  const T scale = divisor > 0 ? T(grad_weight / divisor) : T(0);
  double total = 0;
  std::apply([](auto&... mk) { (mk.begin(), ...); }, metrics);
  constexpr bool all_take_lanes = all_take_lanes_v<lanes_type, Metrics>;
  // Weighted metrics take the rows' weights too (wk: null when unweighted),
  // plain ones the mask's (mk_w: null without a mask).
  auto each_metric = [&](const auto& ctx, const T* wk, const T* mk_w) {
    std::apply(
        [&](auto&... mk) {
          (
              [&] {
                if constexpr (requires { mk.add(ctx, wk); }) {
                  mk.add(ctx, wk);
                } else if constexpr (requires { mk.add(ctx); }) {
                  if (mk_w)
                    mk.add_weighted(ctx, mk_w);
                  else
                    mk.add(ctx);
                }
              }(),
              ...);
        },
        metrics);
  };
  T* scratch = block_scratch<T>((cols + yt_cols) * W);
  // Block and row counts, and pointers that walk: GCC 12 warns of overflow
  // (-Waggressive-loop-optimizations) on `r < rows` loops here after inlining.
  const T* t = yt;
  const T* p = yp;
  T* g = grad;
  const T* wr = w;
  const T* mr = mw;
  for (std::size_t b = rows / W; b > 0; --b) {
    if (b > ahead) prefetch_block(t + ahead * W * yt_cols, p + ahead * W * cols, W, cols, yt_cols);
    const lanes_type lanes(t, p, cols, yt_cols, scratch);
    total += static_cast<double>(loss.block(lanes, g, scale, wr));
    if constexpr (all_take_lanes) {
      each_metric(lanes, wr, mr);
    } else {
      for (std::size_t k = 0; k < W; ++k)
        each_metric(row_type{t + k * yt_cols, p + k * cols, cols, yt_cols}, wr ? wr + k : nullptr,
                    mr ? mr + k : nullptr);
    }
    if (wr) wr += W;
    if (mr) mr += W;
    t += W * yt_cols, p += W * cols;
    if (g) g += W * cols;
  }
  for (std::size_t k = rows % W; k > 0; --k) {
    const row_type row{t, p, cols, yt_cols};
    const T wk = wr ? *wr : T(1);
    total += static_cast<double>(wk * loss.row(row, g, scale * wk));
    each_metric(row, wr, mr);
    if (wr) ++wr;
    if (mr) ++mr;
    t += yt_cols, p += cols;
    if (g) g += cols;
  }
  std::apply(
      [&](auto&... mk) {
        (
            [&] {
              if constexpr (!requires { mk.add(row_type{}); }) {
                if constexpr (requires { mk.weigh(true, 0.0); })
                  mk.add_rows(yt, yp, rows, cols, yt_cols, w);
                else
                  mk.add_rows(yt, yp, rows, cols, yt_cols, mw);
              }
              if constexpr (requires { mk.weigh(true, 0.0); })
                mk.weigh(w != nullptr, denom);
              else if (mw)
                mk.set_divisor(mdenom);
            }(),
            ...);
      },
      metrics);
  out[0] = divisor > 0 ? total / divisor : 0.0;
  std::size_t k = 1;
  std::apply([&](auto&... mk) { ((write_results<T>(mk, out + k), k += values_in(mk)), ...); },
             metrics);
}

}  // namespace ketl::detail
