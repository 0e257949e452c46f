// The training and test steps of engine::trainer (engine/trainer.hpp):
// forward, each output's fused loss-gradient-metrics pass, the NaN
// guards, backward and the optimizer, on one batch already gathered.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

#include "ketl/denormals.hpp"
#include "ketl/detail/finite.hpp"
#include "ketl/engine/trainer.hpp"

namespace ketl::engine {

// Per output: a mask the output carries after forward, folded into its
// row weights w and denominator denom (engine/output_mask.hpp), which
// the passes and the softmax gradient then read.
template <Network Net>
auto trainer<Net>::fold_masks(std::size_t n, target_ptrs& w, per_output& denom)
    -> std::array<bool, output_count> {
  std::array<bool, output_count> masked{};
  for (std::size_t k = 0; k < output_count; ++k) {
    const T* mask = nullptr;
    if constexpr (requires { net_.output_mask(k); }) mask = net_.output_mask(k);
    if (!mask) continue;
    auto& m = masks_[k];
    m.build(mask, n, output_firsts[k], output_outers[k] / output_firsts[k], w[k], denom[k]);
    w[k] = m.loss_w.data(), denom[k] = m.loss_denom;
    masked[k] = true;
  }
  return masked;
}

// Each output's fused pass; out gets the loss, the outputs' losses and
// every metric value, in metrics_names() order. With grads, each output's
// dL/dy (or dL/dz, fused with its softmax) goes to its output_grad.
// share (data-parallel training): each output's loss and gradient scaled
// to this rank's part of the global batch's (engine/parallel_fit.hpp).
template <Network Net>
void trainer<Net>::output_passes(std::size_t n, const target_ptrs& y, const target_ptrs& w,
                                 const per_output& denom,
                                 const std::array<bool, output_count>& masked, bool grads,
                                 double* out, const per_output* share) {
  auto& c = *compiled_;
  double total = 0;
  for (std::size_t k = 0; k < output_count; ++k) {
    auto& step = *c.outputs[k];
    T* grad = grads && !step.fuses_softmax ? net_.output_grad(k) : nullptr;
    double* vals = c.values[k].data();
    const double part = share ? (*share)[k] : 1.0;
    const double gw = c.loss_weights[k] * part;
    if (!masked[k]) {
      step.pass(net_.output(k), y[k], n, grad, vals, w[k], denom[k], gw);
    } else {
      const auto& m = masks_[k];
      step.pass(net_.output(k), y[k], n, grad, vals, w[k], denom[k], gw, m.metric_w.data(),
                m.metric_denom);
    }
    total += c.loss_weights[k] * vals[0] * part;
    if (output_count > 1) out[1 + k] = vals[0] * part;
    std::copy(vals + 1, vals + c.values[k].size(), out + c.first_value[k]);
  }
  out[0] = total;
}

// Forward, the outputs' passes and backward on n samples, up to the
// weights' gradients: false when there are none to apply. A batch whose
// x is not all finite (x_finite false) makes no step: its loss and
// metrics are NaN, as Keras's would be. A step whose loss, or an output's
// gradient, is not finite makes no update either (Keras would apply it,
// and fill the weights with NaN), so that TerminateOnNaN stops with them
// intact. sync (data-parallel training) runs between the forward pass and
// the outputs' passes, and gives each output's share.
template <Network Net>
template <class Sync>
bool trainer<Net>::forward_backward(const input_ptrs& x, const target_ptrs& y, target_ptrs w,
                                    per_output denom, std::size_t n, double* out, bool x_finite,
                                    Sync&& sync) {
  auto& c = *compiled_;
  if (!x_finite) {
    std::fill(out, out + c.names.size(), std::numeric_limits<double>::quiet_NaN());
    (void)sync(n, w, denom, false);
    return false;
  }
  if (n) net_.forward(x.data(), n, true);
  const auto masked = n ? fold_masks(n, w, denom) : std::array<bool, output_count>{};
  const per_output* share = sync(n, w, denom, true);
  if (!n) {
    std::fill(out, out + c.names.size(), 0.0);
    return true;
  }
  output_passes(n, y, w, denom, masked, true, out, share);
  if (!std::isfinite(out[0])) return false;
  std::array<bool, output_count> before_activation{};
  for (std::size_t k = 0; k < output_count; ++k) {
    auto& step = *c.outputs[k];
    if (step.fuses_softmax) {
      step.softmax_grad(net_.output(k), y[k], n, net_.output_grad(k), w[k], denom[k],
                        c.loss_weights[k] * (share ? (*share)[k] : 1.0));
      before_activation[k] = true;
    }
    // A finite loss can still have an infinite gradient (sqrt at 0 in a
    // custom loss): no update either, and the loss is reported as NaN.
    if (check_numerics_ && !ketl::detail::all_finite(net_.output_grad(k), n * output_size(k))) {
      out[0] = std::numeric_limits<double>::quiet_NaN();
      return false;
    }
  }
  net_.backward(x.data(), n, before_activation);
  return true;
}

// One training step on n samples.
template <Network Net>
void trainer<Net>::train_rows(const input_ptrs& x, const target_ptrs& y, target_ptrs w,
                              per_output denom, std::size_t n, double* out, bool x_finite) {
  const ketl::detail::denormal_scope flush;  // as TensorFlow's kernels run
  const auto alone = [](std::size_t, const target_ptrs&, const per_output&, bool) {
    return static_cast<const per_output*>(nullptr);
  };
  if (forward_backward(x, y, w, denom, n, out, x_finite, alone))
    compiled_->optimizer->step(net_.trainable_weights());
}

template <Network Net>
void trainer<Net>::test_rows(const input_ptrs& x, const target_ptrs& y, target_ptrs w,
                             per_output denom, std::size_t n, double* out) {
  const ketl::detail::denormal_scope flush;
  net_.forward(x.data(), n, false);
  const auto masked = fold_masks(n, w, denom);
  output_passes(n, y, w, denom, masked, false, out);
}

}  // namespace ketl::engine
