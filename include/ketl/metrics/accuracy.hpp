// Accuracy metrics (keras/metrics.py), in the DSL, and the "acc" name.
#pragma once

#include <cstddef>

#include "ketl/loss.hpp"

namespace ketl::metrics {

// mean(y_true == (y_pred > threshold)) over the last axis: tf.keras's form.
// Keras 2.2.4 rounds y_pred instead, which differs only outside [0, 1].
struct BinaryAccuracy {
  double threshold = 0.5;
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "binary_accuracy"; }
  auto expression() const {
    using namespace ketl::expr;
    return mean(equal(y_true, cast(y_pred > threshold)));
  }
  KETL_PER_SAMPLE_CALL
};
inline constexpr BinaryAccuracy binary_accuracy{};

// argmax(y_true) == argmax(y_pred); ties pick the first index, as tf.argmax.
struct CategoricalAccuracy {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "categorical_accuracy"; }
  auto expression() const {
    using namespace ketl::expr;
    return equal(argmax(y_true), argmax(y_pred));
  }
  KETL_PER_SAMPLE_CALL
};
inline constexpr CategoricalAccuracy categorical_accuracy{};

// label == argmax(y_pred), for integer labels (N,) or (N, 1).
struct SparseCategoricalAccuracy {
  static constexpr Target target = Target::sparse_labels;
  static constexpr std::string_view name() { return "sparse_categorical_accuracy"; }
  auto expression() const {
    using namespace ketl::expr;
    return equal(sparse_label, argmax(y_pred));
  }
  KETL_PER_SAMPLE_CALL
};
inline constexpr SparseCategoricalAccuracy sparse_categorical_accuracy{};

// Is argmax(y_true) among the k best predictions? Ties count as in.
struct TopKCategoricalAccuracy {
  std::size_t k = 5;
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "top_k_categorical_accuracy"; }
  auto expression() const {
    using namespace ketl::expr;
    return in_top_k(y_pred, argmax(y_true), k);
  }
  KETL_PER_SAMPLE_CALL
};
inline constexpr TopKCategoricalAccuracy top_k_categorical_accuracy{};

struct SparseTopKCategoricalAccuracy {
  std::size_t k = 5;
  static constexpr Target target = Target::sparse_labels;
  static constexpr std::string_view name() { return "sparse_top_k_categorical_accuracy"; }
  auto expression() const {
    using namespace ketl::expr;
    return in_top_k(y_pred, sparse_label, k);
  }
  KETL_PER_SAMPLE_CALL
};
inline constexpr SparseTopKCategoricalAccuracy sparse_top_k_categorical_accuracy{};

// "acc" / "accuracy": compile() resolves it as Keras 2.2.4 does: binary for
// a one-unit output or binary_crossentropy, sparse for a sparse loss,
// categorical otherwise. It is reported as "acc".
struct accuracy_tag {
  static constexpr std::string_view name() { return "acc"; }
};
inline constexpr accuracy_tag accuracy{}, acc{};

// "ce" / "crossentropy": the matching crossentropy, reported as "ce".
struct crossentropy_tag {
  static constexpr std::string_view name() { return "ce"; }
};
inline constexpr crossentropy_tag crossentropy{}, ce{};

}  // namespace ketl::metrics
