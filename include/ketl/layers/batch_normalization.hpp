// BatchNormalization<batch_norm{...}, T>: Keras's BatchNormalization over
// the last axis (axis=-1, channels last). In training, each channel is
// normalised with the batch's mean and biased variance; at inference, with
// the moving statistics. Weights, in Keras's order: gamma (scale), beta
// (center), moving_mean, moving_variance; the last two are non-trainable.
//
// The moving statistics follow Keras 2.2.4's update,
//   moving = moving * momentum + batch * (1 - momentum),
// with the batch variance first scaled by M / (M - (1 + epsilon)) over M
// values per channel; but without 2.2.x's zero-debiasing, which ignored the
// initial values (docs/keras-differences.md). They change in the training
// step's backward pass, so a batch the step refuses (a NaN loss) leaves
// them as they were. A batch whose statistics are not finite, or whose
// moving variance would go negative (M <= 1 + epsilon), is refused with a
// value_error.
// A frozen layer (trainable = false) normalises with its moving statistics
// in training too, as tf.keras's does.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ketl/error.hpp"
#include "ketl/initializers.hpp"
#include "ketl/layer.hpp"

namespace ketl {

// The options that change BatchNormalization's weights.
struct batch_norm {
  bool center = true;  // learn beta
  bool scale = true;   // learn gamma
};

template <batch_norm Spec = batch_norm{}, class T = float>
class BatchNormalization : public callable_layer<BatchNormalization<Spec, T>> {
  static_assert(std::is_floating_point_v<T>,
                "ketl::BatchNormalization: the element type must be floating point");

 public:
  using value_type = T;
  static constexpr std::string_view class_name = "BatchNormalization";
  // Keras 2.2.4's supports_masking: a masked input's mask passes on.
  static constexpr bool supports_masking = true;
  static constexpr batch_norm spec = Spec;

  // Keras's keyword arguments that do not change the weights' shapes.
  struct Options {
    float momentum = 0.99f;
    float epsilon = 1e-3f;
    Initializer beta_initializer = initializers::zeros();
    Initializer gamma_initializer = initializers::ones();
    Initializer moving_mean_initializer = initializers::zeros();
    Initializer moving_variance_initializer = initializers::ones();
    std::string name = {};
  };

  BatchNormalization() = default;
  explicit BatchNormalization(Options opt) : opt_(std::move(opt)) {
    if (!(opt_.epsilon > 0.0f) || !(opt_.momentum >= 0.0f && opt_.momentum <= 1.0f))
      throw value_error("ketl: BatchNormalization needs epsilon > 0 and momentum in [0, 1]");
  }

  template <class In>
  static constexpr bool accepts = true;
  template <class In>
  static constexpr void check_input() {}
  template <class In>
  using output_shape = In;
  template <class In>
  static constexpr std::size_t param_count = In::last*(2 + Spec.center + Spec.scale);
  template <class In>
  static constexpr std::size_t non_trainable_param_count = 2 * In::last;
  // The batch's mean and variance per channel, from forward to backward.
  template <class In>
  static constexpr std::size_t scratch_per_sample = 2 * In::last;

  template <class In>
  void build(Random& rng) {
    constexpr std::size_t C = In::last;
    gamma_.assign(C, T(1));
    beta_.assign(C, T(0));
    dgamma_.assign(C, T(0));
    dbeta_.assign(C, T(0));
    moving_mean_.assign(C, T(0));
    moving_var_.assign(C, T(1));
    sum_.assign(C, 0.0);
    sq_.assign(C, 0.0);
    if constexpr (Spec.scale) opt_.gamma_initializer.fill(std::span<T>(gamma_), C, C, rng);
    if constexpr (Spec.center) opt_.beta_initializer.fill(std::span<T>(beta_), C, C, rng);
    opt_.moving_mean_initializer.fill(std::span<T>(moving_mean_), C, C, rng);
    opt_.moving_variance_initializer.fill(std::span<T>(moving_var_), C, C, rng);
  }

  template <class In>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t C = In::last;
    const std::size_t rows = n * In::outer;
    const T* mean = moving_mean_.data();
    const T* var = moving_var_.data();
    if (uses_batch(pass)) {
      batch_statistics(x, rows, C, pass.scratch, pass.scratch + C);
      mean = pass.scratch;
      var = pass.scratch + C;
    }
    for (std::size_t c = 0; c < C; ++c) {
      const T inv = T(1) / std::sqrt(var[c] + T(opt_.epsilon));
      sum_[c] = double(gamma_[c] * inv);  // the scale, reused below
    }
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < C; ++c)
        y[r * C + c] = (x[r * C + c] - mean[c]) * T(sum_[c]) + beta_[c];
  }

  template <class In>
  void backward(const T* x, const T*, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t C = In::last;
    const std::size_t rows = n * In::outer;
    const bool batch = uses_batch(pass);
    const T* mean = batch ? pass.scratch : moving_mean_.data();
    const T* var = batch ? pass.scratch + C : moving_var_.data();
    // Per channel: sum(dy) and sum(dy * xhat).
    std::fill(sum_.begin(), sum_.end(), 0.0);
    std::fill(sq_.begin(), sq_.end(), 0.0);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < C; ++c) {
        const double g = double(dy[r * C + c]);
        sum_[c] += g;
        sq_[c] += g * double(x[r * C + c] - mean[c]);
      }
    const bool acc = pass.accumulate_weight_grads;
    for (std::size_t c = 0; c < C; ++c) {
      const double inv = 1.0 / std::sqrt(double(var[c]) + double(opt_.epsilon));
      const T dg = T(sq_[c] * inv), db = T(sum_[c]);
      if constexpr (Spec.scale) dgamma_[c] = acc ? dgamma_[c] + dg : dg;
      if constexpr (Spec.center) dbeta_[c] = acc ? dbeta_[c] + db : db;
    }
    if (dx) {
      const double M = double(rows);
      for (std::size_t c = 0; c < C; ++c) {
        const double inv = 1.0 / std::sqrt(double(var[c]) + double(opt_.epsilon));
        // dx = gamma * inv * (dy - mean(dy) - xhat * mean(dy * xhat)) in
        // training; gamma * inv * dy with fixed statistics.
        const double k = double(gamma_[c]) * inv;
        const double a = batch ? sum_[c] / M : 0.0, b = batch ? sq_[c] * inv * inv / M : 0.0;
        for (std::size_t r = 0; r < rows; ++r) {
          const std::size_t i = r * C + c;
          dx[i] = T(k * (double(dy[i]) - a - double(x[i] - mean[c]) * b));
        }
      }
    }
    if (batch) {
      const double M = double(rows), m = double(opt_.momentum);
      const double unbias = M / (M - (1.0 + double(opt_.epsilon)));
      for (std::size_t c = 0; c < C; ++c) {
        moving_mean_[c] = T(double(moving_mean_[c]) * m + double(mean[c]) * (1 - m));
        moving_var_[c] = T(double(moving_var_[c]) * m + double(var[c]) * unbias * (1 - m));
      }
    }
  }

  template <class Fn>
  void for_each_weight(Fn&& f) {
    const std::size_t C = gamma_.size();
    if constexpr (Spec.scale) f(WeightRef<T>{"gamma", gamma_, dgamma_, {C}});
    if constexpr (Spec.center) f(WeightRef<T>{"beta", beta_, dbeta_, {C}});
    f(WeightRef<T>{"moving_mean", moving_mean_, {}, {C}, false});
    f(WeightRef<T>{"moving_variance", moving_var_, {}, {C}, false});
  }

  std::span<T> gamma() { return gamma_; }
  std::span<T> beta() { return beta_; }
  std::span<const T> moving_mean() const { return moving_mean_; }
  std::span<const T> moving_variance() const { return moving_var_; }
  const Options& options() const { return opt_; }
  std::string_view name() const { return opt_.name; }

 private:
  // Batch statistics in training, unless the layer is frozen (tf.keras).
  bool uses_batch(const Pass<T>& pass) const { return pass.training && this->trainable; }

  // Mean and biased variance per channel, in double; refuses a batch whose
  // statistics, or the moving variance they would give, are not usable.
  void batch_statistics(const T* x, std::size_t rows, std::size_t C, T* mean, T* var) {
    std::fill(sum_.begin(), sum_.end(), 0.0);
    std::fill(sq_.begin(), sq_.end(), 0.0);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < C; ++c) sum_[c] += double(x[r * C + c]);
    const double M = double(rows);
    for (std::size_t c = 0; c < C; ++c) mean[c] = T(sum_[c] / M);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < C; ++c) {
        const double d = double(x[r * C + c]) - double(mean[c]);
        sq_[c] += d * d;
      }
    const double unbias = M / (M - (1.0 + double(opt_.epsilon)));
    const double m = double(opt_.momentum);
    for (std::size_t c = 0; c < C; ++c) {
      var[c] = T(sq_[c] / M);
      const double next = double(moving_var_[c]) * m + double(var[c]) * unbias * (1 - m);
      if (!std::isfinite(double(mean[c])) || !std::isfinite(double(var[c])) ||
          !std::isfinite(next) || next < 0)
        throw value_error(
            "ketl: BatchNormalization " + std::string(opt_.name.empty() ? "" : opt_.name + " ") +
            "refuses this batch: channel " + std::to_string(c) + " has mean " +
            std::to_string(double(mean[c])) + " and variance " + std::to_string(double(var[c])) +
            " over " + std::to_string(rows) + " values, and its moving variance would become " +
            std::to_string(next) +
            (M <= 1.0 + double(opt_.epsilon)
                 ? " (Keras's M / (M - (1 + epsilon)) is negative here: use larger batches)"
                 : "") +
            "; the weights are unchanged");
    }
  }

  Options opt_{};
  std::vector<T> gamma_, beta_, dgamma_, dbeta_, moving_mean_, moving_var_;
  std::vector<double> sum_, sq_;  // per-channel sums, reused by each pass
};

}  // namespace ketl
