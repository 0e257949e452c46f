// Options of fit, evaluate and predict: aggregates for designated
// initializers, with Keras's names, defaults and argument order. Arrays are
// borrowed, not copied, and may hold any numeric element type; a model with
// several inputs or outputs takes a std::tuple of arrays (std::tie(a, b))
// wherever Keras takes a list. T, the model's element type, is kept in the
// names for code written against ketl's first API.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "ketl/array_ref.hpp"
#include "ketl/callback.hpp"

namespace ketl {

// fit's shuffle: true, false, or ketl::shuffle_batch (Keras's 'batch':
// whole batches change places, the tail stays last).
struct Shuffle {
  enum class Mode { off, on, batch } mode = Mode::on;
  constexpr Shuffle(bool on) : mode(on ? Mode::on : Mode::off) {}  // NOLINT: reads as Keras's
  constexpr explicit Shuffle(Mode m) : mode(m) {}
};
inline constexpr Shuffle shuffle_batch{Shuffle::Mode::batch};

// class_weight: one map of class -> weight ({{0, 1.0}, {1, 5.0}}), or one
// per output, in output order (Keras's list of dicts).
class ClassWeight {
 public:
  using map = std::map<int, double>;
  ClassWeight() = default;
  ClassWeight(map m) {
    if (!m.empty()) per_output_.push_back(std::move(m));
  }  // NOLINT
  ClassWeight(std::initializer_list<std::pair<const int, double>> l)
      : ClassWeight(map(l)) {}                                                      // NOLINT
  ClassWeight(std::vector<map> per_output) : per_output_(std::move(per_output)) {}  // NOLINT

  bool empty() const { return per_output_.empty(); }
  std::size_t size() const { return per_output_.size(); }
  // Output k's map; an empty map when none was given for it.
  const map& for_output(std::size_t k) const {
    static const map none;
    return k < per_output_.size() ? per_output_[k] : none;
  }

 private:
  std::vector<map> per_output_;
};

// (x, y) or (x, y, sample_weight).
template <class T = float>
struct ValidationData {
  Arrays x = {};
  Arrays y = {};
  Arrays sample_weight = {};
};

template <class T = float>
struct FitOptions {
  // Unset means Keras's None: 32, or the whole arrays in steps mode.
  std::optional<std::size_t> batch_size = std::nullopt;
  int epochs = 1;   // the final epoch index: fit runs epochs initial_epoch .. epochs-1
  int verbose = 1;  // 0 silent, 1 progress bar, 2 one line per epoch
  std::vector<CallbackRef> callbacks = {};
  double validation_split = 0.0;  // the last fraction of x and y, taken before shuffling
  std::optional<ValidationData<T>> validation_data = std::nullopt;
  Shuffle shuffle = true;
  ClassWeight class_weight = {};
  Arrays sample_weight = {};  // per output: (N,), or (N, T) with ketl::temporal
  int initial_epoch = 0;
  // Steps mode, Keras's for data tensors: each step trains on the whole
  // arrays; batch_size must then be unset, and validation needs
  // validation_steps (each also a pass over the whole validation arrays).
  std::optional<std::size_t> steps_per_epoch = std::nullopt;
  std::optional<std::size_t> validation_steps = std::nullopt;
};

template <class T = float>
struct EvaluateOptions {
  std::optional<std::size_t> batch_size = std::nullopt;  // None: 32, or the model's fixed one
  int verbose = 1;
  Arrays sample_weight = {};
  std::optional<std::size_t> steps = std::nullopt;  // steps mode, as fit's steps_per_epoch
};

struct PredictOptions {
  std::optional<std::size_t> batch_size = std::nullopt;  // None: 32, or the model's fixed one
  int verbose = 0;
};

}  // namespace ketl
