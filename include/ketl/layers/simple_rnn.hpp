// SimpleRNN<units, rnn{...}, Activation, T>: Keras's fully connected
// recurrence on (timesteps, features) samples, h = act(x W + h_prev U + b),
// act = tanh by default.
#pragma once

#include <cstddef>
#include <string_view>

#include "ketl/activations.hpp"
#include "ketl/detail/recurrent_core.hpp"
#include "ketl/layer.hpp"
#include "ketl/recurrent.hpp"

namespace ketl {

template <std::size_t Units, rnn Spec = rnn{}, ActivationFunction Act = Tanh, class T = float>
class SimpleRNN
    : public detail::recurrent_core<SimpleRNN<Units, Spec, Act, T>, Units, 1, 0, Spec, T>,
      public callable_layer<SimpleRNN<Units, Spec, Act, T>> {
  static_assert(!Spec.reset_after, "ketl::SimpleRNN: reset_after is GRU's option");
  static_assert(ElementwiseActivation<Act>,
                "ketl::SimpleRNN: its activation must be elementwise (softmax is not)");
  using core = detail::recurrent_core<SimpleRNN, Units, 1, 0, Spec, T>;

 public:
  using typename core::Options;
  static constexpr std::string_view class_name = "SimpleRNN";
  static constexpr rnn spec = Spec;
  // The same layer with other rnn options (Bidirectional's backward copy).
  template <rnn S>
  using with_spec = SimpleRNN<Units, S, Act, T>;

  using core::core;
  // The calls with initial_state (detail/recurrent_core.hpp).
  using core::backward;
  using core::forward;
  SimpleRNN() = default;

  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == 2,
                  "ketl::SimpleRNN takes (timesteps, features) samples: give it a rank-2 shape "
                  "such as Input<8, 8>, or return_sequences = true from the recurrent layer "
                  "before it");
  }

  template <class In>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t S = In::dims[0], U = Units;
    this->bind(pass, n, S);
    this->draw_masks(pass, n);
    this->project_inputs(x, n, S);
    this->initial_state(n, S);
    const auto& u = this->packed_recurrent(0, 0, U);
    for (std::size_t s = 0; s < S; ++s) {
      const std::size_t t = this->time_of(s, S);
      if (this->step_has_state(s))
        this->add_recurrent_to_gates(n, t, this->recurrent_input(n, t, this->hprev_), u, 0);
      for (std::size_t i = 0; i < n; ++i)
        detail::simd::zip_update<T>(
            [this](auto& a, auto& h) {
              a = act_.apply(a);
              h = a;
            },
            U, this->gates_ + this->row(i, t, n, U), this->state_out(i, s, S, y));
      this->hold_skipped(n, s, S, y);
      this->emit(n, s, S, y);
    }
    this->keep_state(n, S, y, nullptr);
  }

  template <class In>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t S = In::dims[0], U = Units;
    this->bind(pass, n, S);
    this->reserve_backward(n, S, dy);
    const auto& ut = this->packed_recurrent_t(0, this->recurrent_transposed(), 0, U);
    for (std::size_t s = S; s-- > 0;) {
      const std::size_t t = this->time_of(s, S);
      for (std::size_t i = 0; i < n; ++i) {
        T* d = this->dgates_.data() + this->row(i, t, n, U);
        if (this->skips(i, t)) {
          this->skip_back(i, s, S, dy, d, U);
          continue;
        }
        detail::simd::zip_update<T>([this](const auto& h, const auto& dyv, const auto& dh,
                                           auto& dz) { dz = (dh + dyv) * act_.derivative(h); },
                                    U, this->gates_ + this->row(i, t, n, U),
                                    this->output_grad(i, s, S, dy), this->dh_.data() + i * U, d);
      }
      if (this->grad_to_state(s))
        this->back_to_state(n, t, this->dgates_.data(), U, 0, ut, this->dh_.data(), false);
    }
    const bool acc = pass.accumulate_weight_grads;
    this->recurrent_gradient(this->recurrent_inputs(n, S, this->hprev_), this->dgates_.data(), U,
                             n * S, 0, U, acc);
    this->input_gradients(dx, n, S, acc);
  }

 private:
  Act act_{};
};

}  // namespace ketl
