// A masked output's loss and metrics, as Keras 2.2.4 weighs them
// (weighted_masked_objective): the loss of each sample
// mean_t(l_t * m_t) / mean(m) with the sample weights after it, so the
// batch loss is sum(w * m * l) / (denom * mean(m)), where denom is what the
// unmasked loss divides by; and a plain metric sum(m * v) / sum(m). The
// engine gives the fused pass these row weights (engine/trainer.hpp).
#pragma once

#include <cstddef>
#include <vector>

namespace ketl::engine {

template <class T>
struct masked_weights {
  std::vector<T> loss_w, metric_w;  // per row; they grow once
  double loss_denom = 0, metric_denom = 0;

  // mask: (n, steps), 1 or 0; each step covers `per` rows of the output
  // (rows = n * steps * per). w: the rows' sample weights (null: none),
  // denom: what the unmasked loss divides them by.
  void build(const T* mask, std::size_t n, std::size_t steps, std::size_t per, const T* w,
             double denom) {
    const std::size_t rows = n * steps * per;
    if (loss_w.size() < rows) loss_w.resize(rows), metric_w.resize(rows);
    double kept = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      const T m = mask[r / per];
      metric_w[r] = m;
      loss_w[r] = w ? w[r] * m : m;
      kept += static_cast<double>(m);
    }
    // A batch with every step masked has loss and metrics 0 (Keras 2.2.4:
    // NaN, from 0 / mean(mask) = 0 / 0; docs/keras-differences.md).
    metric_denom = kept;
    const double mean = rows ? kept / double(rows) : 0.0;
    loss_denom = (w ? denom : double(rows)) * mean;
  }
};

}  // namespace ketl::engine
