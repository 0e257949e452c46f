// GRU<units, rnn{...}, Activation, RecurrentActivation, T>: Keras 2.2.4's
// gated recurrent unit (Cho et al. 2014) on (timesteps, features) samples.
// Gates in Keras's order z (update), r (reset), h (candidate):
//   z = ra(x Wz + h Uz + bz)    r = ra(x Wr + h Ur + br)
//   reset_after = false (2.2.4's default):  hh = act(x Wh + bh + (r * h) Uh)
//   reset_after = true (tf.keras's, CuDNN's): hh = act(x Wh + bh + r * (h Uh + bh'))
//   h = z * h_prev + (1 - z) * hh
// With reset_after the bias is (2, 3 * units): the input bias, then the
// recurrent one (bz', br', bh'), added to h U as Keras does.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ketl/activations.hpp"
#include "ketl/detail/recurrent_core.hpp"
#include "ketl/layer.hpp"
#include "ketl/recurrent.hpp"

namespace ketl {

template <std::size_t Units, rnn Spec = rnn{}, ActivationFunction Act = Tanh,
          ActivationFunction RecAct = HardSigmoid, class T = float>
class GRU : public detail::recurrent_core<GRU<Units, Spec, Act, RecAct, T>, Units, 3, 1, Spec, T>,
            public callable_layer<GRU<Units, Spec, Act, RecAct, T>> {
  static_assert(ElementwiseActivation<Act> && ElementwiseActivation<RecAct>,
                "ketl::GRU: its activations must be elementwise (softmax is not)");
  using core = detail::recurrent_core<GRU, Units, 3, 1, Spec, T>;
  static constexpr bool after = core::reset_after;

 public:
  using typename core::Options;
  static constexpr std::string_view class_name = "GRU";
  static constexpr rnn spec = Spec;
  // The same layer with other rnn options (Bidirectional's backward copy).
  template <rnn S>
  using with_spec = GRU<Units, S, Act, RecAct, T>;

  using core::core;
  // The calls with initial_state (detail/recurrent_core.hpp).
  using core::backward;
  using core::forward;
  GRU() = default;

  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == 2,
                  "ketl::GRU takes (timesteps, features) samples: give it a rank-2 shape such "
                  "as Input<8, 8>, or return_sequences = true from the recurrent layer before it");
  }

  // extra_[0]: r * h_prev (reset before) or h_prev Uh + bh' (reset after).
  template <class In>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t S = In::dims[0], U = Units, G = core::G;
    this->bind(pass, n, S);
    this->draw_masks(pass, n);
    this->project_inputs(x, n, S);
    this->initial_state(n, S);
    T* extra = this->extra_[0];
    const T* hp_all = this->hprev_;
    // The recurrent bias, or zeros.
    const T* rb = after && core::use_bias ? this->bias_.data() + G : nullptr;
    const auto& u_zr = this->packed_recurrent(0, 0, 2 * U);
    const auto& u_h = this->packed_recurrent(1, 2 * U, U);
    for (std::size_t s = 0; s < S; ++s) {
      const std::size_t t = this->time_of(s, S);
      // The state the recurrent products read (through the dropout mask).
      const T* hm = this->recurrent_input(n, t, hp_all);
      if (this->step_has_state(s)) {
        this->add_recurrent_to_gates(n, t, hm, u_zr, 0);
        if constexpr (after) this->add_recurrent(n, hm, u_h, extra + t * n * U, U, false);
      } else if constexpr (after) {
        for (std::size_t i = 0; i < n; ++i) std::fill_n(extra + this->row(i, t, n, U), U, T(0));
      }
      for (std::size_t i = 0; i < n; ++i) {
        T* g = this->gates_ + this->row(i, t, n, G);
        const T* hp = hp_all + this->row(i, t, n, U);
        T* e = extra + this->row(i, t, n, U);
        if constexpr (after) {
          const T* bz = rb ? rb : this->zeros_.data();
          const T* br = rb ? rb + U : this->zeros_.data();
          const T* bh = rb ? rb + 2 * U : this->zeros_.data();
          detail::simd::zip_update<T>(
              [this](auto& z, auto& r, auto& hh, auto& q, const auto& h_prev, auto& h,
                     const auto& b_z, const auto& b_r, const auto& b_h) {
                z = rec_act_.apply(z + b_z);
                r = rec_act_.apply(r + b_r);
                q += b_h;
                hh = act_.apply(hh + r * q);
                h = z * h_prev + (std::remove_cvref_t<decltype(z)>(1) - z) * hh;
              },
              U, g, g + U, g + 2 * U, e, hp, this->state_out(i, s, S, y), bz, br, bh);
        } else {
          detail::simd::zip_update<T>(
              [this](auto& z, auto& r, const auto& h_in, auto& rh) {
                z = rec_act_.apply(z);
                r = rec_act_.apply(r);
                rh = r * h_in;
              },
              U, g, g + U, hm + i * U, e);
        }
      }
      if constexpr (!after) {
        if (this->step_has_state(s))
          this->add_recurrent(n, extra + t * n * U, u_h, this->gates_ + t * n * G + 2 * U, G, true);
        for (std::size_t i = 0; i < n; ++i) {
          T* g = this->gates_ + this->row(i, t, n, G);
          detail::simd::zip_update<T>(
              [this](const auto& z, auto& hh, const auto& h_prev, auto& h) {
                hh = act_.apply(hh);
                h = z * h_prev + (std::remove_cvref_t<decltype(z)>(1) - z) * hh;
              },
              U, g, g + 2 * U, hp_all + this->row(i, t, n, U), this->state_out(i, s, S, y));
        }
      }
      this->hold_skipped(n, s, S, y);
      this->emit(n, s, S, y);
    }
    this->keep_state(n, S, y, nullptr);
  }

  // dgates_ holds dL/d(pre-activation) of the input side (z, r, h); with
  // reset_after, dq_ holds the recurrent side's h block, dL/d(h_prev Uh + bh').
  template <class In>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t S = In::dims[0], U = Units, G = core::G;
    this->bind(pass, n, S);
    this->reserve_backward(n, S, dy);
    const T* rt = this->recurrent_transposed();
    const auto& ut_zr = this->packed_recurrent_t(0, rt, 0, 2 * U);
    const auto& ut_h = this->packed_recurrent_t(1, rt, 2 * U, U);
    const T* extra = this->extra_[0];
    const T* hp_all = this->hprev_;
    T* dg_all = this->dgates_.data();
    T* dh = this->dh_.data();
    T* tmp = this->dc_.data();  // dL/d(r * h_prev) (reset before)
    if constexpr (after) core::grow(dq_, n * S * U);
    for (std::size_t s = S; s-- > 0;) {
      const std::size_t t = this->time_of(s, S);
      // dh: the carried gradient plus the output's; the direct part of
      // dL/dh_prev (z * dh) replaces it in the same pass.
      for (std::size_t i = 0; i < n; ++i) {
        const T* g = this->gates_ + this->row(i, t, n, G);
        T* d = dg_all + this->row(i, t, n, G);
        const T* hp = hp_all + this->row(i, t, n, U);
        if (this->skips(i, t)) {  // dh goes on unchanged; no gate has a gradient
          this->skip_back(i, s, S, dy, d, G);
          if constexpr (after) std::fill_n(dq_.data() + this->row(i, t, n, U), U, T(0));
          continue;
        }
        if constexpr (after)
          detail::simd::zip_update<T>(
              [this](const auto& z, const auto& r, const auto& hh, const auto& q,
                     const auto& h_prev, const auto& dyv, auto& dhv, auto& dz, auto& dr, auto& dhh,
                     auto& dq) {
                const auto dtot = dhv + dyv;
                dhh = dtot * (std::remove_cvref_t<decltype(z)>(1) - z) * act_.derivative(hh);
                dz = dtot * (h_prev - hh) * rec_act_.derivative(z);
                dr = dhh * q * rec_act_.derivative(r);
                dq = dhh * r;
                dhv = dtot * z;
              },
              U, g, g + U, g + 2 * U, extra + this->row(i, t, n, U), hp,
              this->output_grad(i, s, S, dy), dh + i * U, d, d + U, d + 2 * U,
              dq_.data() + this->row(i, t, n, U));
        else
          detail::simd::zip_update<T>(
              [this](const auto& z, const auto& hh, const auto& h_prev, const auto& dyv, auto& dhv,
                     auto& dz, auto& dhh) {
                const auto dtot = dhv + dyv;
                dhh = dtot * (std::remove_cvref_t<decltype(z)>(1) - z) * act_.derivative(hh);
                dz = dtot * (h_prev - hh) * rec_act_.derivative(z);
                dhv = dtot * z;
              },
              U, g, g + 2 * U, hp, this->output_grad(i, s, S, dy), dh + i * U, d, d + 2 * U);
      }
      // What reaches the state through the recurrent products goes to
      // part: dh itself, or through the recurrent dropout mask after.
      const bool masked = this->rec_dropping_;
      T* part = masked ? this->dpart_.data() : dh;
      if constexpr (after) {
        if (this->grad_to_state(s)) {
          this->back_through_recurrent(n, t, dg_all, G, 0, ut_zr, part, !masked);
          this->back_through_recurrent(n, t, dq_.data(), U, 0, ut_h, part, true);
          if (masked) this->add_through_mask(n, part, dh, true);
        }
      } else {
        // dL/d(r * h_in) = dhh . Uh^T, then the reset gate and h_in's share.
        this->back_through_recurrent(n, t, dg_all, G, 2 * U, ut_h, tmp, false);
        const T* hm = this->recurrent_input(n, t, hp_all);
        if (masked) std::fill_n(part, n * U, T(0));
        for (std::size_t i = 0; i < n; ++i) {
          const T* g = this->gates_ + this->row(i, t, n, G);
          T* d = dg_all + this->row(i, t, n, G);
          detail::simd::zip_update<T>(
              [this](const auto& r, const auto& h_in, const auto& drh, auto& p, auto& dr) {
                dr = drh * h_in * rec_act_.derivative(r);
                p += drh * r;
              },
              U, g + U, hm + i * U, tmp + i * U, part + i * U, d + U);
        }
        if (this->grad_to_state(s)) {
          this->back_through_recurrent(n, t, dg_all, G, 0, ut_zr, part, true);
          if (masked) this->add_through_mask(n, part, dh, true);
        }
      }
    }
    const bool acc = pass.accumulate_weight_grads;
    const std::size_t rows = n * S;
    const T* hm_all = this->recurrent_inputs(n, S, hp_all);
    this->recurrent_gradient(hm_all, dg_all, G, rows, 0, 2 * U, acc);
    if constexpr (after) {
      this->recurrent_gradient(hm_all, dq_.data(), U, rows, 2 * U, U, acc);
      if constexpr (core::use_bias) {
        // The recurrent bias: z and r as the input side's, h from dq_.
        T* drb = this->dbias_.data() + G;
        core::column_sums(dg_all, rows, 2 * U, G, drb, acc);
        core::column_sums(dq_.data(), rows, U, U, drb + 2 * U, acc);
      }
    } else {
      this->recurrent_gradient(extra, dg_all + 2 * U, G, rows, 2 * U, U, acc);
    }
    this->input_gradients(dx, n, S, acc);
  }

 private:
  Act act_{};
  RecAct rec_act_{};
  std::vector<T> dq_;
};

}  // namespace ketl
