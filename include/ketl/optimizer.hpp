// What an optimizer is, and how a compiled model runs one.
//
// An optimizer is a struct of Keras's hyperparameters (lr first, then its
// own, then decay, clipnorm and clipvalue), with:
//   name                        Keras's string ("adam")
//   validate()                  throws ketl::value_error on a bad value
//   State<T>(weights)           its slots, made for exactly the model's weights
//   state.apply(opt, weights, iterations)
//                               one update of every weight from its gradient;
//                               iterations counts the updates before this one
// The model holds it behind optimizer_runner<T>, erased per step rather than
// per element: a virtual call per update costs nothing next to the update,
// and compile() then builds one training step per loss, not one per
// (loss, optimizer) pair.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ketl/detail/simd.hpp"
#include "ketl/error.hpp"
#include "ketl/layer.hpp"

namespace ketl {

template <class O>
concept Optimizer = requires(const O& o, std::span<const WeightRef<float>> w) {
  { O::name } -> std::convertible_to<std::string_view>;
  { o.lr } -> std::convertible_to<float>;
  o.validate();
  typename O::template State<float>;
  std::declval<typename O::template State<float>&>().apply(o, w, std::int64_t{0});
};

namespace detail {

// Keras's time-based decay: lr / (1 + decay * iterations).
inline double decayed(double lr, double decay, std::int64_t iterations) {
  return decay > 0 ? lr / (1.0 + decay * double(iterations)) : lr;
}

// clipnorm (over all gradients together, as Keras's clip_norm) and clipvalue.
template <class T>
void clip_gradients(std::span<const WeightRef<T>> weights, double clipnorm, double clipvalue) {
  if (clipnorm > 0) {
    double sq = 0;
    for (const auto& w : weights)
      for (T g : w.grad) sq += double(g) * double(g);
    const double norm = std::sqrt(sq);
    if (norm >= clipnorm)
      for (const auto& w : weights)
        for (T& g : w.grad) g = T(double(g) * clipnorm / norm);
  }
  if (clipvalue > 0)
    for (const auto& w : weights)
      for (T& g : w.grad) g = std::min(std::max(g, T(-clipvalue)), T(clipvalue));
}

// A hyperparameter must be finite and in [lo, hi] (or [lo, hi) when
// hi_open); the message names the optimizer, the argument and the value.
inline void check_hyper(std::string_view opt, std::string_view arg, double v, double lo,
                        double hi = HUGE_VAL, bool hi_open = false) {
  const bool ok = std::isfinite(v) && v >= lo && (hi_open ? v < hi : v <= hi);
  if (ok) return;
  auto num = [](double x) {
    if (std::isinf(x)) return std::string(x > 0 ? "inf" : "-inf");
    std::string s = std::to_string(x);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  const std::string range =
      std::isinf(hi) ? ">= " + num(lo) : "in [" + num(lo) + ", " + num(hi) + (hi_open ? ")" : "]");
  throw value_error("ketl: " + std::string(opt) + ": " + std::string(arg) +
                    " must be a finite number " + range + ", got " +
                    (std::isnan(v) ? std::string("nan") : num(v)));
}

// The checks of the hyperparameters every optimizer has.
template <class O>
void validate_common(const O& o) {
  check_hyper(O::name, "lr", o.lr, 0);
  check_hyper(O::name, "decay", o.decay, 0);
  check_hyper(O::name, "clipnorm", o.clipnorm, 0);
  check_hyper(O::name, "clipvalue", o.clipvalue, 0);
}

// One optimizer weight as Keras saves it (a model file's optimizer_weights).
struct optimizer_weight {
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<double> values;
  bool integer = false;  // the iteration count, int64 in Keras
};

// One entry of Keras's optimizer config; booleans as 0 and 1.
struct hyperparameter {
  std::string name;
  double value = 0;
  bool boolean = false;
};

template <class T>
struct optimizer_runner {
  virtual ~optimizer_runner() = default;
  virtual void step(std::span<const WeightRef<T>> weights) = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  virtual std::int64_t iterations() const = 0;
  virtual std::string_view name() const = 0;
  // Keras 2.2.4's class name and get_config (optimizer_state.hpp).
  virtual std::string_view keras_class() const = 0;
  virtual std::vector<hyperparameter> config() const = 0;
  // Sets a Keras config's hyperparameters; all are checked first.
  virtual void set_config(const std::vector<hyperparameter>& h, const std::string& where) = 0;
  // Keras 2.2.4's optimizer.weights, and their restore (every count and
  // shape checked first). `iterations` is used where the list has none.
  virtual std::vector<optimizer_weight> keras_weights() const = 0;
  virtual void set_keras_weights(const std::vector<optimizer_weight>& w, std::int64_t iterations,
                                 const std::string& where) = 0;
};

template <class T, class O>
struct optimizer_impl final : optimizer_runner<T> {
  O opt;
  typename O::template State<T> state;
  std::int64_t done = 0;
  std::vector<std::vector<std::size_t>> shapes;  // the weights', for keras_weights()
  optimizer_impl(O o, std::span<const WeightRef<T>> w) : opt(std::move(o)), state(w) {
    for (const auto& x : w) shapes.push_back(x.shape);
  }
  void step(std::span<const WeightRef<T>> weights) override {
    clip_gradients(weights, double(opt.clipnorm), double(opt.clipvalue));
    state.apply(opt, weights, done);
    ++done;
  }
  double get_lr() const override { return double(opt.lr); }
  void set_lr(double lr) override { opt.lr = static_cast<decltype(opt.lr)>(lr); }
  std::int64_t iterations() const override { return done; }
  std::string_view name() const override { return O::name; }
  std::string_view keras_class() const override { return O::keras_class; }
  std::vector<hyperparameter> config() const override;
  void set_config(const std::vector<hyperparameter>& h, const std::string& where) override;
  std::vector<optimizer_weight> keras_weights() const override;
  void set_keras_weights(const std::vector<optimizer_weight>& w, std::int64_t iterations,
                         const std::string& where) override;
};

template <class T, class O>
std::unique_ptr<optimizer_runner<T>> make_optimizer(O o, std::span<const WeightRef<T>> w) {
  o.validate();
  return std::make_unique<optimizer_impl<T, O>>(std::move(o), w);
}

// One zeroed slot per weight.
template <class T>
struct slots {
  std::vector<std::vector<T>> data;
  explicit slots(std::span<const WeightRef<T>> weights) {
    for (const auto& w : weights) data.emplace_back(w.value.size(), T(0));
  }
  T* operator[](std::size_t i) { return data[i].data(); }
};

// One pass per weight over its values, its gradient and its slots:
// f(p, g, s...) gets batches (then scalars) and updates p and s in place.
template <class T, class F, class... S>
void update_each(std::span<const WeightRef<T>> weights, F&& f, S&... s) {
  for (std::size_t i = 0; i < weights.size(); ++i)
    simd::zip_update<T>(f, weights[i].value.size(), weights[i].value.data(),
                        static_cast<const T*>(weights[i].grad.data()), s[i]...);
}

}  // namespace detail
}  // namespace ketl

// The Keras state members of optimizer_impl.
#include "ketl/detail/optimizer_state.hpp"
