// What a loss and a metric are, and the kernels that run them.
//
// A loss is a type with name(), a Target (what y_true holds) and
// expression(): an expression over y_true and y_pred with one value per row
// (one sample's last axis). compile() turns it into a loss_kernel, which
// holds the expression and its symbolic gradient; a metric becomes a
// metric_kernel, its expression a row or a batch value (precision, recall).
// detail/fused_pass.hpp runs a loss and its metrics in one pass over a
// batch, writing dloss/dy_pred into the last layer's gradient buffer.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ketl/detail/simd.hpp"
#include "ketl/detail/xtensor.hpp"
#include "ketl/error.hpp"
#include "ketl/expr.hpp"
#include "ketl/shape.hpp"

namespace ketl {

// What y_true holds, relative to y_pred.
enum class Target {
  same_shape,     // y_true has y_pred's shape (mse, categorical_crossentropy, ...)
  sparse_labels,  // integer class labels: y_pred's shape without its last axis (sparse_*)
};

template <class L>
concept LossFunction = requires(const L& l) {
  { l.name() } -> std::convertible_to<std::string_view>;
  { L::target } -> std::convertible_to<Target>;
  { l.expression() } -> expr::Expression;
}
&&expr::kind_of<decltype(std::declval<const L&>().expression())> == expr::kind::row;

namespace detail {
// A metric's expression gives one value per sample or per batch, or it is
// an expr::value_set of such expressions.
template <class E>
constexpr bool metric_expression() {
  if constexpr (requires { E::count; })
    return true;  // a value_set; custom_metric checks its parts
  else if constexpr (expr::Expression<E>)
    return expr::kind_of<E> != expr::kind::elem;
  else
    return false;
}
}  // namespace detail

template <class M>
concept MetricFunction = requires(const M& m) {
  { m.name() } -> std::convertible_to<std::string_view>;
  { M::target } -> std::convertible_to<Target>;
  m.expression();
}
&&detail::metric_expression<std::remove_cvref_t<decltype(std::declval<const M&>().expression())>>();

namespace detail {

// Scratch for one block of W transposed rows: per thread, grown once and
// never shrunk, so a training step allocates nothing here after its first.
// Slot 0 holds the block's y_pred and y_true, slot 1 a wide row's gradient.
template <class T, int Slot = 0>
T* block_scratch(std::size_t size) {
  thread_local std::vector<T, xsimd::aligned_allocator<T, 64>> buffer;
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

// A loss ready to run: its expression and the expression of its gradient.
// Rows go through SIMD lanes, W at a time, then a scalar tail.
template <class E>
struct loss_kernel {
  E value;
  decltype(expr::gradient(std::declval<const E&>())) grad;

  explicit loss_kernel(E e) : value(std::move(e)), grad(expr::gradient(value)) {}

  // The row's loss; with out, also writes scale * dloss/dy_pred into out.
  template <class T>
  T row(const expr::row_ref<T>& r, T* out, T scale) {
    value.prepare(r);
    const T v = value.at(r, 0);
    if (out) {
      grad.prepare(r);
      for (std::size_t j = 0; j < r.cols; ++j) out[j] = scale * grad.at(r, j);
    }
    return v;
  }

  // W rows at once, one per lane; out (if any) is the first row's gradient.
  // With w, the W rows' weights: the losses and gradients are weighted.
  template <class T, class A>
  T block(const expr::lanes_ref<T, A>& r, T* out, T scale, const T* w = nullptr) {
    using V = xsimd::batch<T, A>;
    value.prepare(r);
    const V wv = w ? V::load_unaligned(w) : V(T(1));
    const V v = value.at(r, 0) * wv;
    if (out) {
      // Column by column into lanes layout, then back to rows in one go.
      // The columns go into a buffer on the stack: a store through an SIMD
      // type may alias anything, so storing straight into heap scratch
      // would make the compiler reload the expression's constants and the
      // row's fields after every column. Up to 16 columns that buffer is
      // the whole block, which goes back to rows from there; wider rows
      // are copied out 16 columns at a time.
      constexpr std::size_t W = V::size, chunk = 16;
      grad.prepare(r);
      const V s = V(scale) * wv;
      alignas(64) T staged[chunk * W];
      const auto cols = r.cols;
      if (cols <= chunk) {
        for (std::size_t j = 0; j < cols; ++j) (s * grad.at(r, j)).store_aligned(staged + j * W);
        lanes_to_rows<A>(staged, cols, out);
      } else {
        T* lanes = block_scratch<T, 1>(cols * W);
        for (std::size_t j0 = 0; j0 < cols; j0 += chunk) {
          const std::size_t n = cols - j0 < chunk ? cols - j0 : chunk;
          for (std::size_t j = 0; j < n; ++j)
            (s * grad.at(r, j0 + j)).store_aligned(staged + j * W);
          for (std::size_t j = 0; j < n; ++j)
            V::load_aligned(staged + j * W).store_aligned(lanes + (j0 + j) * W);
        }
        lanes_to_rows<A>(lanes, cols, out);
      }
    }
    return simd::reduce_add(v);
  }

  // The sum of the losses of rows [0, rows), gradients into out if given.
  template <class A = simd::arch, class T>
  double run(const T* yt, const T* yp, std::size_t rows, std::size_t cols, std::size_t yt_cols,
             T* out, T scale) {
    constexpr std::size_t W = xsimd::batch<T, A>::size;
    T* scratch = block_scratch<T>((cols + yt_cols) * W);
    double total = 0;
    std::size_t r = 0;
    for (; r + W <= rows; r += W)
      total += block(expr::lanes_ref<T, A>(yt + r * yt_cols, yp + r * cols, cols, yt_cols, scratch),
                     out ? out + r * cols : nullptr, scale);
    for (; r < rows; ++r)
      total += row(expr::row_ref<T>{yt + r * yt_cols, yp + r * cols, cols, yt_cols},
                   out ? out + r * cols : nullptr, scale);
    return total;
  }
};
template <LossFunction L>
auto make_loss_kernel(const L& l) {
  return loss_kernel<decltype(l.expression())>(l.expression());
}

// A metric ready to run: rows in, one value per batch out. A per-row metric
// gives the mean over rows (Keras's K.mean over the batch); a batch-wise one
// gives its expression of batch sums.
template <class E>
struct metric_kernel {
  E value;
  double sum = 0;  // of the values, or of weight * value when weighted
  double weight_sum = 0;
  double divisor = -1;  // < 0: unweighted; else the weighted mean's divisor
  std::size_t rows = 0;

  void begin() {
    sum = 0;
    weight_sum = 0;
    divisor = -1;
    rows = 0;
    if constexpr (expr::kind_of<E> == expr::kind::batch)
      value.each([](auto& n) {
        if constexpr (requires { n.reset(); }) n.reset();
      });
  }
  template <class T>
  void add(const expr::row_ref<T>& r) {
    if constexpr (expr::kind_of<E> == expr::kind::batch) {
      value.each([&](auto& n) {
        if constexpr (requires { n.accumulate(r); }) n.accumulate(r);
      });
    } else {
      value.prepare(r);
      sum += static_cast<double>(value.at(r, 0));
    }
    ++rows;
  }
  // W rows at once (per-row metrics only).
  template <class T, class A>
  requires(expr::kind_of<E> != expr::kind::batch) void add(const expr::lanes_ref<T, A>& r) {
    value.prepare(r);
    sum += static_cast<double>(simd::reduce_add(value.at(r, 0)));
    rows += xsimd::batch<T, A>::size;
  }
  // The same with each row's weight (a weighted metric: w[k] for row k).
  template <class T>
  void add_weighted(const expr::row_ref<T>& r, const T* w) {
    if constexpr (expr::kind_of<E> == expr::kind::batch) {
      add(r);
    } else {
      value.prepare(r);
      sum += static_cast<double>(w[0] * value.at(r, 0));
      ++rows;
    }
    weight_sum += static_cast<double>(w[0]);
  }
  template <class T, class A>
  requires(expr::kind_of<E> != expr::kind::batch) void add_weighted(const expr::lanes_ref<T, A>& r,
                                                                    const T* w) {
    using V = xsimd::batch<T, A>;
    const V wv = V::load_unaligned(w);
    value.prepare(r);
    sum += static_cast<double>(simd::reduce_add(value.at(r, 0) * wv));
    weight_sum += static_cast<double>(simd::reduce_add(wv));
    rows += V::size;
  }
  // A whole batch of rows: SIMD lanes for per-row metrics, then a scalar
  // tail; with w, weighted by w[r] per row.
  template <class A = simd::arch, class T>
  void add_rows(const T* yt, const T* yp, std::size_t n, std::size_t cols, std::size_t yt_cols,
                const T* w = nullptr) {
    constexpr std::size_t W = xsimd::batch<T, A>::size;
    std::size_t r = 0;
    if constexpr (expr::kind_of<E> != expr::kind::batch) {
      T* scratch = block_scratch<T>((cols + yt_cols) * W);
      for (; r + W <= n; r += W) {
        const expr::lanes_ref<T, A> lanes(yt + r * yt_cols, yp + r * cols, cols, yt_cols, scratch);
        if (w)
          add_weighted(lanes, w + r);
        else
          add(lanes);
      }
    }
    for (; r < n; ++r) {
      const expr::row_ref<T> row{yt + r * yt_cols, yp + r * cols, cols, yt_cols};
      if (w)
        add_weighted(row, w + r);
      else
        add(row);
    }
  }
  // After a weighted pass: Keras's weighted mean, sum(w * m) / divisor
  // (the count of non-zero sample weights, as for the loss); a batch-wise
  // value is scaled by sum(w) / divisor, as Keras's weighting of a scalar.
  void set_divisor(double d) { divisor = d; }
  template <class T>
  double result() {
    if constexpr (expr::kind_of<E> == expr::kind::batch) {
      expr::row_ref<T> none{nullptr, nullptr, 0, 0};
      value.prepare(none);
      const double v = static_cast<double>(value.at(none, 0));
      if (divisor < 0) return v;
      return divisor > 0 ? v * weight_sum / divisor : 0.0;
    } else {
      if (divisor >= 0) return divisor > 0 ? sum / divisor : 0.0;
      return rows ? sum / double(rows) : 0.0;
    }
  }
};
template <class K, class Ctx>
inline constexpr bool can_add = requires(K& k, const Ctx& c) {
  k.add(c);
};

// Several metrics' kernels behind one metric: values("a", e1, "b", e2).
template <class... K>
struct metric_set_kernel {
  static constexpr std::size_t count = sizeof...(K);
  std::tuple<K...> parts;
  void begin() {
    std::apply([](auto&... k) { (k.begin(), ...); }, parts);
  }
  template <class Ctx>
  requires(can_add<K, Ctx>&&...) void add(const Ctx& c) {
    std::apply([&](auto&... k) { (k.add(c), ...); }, parts);
  }
  template <class Ctx, class T>
  requires(can_add<K, Ctx>&&...) void add_weighted(const Ctx& c, const T* w) {
    std::apply([&](auto&... k) { (k.add_weighted(c, w), ...); }, parts);
  }
  template <class A = simd::arch, class T>
  void add_rows(const T* yt, const T* yp, std::size_t n, std::size_t cols, std::size_t yt_cols,
                const T* w = nullptr) {
    std::apply([&](auto&... k) { (k.template add_rows<A>(yt, yp, n, cols, yt_cols, w), ...); },
               parts);
  }
  void set_divisor(double d) {
    std::apply([&](auto&... k) { (k.set_divisor(d), ...); }, parts);
  }
  template <class T>
  void results(double* out) {
    std::size_t i = 0;
    std::apply([&](auto&... k) { ((out[i++] = k.template result<T>()), ...); }, parts);
  }
};

// A metric compiled as one of compile()'s weighted_metrics: the fused pass
// hands it each row's sample weight; without weights it is the plain mean.
template <class K>
struct weighted_metric_kernel {
  K inner;
  void begin() { inner.begin(); }
  template <class Ctx>
  requires can_add<K, Ctx>
  void add(const Ctx& c) { inner.add(c); }
  template <class Ctx, class T>
  requires can_add<K, Ctx>
  void add(const Ctx& c, const T* w) {
    if (w)
      inner.add_weighted(c, w);
    else
      inner.add(c);
  }
  template <class T>
  void add_rows(const T* yt, const T* yp, std::size_t n, std::size_t cols, std::size_t yt_cols,
                const T* w) {
    inner.add_rows(yt, yp, n, cols, yt_cols, w);
  }
  void weigh(bool weighted, double denom) { inner.set_divisor(weighted ? denom : -1.0); }
};

template <class E>
struct is_value_set : std::false_type {};
template <class... E>
struct is_value_set<expr::value_set<E...>> : std::true_type {};

template <MetricFunction M>
auto make_metric_kernel(const M& m) {
  const auto e = m.expression();
  if constexpr (is_value_set<std::remove_cvref_t<decltype(e)>>::value)
    return std::apply(
        [](const auto&... x) {
          return metric_set_kernel<metric_kernel<std::remove_cvref_t<decltype(x)>>...>{
              {metric_kernel<std::remove_cvref_t<decltype(x)>>{x}...}};
        },
        e.exprs);
  else
    return metric_kernel<decltype(m.expression())>{m.expression()};
}

// y_true's shape for a y_pred of shape `pred`: the same, or without its last
// axis for integer labels (a trailing axis of 1 is accepted too).
template <Target target>
bool target_fits(const std::vector<std::size_t>& truth, const std::vector<std::size_t>& pred) {
  if constexpr (target == Target::same_shape) {
    return truth == pred;
  } else {
    std::vector<std::size_t> want(pred.begin(), pred.end() - 1);
    if (truth == want) return true;
    want.push_back(1);
    return truth == want;
  }
}

template <class A>
std::vector<std::size_t> shape_of(const A& a) {
  return std::vector<std::size_t>(a.shape().begin(), a.shape().end());
}

}  // namespace detail

}  // namespace ketl

// Losses and metrics called on arrays: ketl/array_calls.hpp.
#include "ketl/array_calls.hpp"
