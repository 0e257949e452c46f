// Options of fit, evaluate and predict: aggregates for designated
// initializers, with Keras's names, defaults and argument order. T is the
// model's element type; arrays are borrowed (ArrayRef), not copied.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
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

// (x, y) or (x, y, sample_weight).
template <class T = float>
struct ValidationData {
  ArrayRef<T> x = {};
  ArrayRef<T> y = {};
  ArrayRef<T> sample_weight = {};
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
  std::map<int, double> class_weight = {};
  ArrayRef<T> sample_weight = {};  // (N,), or (N, T) with ketl::temporal
  int initial_epoch = 0;
  // Steps mode, Keras's for data tensors: each step trains on the whole
  // arrays; batch_size must then be unset, and validation needs
  // validation_steps (each also a pass over the whole validation arrays).
  std::optional<std::size_t> steps_per_epoch = std::nullopt;
  std::optional<std::size_t> validation_steps = std::nullopt;
};

template <class T = float>
struct EvaluateOptions {
  std::optional<std::size_t> batch_size = std::nullopt;  // None: 32
  int verbose = 1;
  ArrayRef<T> sample_weight = {};
  std::optional<std::size_t> steps = std::nullopt;  // steps mode, as fit's steps_per_epoch
};

struct PredictOptions {
  std::size_t batch_size = 32;
  int verbose = 0;
};

}  // namespace ketl
