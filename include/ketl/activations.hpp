// Keras's activation functions (keras/activations.py, 2.2.4).
//
// Each is a small value type. Elementwise ones give `apply(z)` and
// `derivative(y)`: every Keras activation's derivative can be written from
// its output y, so layers keep y only and never store the pre-activation.
// Softmax works on rows and gives its own forward/backward.
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "ketl/detail/simd.hpp"

namespace ketl {

struct Linear {
  static constexpr std::string_view name = "linear";
  template <class V>
  V apply(V z) const {
    return z;
  }
  template <class V>
  V derivative(V) const {
    return V(1);
  }
};

struct Relu {
  static constexpr std::string_view name = "relu";
  template <class V>
  V apply(V z) const {
    return detail::simd::max(V(0), z);  // NaN passes on, as the scalar formula
  }
  // The derivative at 0 is taken as 0, as TensorFlow's ReluGrad does.
  template <class V>
  V derivative(V y) const {
    return detail::simd::select(y > V(0), V(1), V(0));
  }
};

struct Elu {
  static constexpr std::string_view name = "elu";
  float alpha = 1.0f;
  template <class V>
  V apply(V z) const {
    using T = detail::scalar_of<V>;
    return detail::simd::select(z > V(0), z, V(T(alpha)) * (xsimd::exp(z) - V(1)));
  }
  template <class V>
  V derivative(V y) const {
    using T = detail::scalar_of<V>;
    return detail::simd::select(y > V(0), V(1), y + V(T(alpha)));
  }
};

struct Selu {
  static constexpr std::string_view name = "selu";
  static constexpr double alpha = 1.6732632423543772848170429916717;
  static constexpr double scale = 1.0507009873554804934193349852946;
  template <class V>
  V apply(V z) const {
    using T = detail::scalar_of<V>;
    return V(T(scale)) * detail::simd::select(z > V(0), z, V(T(alpha)) * (xsimd::exp(z) - V(1)));
  }
  template <class V>
  V derivative(V y) const {
    using T = detail::scalar_of<V>;
    return detail::simd::select(y > V(0), V(T(scale)), y + V(T(scale * alpha)));
  }
};

struct Sigmoid {
  static constexpr std::string_view name = "sigmoid";
  template <class V>
  V apply(V z) const {
    return V(1) / (V(1) + xsimd::exp(-z));
  }
  template <class V>
  V derivative(V y) const {
    return y * (V(1) - y);
  }
};

struct HardSigmoid {
  static constexpr std::string_view name = "hard_sigmoid";
  template <class V>
  V apply(V z) const {
    using T = detail::scalar_of<V>;
    return detail::simd::min(V(1), detail::simd::max(V(0), V(T(0.2)) * z + V(T(0.5))));
  }
  template <class V>
  V derivative(V y) const {
    using T = detail::scalar_of<V>;
    return detail::simd::select((y > V(0)) && (y < V(1)), V(T(0.2)), V(0));
  }
};

struct Tanh {
  static constexpr std::string_view name = "tanh";
  template <class V>
  V apply(V z) const {
    return xsimd::tanh(z);
  }
  template <class V>
  V derivative(V y) const {
    return V(1) - y * y;
  }
};

struct Softplus {
  static constexpr std::string_view name = "softplus";
  // log(1 + e^z) written so that large |z| neither overflows nor loses digits.
  template <class V>
  V apply(V z) const {
    return detail::simd::max(V(0), z) + xsimd::log1p(xsimd::exp(-xsimd::abs(z)));
  }
  // d/dz softplus = sigmoid(z) = 1 - e^-y.
  template <class V>
  V derivative(V y) const {
    return V(1) - xsimd::exp(-y);
  }
};

struct Softsign {
  static constexpr std::string_view name = "softsign";
  template <class V>
  V apply(V z) const {
    return z / (xsimd::abs(z) + V(1));
  }
  template <class V>
  V derivative(V y) const {
    const V t = V(1) - xsimd::abs(y);
    return t * t;
  }
};

struct Exponential {
  static constexpr std::string_view name = "exponential";
  template <class V>
  V apply(V z) const {
    return xsimd::exp(z);
  }
  template <class V>
  V derivative(V y) const {
    return y;
  }
};

// Keras's LeakyReLU layer (alpha = 0.3), usable as any activation here.
// alpha must be >= 0 so that the sign of y tells which branch z took.
struct LeakyReLU {
  static constexpr std::string_view name = "leaky_relu";
  float alpha = 0.3f;
  template <class V>
  V apply(V z) const {
    using T = detail::scalar_of<V>;
    return detail::simd::select(z > V(0), z, V(T(alpha)) * z);
  }
  template <class V>
  V derivative(V y) const {
    using T = detail::scalar_of<V>;
    return detail::simd::select(y > V(0), V(1), V(T(alpha)));
  }
};

// Softmax over the last axis, shifted by the row max for stability.
struct Softmax {
  static constexpr std::string_view name = "softmax";
  template <class T>
  void forward(const T* z, T* y, std::size_t rows, std::size_t cols) const {
    for (std::size_t r = 0; r < rows; ++r) {
      const T* zr = z + r * cols;
      T* yr = y + r * cols;
      T m = zr[0];
      for (std::size_t j = 1; j < cols; ++j) m = zr[j] > m ? zr[j] : m;
      const T shift = m;
      detail::simd::map([shift](auto v) { return xsimd::exp(v - decltype(v)(shift)); }, zr, yr,
                        cols);
      T s = 0;
      for (std::size_t j = 0; j < cols; ++j) s += yr[j];
      const T inv = T(1) / s;
      for (std::size_t j = 0; j < cols; ++j) yr[j] *= inv;
    }
  }
  // dz = y * (dy - <dy, y>), the Jacobian-vector product of softmax.
  template <class T>
  void backward(const T* y, const T* dy, T* dz, std::size_t rows, std::size_t cols) const {
    for (std::size_t r = 0; r < rows; ++r) {
      const T* yr = y + r * cols;
      const T* dr = dy + r * cols;
      T dot = 0;
      for (std::size_t j = 0; j < cols; ++j) dot += dr[j] * yr[j];
      T* zr = dz + r * cols;
      for (std::size_t j = 0; j < cols; ++j) zr[j] = yr[j] * (dr[j] - dot);
    }
  }
};

// An activation defined elementwise by apply(z) and derivative(y).
template <class A>
concept ElementwiseActivation = requires(const A& a, float v) {
  { a.apply(v) } -> std::convertible_to<float>;
  { a.derivative(v) } -> std::convertible_to<float>;
};

// An activation defined on rows (softmax): forward and backward over (rows, cols).
template <class A>
concept RowwiseActivation = requires(const A& a, const float* in, float* out) {
  a.forward(in, out, std::size_t{}, std::size_t{});
  a.backward(in, in, out, std::size_t{}, std::size_t{});
};

// Anything a Dense or an Activation layer can apply.
template <class A>
concept ActivationFunction = std::is_class_v<A> && requires {
  { A::name } -> std::convertible_to<std::string_view>;
} &&(ElementwiseActivation<A> || RowwiseActivation<A>);

// y = f(z) over (rows, cols); z and y may be the same buffer.
template <ActivationFunction A, class T>
void activate(const A& a, const T* z, T* y, std::size_t rows, std::size_t cols) {
  if constexpr (RowwiseActivation<A>)
    a.forward(z, y, rows, cols);
  else
    detail::simd::map([&](auto v) { return a.apply(v); }, z, y, rows * cols);
}

// dz = dy * f'(z), with f'(z) written from y = f(z); dy and dz may alias.
template <ActivationFunction A, class T>
void activate_backward(const A& a, const T* y, const T* dy, T* dz, std::size_t rows,
                       std::size_t cols) {
  if constexpr (RowwiseActivation<A>)
    a.backward(y, dy, dz, rows, cols);
  else
    detail::simd::map([&](auto yv, auto dv) { return dv * a.derivative(yv); }, y, dy, dz,
                      rows * cols);
}

}  // namespace ketl
