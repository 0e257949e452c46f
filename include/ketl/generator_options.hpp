// Options of fit_generator, evaluate_generator and predict_generator, with
// Keras's names, defaults and order. Keras 2.0's names map as:
//   max_q_size  -> max_queue_size
//   pickle_safe -> (none): workers are threads. Keras needed processes to
//                  get around Python's global interpreter lock; C++ threads
//                  run in parallel, and a Sequence's batches are made in
//                  parallel by them.
//   nb_worker   -> workers;  nb_val_samples -> validation_steps
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "ketl/callback.hpp"
#include "ketl/data_source.hpp"
#include "ketl/fit_options.hpp"

namespace ketl {

// fit_generator's validation_data: arrays, (x, y) or (x, y, w), or a
// generator or Sequence. An lvalue source is borrowed; a temporary is moved in.
template <class T = float>
class ValidationSource {
 public:
  ValidationSource(ValidationData<T> arrays) : v_(std::move(arrays)) {}  // NOLINT: reads as Keras's
  template <class S>
  requires DataSource<std::remove_cvref_t<S>, T> ValidationSource(S&& s)  // NOLINT
      : v_(std::shared_ptr<detail::source<T>>(detail::make_source<T>(std::forward<S>(s)))) {}

  const ValidationData<T>* arrays() const { return std::get_if<ValidationData<T>>(&v_); }
  detail::source<T>* source() const {
    const auto* p = std::get_if<std::shared_ptr<detail::source<T>>>(&v_);
    return p ? p->get() : nullptr;
  }

 private:
  std::variant<ValidationData<T>, std::shared_ptr<detail::source<T>>> v_;
};

template <class T = float>
struct FitGeneratorOptions {
  // Batches per epoch: a Sequence's size() when unset; required for a generator.
  std::optional<std::size_t> steps_per_epoch = std::nullopt;
  int epochs = 1;   // the final epoch index, as fit's
  int verbose = 1;  // 0 silent, 1 progress bar (counting steps), 2 one line per epoch
  std::vector<CallbackRef> callbacks = {};
  std::optional<ValidationSource<T>> validation_data = std::nullopt;
  // Validation batches: the validation Sequence's size() when unset;
  // required for a validation generator.
  std::optional<std::size_t> validation_steps = std::nullopt;
  ClassWeight class_weight = {};
  std::size_t max_queue_size = 10;
  std::size_t workers = 1;  // 0: the source runs on the calling thread
  bool shuffle = true;      // a Sequence's batch order, each epoch; a generator's is its own
  int initial_epoch = 0;
};

struct EvaluateGeneratorOptions {
  std::optional<std::size_t> steps = std::nullopt;  // a Sequence's size() when unset
  std::size_t max_queue_size = 10;
  std::size_t workers = 1;
  int verbose = 0;
};

struct PredictGeneratorOptions {
  std::optional<std::size_t> steps = std::nullopt;  // a Sequence's size() when unset
  std::size_t max_queue_size = 10;
  std::size_t workers = 1;
  int verbose = 0;
};

}  // namespace ketl
