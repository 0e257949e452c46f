// LSTM<units, rnn{...}, Activation, RecurrentActivation, T>: Keras 2.2.4's
// LSTM (Hochreiter 1997) on (timesteps, features) samples. Gates in Keras's
// order i, f, c, o along the kernels' 4 * units columns:
//   i = ra(x Wi + h Ui + bi)    f = ra(x Wf + h Uf + bf)    o = ra(x Wo + h Uo + bo)
//   c = f * c_prev + i * act(x Wc + h Uc + bc)              h = o * act(c)
// with act = tanh and ra = hard_sigmoid by default, as 2.2.4 (tf.keras: sigmoid).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "ketl/activations.hpp"
#include "ketl/detail/recurrent_core.hpp"
#include "ketl/layer.hpp"
#include "ketl/recurrent.hpp"

namespace ketl {

template <std::size_t Units, rnn Spec = rnn{}, ActivationFunction Act = Tanh,
          ActivationFunction RecAct = HardSigmoid, class T = float>
class LSTM : public detail::recurrent_core<LSTM<Units, Spec, Act, RecAct, T>, Units, 4, 2, Spec, T>,
             public callable_layer<LSTM<Units, Spec, Act, RecAct, T>> {
  static_assert(!Spec.reset_after, "ketl::LSTM: reset_after is GRU's option");
  static_assert(ElementwiseActivation<Act> && ElementwiseActivation<RecAct>,
                "ketl::LSTM: its activations must be elementwise (softmax is not)");
  using core = detail::recurrent_core<LSTM, Units, 4, 2, Spec, T>;
  friend core;

 public:
  using typename core::Options;
  static constexpr std::string_view class_name = "LSTM";
  static constexpr rnn spec = Spec;
  // The same layer with other rnn options (Bidirectional's backward copy).
  template <rnn S>
  using with_spec = LSTM<Units, S, Act, RecAct, T>;

  using core::core;
  // The calls with initial_state (detail/recurrent_core.hpp).
  using core::backward;
  using core::forward;
  LSTM() = default;

  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == 2,
                  "ketl::LSTM takes (timesteps, features) samples: give it a rank-2 shape such "
                  "as Input<8, 8>, or return_sequences = true from the recurrent layer before it");
  }

  template <class In>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t S = In::dims[0], U = Units, G = core::G;
    this->bind(pass, n, S);
    this->draw_masks(pass, n);
    this->project_inputs(x, n, S);
    this->initial_state(n, S);
    T* c_all = this->extra_[0];   // c after the step at time t
    T* tc_all = this->extra_[1];  // act(c)
    const auto& u = this->packed_recurrent(0, 0, G);
    for (std::size_t s = 0; s < S; ++s) {
      const std::size_t t = this->time_of(s, S);
      if (this->step_has_state(s))
        this->add_recurrent_to_gates(n, t, this->recurrent_input(n, t, this->hprev_), u, 0);
      for (std::size_t i = 0; i < n; ++i) {
        T* g = this->gates_ + this->row(i, t, n, G);
        const T* cp = s > 0 ? c_all + this->row(i, this->time_of(s - 1, S), n, U) : this->c0(i);
        detail::simd::zip_update<T>(
            [this](auto& gi, auto& gf, auto& gc, auto& go, const auto& c_prev, auto& c, auto& tc,
                   auto& h) {
              gi = rec_act_.apply(gi);
              gf = rec_act_.apply(gf);
              gc = act_.apply(gc);
              go = rec_act_.apply(go);
              c = gf * c_prev + gi * gc;
              tc = act_.apply(c);
              h = go * tc;
            },
            U, g, g + U, g + 2 * U, g + 3 * U, cp, c_all + this->row(i, t, n, U),
            tc_all + this->row(i, t, n, U), this->state_out(i, s, S, y));
        if (this->skips(i, t)) std::copy_n(cp, U, c_all + this->row(i, t, n, U));
      }
      this->hold_skipped(n, s, S, y);
      this->emit(n, s, S, y);
    }
    this->keep_state(n, S, y, c_all + this->time_of(S - 1, S) * n * U);
  }

  template <class In>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t S = In::dims[0], U = Units, G = core::G;
    this->bind(pass, n, S);
    this->reserve_backward(n, S, dy);
    const auto& ut = this->packed_recurrent_t(0, this->recurrent_transposed(), 0, G);
    const T* c_all = this->extra_[0];
    const T* tc_all = this->extra_[1];
    for (std::size_t s = S; s-- > 0;) {
      const std::size_t t = this->time_of(s, S);
      for (std::size_t i = 0; i < n; ++i) {
        const T* g = this->gates_ + this->row(i, t, n, G);
        T* d = this->dgates_.data() + this->row(i, t, n, G);
        if (this->skips(i, t)) {  // dh and dc go on unchanged
          this->skip_back(i, s, S, dy, d, G);
          continue;
        }
        const T* cp = s > 0 ? c_all + this->row(i, this->time_of(s - 1, S), n, U) : this->c0(i);
        detail::simd::zip_update<T>(
            [this](const auto& gi, const auto& gf, const auto& gc, const auto& go,
                   const auto& c_prev, const auto& tc, const auto& dyv, auto& dh, auto& dc,
                   auto& di, auto& df, auto& dgc, auto& dgo) {
              dh += dyv;
              dc += dh * go * act_.derivative(tc);
              dgo = dh * tc * rec_act_.derivative(go);
              di = dc * gc * rec_act_.derivative(gi);
              df = dc * c_prev * rec_act_.derivative(gf);
              dgc = dc * gi * act_.derivative(gc);
              dc *= gf;  // dL/dc of the step before
            },
            U, g, g + U, g + 2 * U, g + 3 * U, cp, tc_all + this->row(i, t, n, U),
            this->output_grad(i, s, S, dy), this->dh_.data() + i * U, this->dc_.data() + i * U, d,
            d + U, d + 2 * U, d + 3 * U);
      }
      if (this->grad_to_state(s))
        this->back_to_state(n, t, this->dgates_.data(), G, 0, ut, this->dh_.data(), false);
    }
    const bool acc = pass.accumulate_weight_grads;
    this->recurrent_gradient(this->recurrent_inputs(n, S, this->hprev_), this->dgates_.data(), G,
                             n * S, 0, G, acc);
    this->input_gradients(dx, n, S, acc);
  }

 private:
  // unit_forget_bias: the forget gate's block starts at 1.
  void init_bias() {
    if (this->opt_.unit_forget_bias) std::fill_n(this->bias_.data() + Units, Units, T(1));
  }

  Act act_{};
  RecAct rec_act_{};
};

}  // namespace ketl
