// Dot<axes>: the dot product of two inputs along one axis each (Keras's
// merge.Dot, a batch_dot per sample). Axes count as Keras's do (the batch is
// axis 0, -1 the last): Dot<1> on (N, 8) and (N, 8) gives (N, 1); Dot<2, 1>
// on (N, 3, 4) and (N, 4, 5) gives (N, 3, 5). Each input has one or two
// feature axes. With {.normalize = true}, each input is first L2-normalised
// along its axis (K.l2_normalize, epsilon 1e-12), so the result is a cosine.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include "ketl/detail/elementwise_merge.hpp"
#include "ketl/layer.hpp"
#include "ketl/layers/concatenate.hpp"

namespace ketl {

namespace detail {
// One input's view: the contracted axis a (length K) and the other
// positions i (I of them), each vector's stride between its K values.
template <class S, int Axis>
struct dot_side {
  static constexpr std::size_t a = feature_axis<Axis, S::rank>();
  static constexpr bool ok = (S::rank == 1 || S::rank == 2) && a < S::rank;
  static constexpr std::size_t K = ok ? S::dims[a] : 1;
  static constexpr std::size_t I = S::size / K;
  static constexpr std::size_t k_stride = ok && S::rank == 2 && a == 0 ? S::dims[1] : 1;
  static constexpr std::size_t i_stride = ok && S::rank == 2 && a == 0 ? 1 : K;
  static constexpr std::size_t at(std::size_t i, std::size_t k) {
    return i * i_stride + k * k_stride;
  }
};

template <class A, class B, int AxisA, int AxisB>
struct dot_shapes {
  using sa = dot_side<A, AxisA>;
  using sb = dot_side<B, AxisB>;
  static constexpr bool fits = sa::ok && sb::ok && sa::K == sb::K;
  static constexpr auto dims() {
    std::array<std::size_t, 2> d{};
    std::size_t r = 0;
    if constexpr (A::rank == 2) d[r++] = A::dims[1 - sa::a];
    if constexpr (B::rank == 2) d[r++] = B::dims[1 - sb::a];
    return std::pair{d, r};
  }
  static auto make() {
    constexpr auto p = dims();
    if constexpr (p.second == 0)
      return Shape<1>{};
    else if constexpr (p.second == 1)
      return Shape<p.first[0]>{};
    else
      return Shape<p.first[0], p.first[1]>{};
  }
  using type = decltype(make());
};

template <class Ins, int AxisA, int AxisB>
struct dot_output;
template <class A, class B, int AxisA, int AxisB>
struct dot_output<type_list<A, B>, AxisA, AxisB> {
  using type = typename dot_shapes<A, B, AxisA, AxisB>::type;
};

template <int AxisA, int AxisB, class... Shapes>
struct dot_check {
  static constexpr bool two = sizeof...(Shapes) == 2;
  static_assert(two, "ketl::Dot: give it exactly two nodes");
  static constexpr bool fits = [] {
    if constexpr (sizeof...(Shapes) == 2)
      return dot_shapes<Shapes..., AxisA, AxisB>::fits;
    else
      return false;
  }();
  static_assert(!two || fits,
                "ketl::Dot<AxisA, AxisB>: the Shapes must have one or two feature axes, and the "
                "same length along AxisA and AxisB");
};
}  // namespace detail

template <int AxisA, int AxisB = AxisA>
struct Dot : stateless_layer, callable_layer<Dot<AxisA, AxisB>> {
  static constexpr std::string_view class_name = "Dot";
  static constexpr bool merge = true;
  // A masked input is taken and its mask dropped, as Keras's Dot does.
  static constexpr bool supports_masking = true;
  static constexpr bool keeps_mask = false;

  struct Options {
    bool normalize = false;
    std::string name = {};
  };
  Dot() = default;
  explicit Dot(Options o)
      : stateless_layer(LayerOptions{std::move(o.name)}), normalize_(o.normalize) {}
  bool normalize() const { return normalize_; }

  template <class Ins>
  static constexpr bool accepts = [] {
    if constexpr (detail::list_count<Ins> == 2)
      return []<class A, class B>(detail::type_list<A, B>*) {
        return detail::dot_shapes<A, B, AxisA, AxisB>::fits;
      }(static_cast<Ins*>(nullptr));
    else
      return false;
  }();
  template <class Ins>
  static constexpr void check_input() {
    [[maybe_unused]] constexpr bool checked = []<class... S>(detail::type_list<S...>*) {
      return detail::dot_check<AxisA, AxisB, S...>::fits;
    }(static_cast<Ins*>(nullptr));
  }
  template <class Ins>
  using output_shape = typename detail::dot_output<Ins, AxisA, AxisB>::type;
  // The normalised inputs and their inverse norms, kept for backward.
  template <class Ins>
  static constexpr std::size_t scratch_per_sample = [] {
    return []<class A, class B>(detail::type_list<A, B>*) {
      using sa = detail::dot_side<A, AxisA>;
      using sb = detail::dot_side<B, AxisB>;
      return A::size + B::size + sa::I + sb::I;
    }(static_cast<Ins*>(nullptr));
  }();

  template <class Ins, class T>
  void forward(const T* const* xs, T* y, std::size_t n, Pass<T>& pass) {
    run<Ins, T>(xs, y, n, pass, nullptr, nullptr, nullptr);
  }
  template <class Ins, class T>
  void backward(const T* const* xs, const T*, T* dy, T* const* dxs, std::size_t n, Pass<T>& pass) {
    run<Ins, T>(xs, nullptr, n, pass, dy, dxs[0], dxs[1]);
  }

 private:
  // Forward when y is given; else backward from dy into da and db.
  template <class Ins, class T>
  void run(const T* const* xs, T* y, std::size_t n, Pass<T>& pass, const T* dy, T* da, T* db) {
    [&]<class A, class B>(detail::type_list<A, B>*) {
      using sa = detail::dot_side<A, AxisA>;
      using sb = detail::dot_side<B, AxisB>;
      constexpr std::size_t K = sa::K, I = sa::I, J = sb::I;
      constexpr std::size_t per = A::size + B::size + I + J;
      for (std::size_t s = 0; s < n; ++s) {
        const T* a = xs[0] + s * A::size;
        const T* b = xs[1] + s * B::size;
        T* keep = pass.scratch + s * per;  // normalised a, b; their inverse norms
        T* na = keep;
        T* nb = keep + A::size;
        T* inv_a = nb + B::size;
        T* inv_b = inv_a + I;
        if (y) {
          if (normalize_) {
            normalise<sa>(a, na, inv_a);
            normalise<sb>(b, nb, inv_b);
            a = na, b = nb;
          }
          T* out = y + s * (I * J);
          for (std::size_t i = 0; i < I; ++i)
            for (std::size_t j = 0; j < J; ++j) {
              T acc = 0;
              for (std::size_t k = 0; k < K; ++k) acc += a[sa::at(i, k)] * b[sb::at(j, k)];
              out[i * J + j] = acc;
            }
          continue;
        }
        const T* g = dy + s * (I * J);
        const T* ua = normalize_ ? na : a;  // what was multiplied
        const T* ub = normalize_ ? nb : b;
        if (da) {
          T* d = da + s * A::size;
          for (std::size_t i = 0; i < I; ++i)
            for (std::size_t k = 0; k < K; ++k) {
              T acc = 0;
              for (std::size_t j = 0; j < J; ++j) acc += g[i * J + j] * ub[sb::at(j, k)];
              d[sa::at(i, k)] = acc;
            }
          if (normalize_) unnormalise<sa>(na, inv_a, d);
        }
        if (db) {
          T* d = db + s * B::size;
          for (std::size_t j = 0; j < J; ++j)
            for (std::size_t k = 0; k < K; ++k) {
              T acc = 0;
              for (std::size_t i = 0; i < I; ++i) acc += g[i * J + j] * ua[sa::at(i, k)];
              d[sb::at(j, k)] = acc;
            }
          if (normalize_) unnormalise<sb>(nb, inv_b, d);
        }
      }
    }(static_cast<Ins*>(nullptr));
  }

  // v / sqrt(max(sum(v^2), 1e-12)) for each of the side's vectors.
  template <class Side, class T>
  static void normalise(const T* x, T* out, T* inv) {
    for (std::size_t i = 0; i < Side::I; ++i) {
      T sq = 0;
      for (std::size_t k = 0; k < Side::K; ++k) sq += x[Side::at(i, k)] * x[Side::at(i, k)];
      // A negative inverse marks a vector the epsilon clamped: its norm is constant.
      const bool clamped = !(sq > T(1e-12));
      inv[i] = (clamped ? T(-1) : T(1)) / std::sqrt(clamped ? T(1e-12) : sq);
      for (std::size_t k = 0; k < Side::K; ++k)
        out[Side::at(i, k)] = x[Side::at(i, k)] * std::abs(inv[i]);
    }
  }
  // The gradient through the normalisation: (d - u (u . d)) / norm, or
  // d / norm where the epsilon clamped it.
  template <class Side, class T>
  static void unnormalise(const T* u, const T* inv, T* d) {
    for (std::size_t i = 0; i < Side::I; ++i) {
      T dot = 0;
      if (inv[i] > 0)
        for (std::size_t k = 0; k < Side::K; ++k) dot += u[Side::at(i, k)] * d[Side::at(i, k)];
      for (std::size_t k = 0; k < Side::K; ++k)
        d[Side::at(i, k)] = (d[Side::at(i, k)] - u[Side::at(i, k)] * dot) * std::abs(inv[i]);
    }
  }

  bool normalize_ = false;
};

}  // namespace ketl
