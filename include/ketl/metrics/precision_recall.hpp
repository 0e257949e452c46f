// The batch-wise precision, recall, fbeta_score and fmeasure of Keras 1.2.2
// (removed in Keras 2.0; kept here because users ask for them). Each is one
// value for the whole batch, from batch sums of binarised values:
// round(clip(v, 0, 1)) makes v a 0/1 decision.
#pragma once

#include <cmath>

#include "ketl/error.hpp"
#include "ketl/loss.hpp"

namespace ketl::metrics {

namespace detail {
inline auto true_positives() {
  using namespace ketl::expr;
  return batch_sum(round(clip(y_true * y_pred, 0.0, 1.0)));
}
inline auto predicted_positives() {
  using namespace ketl::expr;
  return batch_sum(round(clip(y_pred, 0.0, 1.0)));
}
inline auto possible_positives() {
  using namespace ketl::expr;
  return batch_sum(round(clip(y_true, 0.0, 1.0)));
}
}  // namespace detail

struct Precision {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "precision"; }
  auto expression() const {
    return detail::true_positives() / (detail::predicted_positives() + expr::epsilon());
  }
  KETL_BATCH_VALUE_CALL
};
inline constexpr Precision precision{};

struct Recall {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "recall"; }
  auto expression() const {
    return detail::true_positives() / (detail::possible_positives() + expr::epsilon());
  }
  KETL_BATCH_VALUE_CALL
};
inline constexpr Recall recall{};

// (1 + b^2) p r / (b^2 p + r + eps); 0 when y_true has no positives.
struct FbetaScore {
  double beta = 1.0;
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "fbeta_score"; }
  auto expression() const {
    if (beta < 0)
      throw value_error(
          "ketl: fbeta_score: the lowest choice of beta is zero (higher favours recall)");
    using namespace ketl::expr;
    const auto p = Precision{}.expression();
    const auto r = Recall{}.expression();
    const double bb = beta * beta;
    return where(equal(detail::possible_positives(), 0.0), 0.0,
                 (1.0 + bb) * p * r / (bb * p + r + epsilon()));
  }
  KETL_BATCH_VALUE_CALL
};
inline constexpr FbetaScore fbeta_score{};

struct Fmeasure {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "fmeasure"; }
  auto expression() const { return FbetaScore{1.0}.expression(); }
  KETL_BATCH_VALUE_CALL
};
inline constexpr Fmeasure fmeasure{}, fscore{}, f1score{};

}  // namespace ketl::metrics
