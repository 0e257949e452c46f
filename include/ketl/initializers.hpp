// Weight initializers with Keras 2.2.4's definitions (keras/initializers.py).
// An Initializer is a small value, so layers can take one at run time:
// Dense<64>{{.kernel_initializer = ketl::initializers::he_normal()}}.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "ketl/error.hpp"
#include "ketl/random.hpp"

namespace ketl {

class Initializer {
 public:
  enum class Kind { constant, uniform, normal, variance_scaling, orthogonal };
  enum class Mode { fan_in, fan_out, fan_avg };
  enum class Distribution { uniform, truncated_normal };

  // VarianceScaling(scale, mode, distribution): the family behind glorot_*,
  // he_* and lecun_*.
  static Initializer variance_scaling(double scale, Mode mode, Distribution dist) {
    if (!(scale > 0)) throw value_error("ketl: VarianceScaling scale must be positive");
    Initializer i;
    i.kind_ = Kind::variance_scaling;
    i.a_ = scale;
    i.mode_ = mode;
    i.dist_ = dist;
    return i;
  }
  static Initializer constant(double v) {
    Initializer i;
    i.kind_ = Kind::constant;
    i.a_ = v;
    return i;
  }
  static Initializer random_uniform(double minval, double maxval) {
    Initializer i;
    i.kind_ = Kind::uniform;
    i.a_ = minval;
    i.b_ = maxval;
    return i;
  }
  static Initializer random_normal(double mean, double stddev) {
    Initializer i;
    i.kind_ = Kind::normal;
    i.a_ = mean;
    i.b_ = stddev;
    return i;
  }

  // Orthogonal(gain): a (rows, cols) kernel whose rows (or columns, when
  // there are more rows) are orthonormal, times gain; the recurrent
  // kernels' default.
  static Initializer orthogonal(double gain = 1.0) {
    Initializer i;
    i.kind_ = Kind::orthogonal;
    i.a_ = gain;
    return i;
  }

  // Fills a (fan_in, fan_out) kernel or a bias (fan_in = fan_out = its size).
  template <class T>
  void fill(std::span<T> w, std::size_t fan_in, std::size_t fan_out, Random& rng) const {
    switch (kind_) {
      case Kind::constant:
        for (auto& x : w) x = static_cast<T>(a_);
        return;
      case Kind::uniform:
        for (auto& x : w) x = static_cast<T>(rng.uniform(a_, b_));
        return;
      case Kind::normal:
        for (auto& x : w) x = static_cast<T>(a_ + b_ * rng.normal());
        return;
      case Kind::variance_scaling: {
        const double n = mode_ == Mode::fan_in    ? static_cast<double>(fan_in)
                         : mode_ == Mode::fan_out ? static_cast<double>(fan_out)
                                                  : (fan_in + fan_out) / 2.0;
        const double s = a_ / std::max(1.0, n);
        if (dist_ == Distribution::uniform) {
          const double limit = std::sqrt(3.0 * s);
          for (auto& x : w) x = static_cast<T>(rng.uniform(-limit, limit));
        } else {
          // Keras divides by the stddev of a unit normal truncated at 2 sigma.
          const double stddev = std::sqrt(s) / 0.87962566103423978;
          for (auto& x : w) x = static_cast<T>(rng.truncated_normal(0.0, stddev));
        }
        return;
      }
      case Kind::orthogonal:
        fill_orthogonal(w, fan_in, fan_out, rng);
        return;
    }
  }

  Kind kind() const { return kind_; }
  // Constant's value, VarianceScaling's scale, Orthogonal's gain.
  double scale() const { return a_; }
  // RandomUniform's minval and maxval; RandomNormal's mean and stddev.
  double low() const { return a_; }
  double high() const { return b_; }
  Mode mode() const { return mode_; }
  Distribution distribution() const { return dist_; }

 private:
  Initializer() = default;

  // Keras takes the SVD of a normal matrix; Gram-Schmidt on the shorter
  // side's vectors gives a matrix of the same kind (orthonormal vectors
  // spread uniformly), in double, each vector orthogonalised twice.
  template <class T>
  void fill_orthogonal(std::span<T> w, std::size_t rows, std::size_t cols, Random& rng) const {
    if (rows * cols != w.size()) rows = 1, cols = w.size();  // a bias: one unit row
    const bool by_rows = rows <= cols;
    const std::size_t count = by_rows ? rows : cols, len = by_rows ? cols : rows;
    std::vector<double> q(count * len);
    for (auto& v : q) v = rng.normal();
    for (std::size_t i = 0; i < count; ++i) {
      double* v = q.data() + i * len;
      for (int pass = 0; pass < 2; ++pass)
        for (std::size_t j = 0; j < i; ++j) {
          const double* u = q.data() + j * len;
          double dot = 0;
          for (std::size_t k = 0; k < len; ++k) dot += u[k] * v[k];
          for (std::size_t k = 0; k < len; ++k) v[k] -= dot * u[k];
        }
      double norm = 0;
      for (std::size_t k = 0; k < len; ++k) norm += v[k] * v[k];
      norm = std::sqrt(norm);
      for (std::size_t k = 0; k < len; ++k) v[k] = norm > 0 ? v[k] / norm : 0;
    }
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c)
        w[r * cols + c] = static_cast<T>(a_ * (by_rows ? q[r * len + c] : q[c * len + r]));
  }
  Kind kind_ = Kind::constant;
  double a_ = 0, b_ = 0;
  Mode mode_ = Mode::fan_avg;
  Distribution dist_ = Distribution::uniform;
};

namespace initializers {
using M = Initializer::Mode;
using D = Initializer::Distribution;
inline Initializer zeros() { return Initializer::constant(0.0); }
inline Initializer ones() { return Initializer::constant(1.0); }
inline Initializer constant(double v) { return Initializer::constant(v); }
inline Initializer random_uniform(double lo = -0.05, double hi = 0.05) {
  return Initializer::random_uniform(lo, hi);
}
inline Initializer random_normal(double mean = 0.0, double stddev = 0.05) {
  return Initializer::random_normal(mean, stddev);
}
inline Initializer glorot_uniform() {
  return Initializer::variance_scaling(1, M::fan_avg, D::uniform);
}
inline Initializer glorot_normal() {
  return Initializer::variance_scaling(1, M::fan_avg, D::truncated_normal);
}
inline Initializer he_uniform() { return Initializer::variance_scaling(2, M::fan_in, D::uniform); }
inline Initializer he_normal() {
  return Initializer::variance_scaling(2, M::fan_in, D::truncated_normal);
}
inline Initializer lecun_uniform() {
  return Initializer::variance_scaling(1, M::fan_in, D::uniform);
}
inline Initializer orthogonal(double gain = 1.0) { return Initializer::orthogonal(gain); }
inline Initializer lecun_normal() {
  return Initializer::variance_scaling(1, M::fan_in, D::truncated_normal);
}

// By Keras name, for configuration read at run time.
inline Initializer get(const std::string& name) {
  if (name == "zeros" || name == "zero") return zeros();
  if (name == "ones" || name == "one") return ones();
  if (name == "glorot_uniform") return glorot_uniform();
  if (name == "glorot_normal") return glorot_normal();
  if (name == "he_uniform") return he_uniform();
  if (name == "he_normal") return he_normal();
  if (name == "lecun_uniform") return lecun_uniform();
  if (name == "lecun_normal") return lecun_normal();
  if (name == "random_uniform" || name == "uniform") return random_uniform();
  if (name == "random_normal" || name == "normal") return random_normal();
  if (name == "orthogonal") return orthogonal();
  throw value_error(
      "ketl: unknown initializer '" + name +
      "'; valid names: zeros, ones, glorot_uniform, glorot_normal, he_uniform, "
      "he_normal, lecun_uniform, lecun_normal, random_uniform, random_normal, orthogonal");
}
}  // namespace initializers

}  // namespace ketl
