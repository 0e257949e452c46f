// What SimpleRNN, LSTM and GRU share: the weights in Keras's layout, the
// input-to-hidden projection of every timestep as one GEMM, the step order
// (go_backwards), and the weight and input gradients after backpropagation
// through time as whole-sequence GEMMs. Each cell's own file has only its
// per-step work: the recurrent product and the gates.
//
// What backward needs from forward lives in the call's scratch (so a shared
// layer's calls keep theirs apart), time-major, (T, N, width), so that a
// step's rows are one contiguous block for its GEMMs and its gate pass (an
// epoch's time measured the same as with batch-major buffers, within noise):
//   gates_  (T, N, G*U)  pre-activations, then the gates' values in place
//   hprev_  (T, N, U)    the state the step at time t started from
//   extra_  (T, N, U)    each a cell's own (LSTM: c and act(c))
//   x_tm_   (T, N, F)    the input, time-major, for the projection and dW
// The step s reads time t = s, or T-1-s going backwards; its output goes
// to position s of the returned sequence, as Keras's.
//
// A masked input (detail/masking.hpp) has padding steps: a sample skips
// them, keeping its state (h, and LSTM's c) and giving the state before as
// the step's output (Keras 2.2.4's K.rnn with a mask). In backward its
// gradient passes such a step unchanged, with no gate gradient.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ketl/activations.hpp"
#include "ketl/detail/bias_activation.hpp"
#include "ketl/detail/gemm.hpp"
#include "ketl/detail/recurrent_call.hpp"
#include "ketl/detail/simd.hpp"
#include "ketl/error.hpp"
#include "ketl/initializers.hpp"
#include "ketl/layer.hpp"
#include "ketl/recurrent.hpp"
#include "ketl/shape.hpp"

namespace ketl::detail {

template <class Derived, std::size_t Units, std::size_t Gates, std::size_t Extra, rnn Spec, class T>
class recurrent_core {
  static_assert(Units > 0, "ketl: a recurrent layer needs at least one unit");
  static_assert(std::is_floating_point_v<T>,
                "ketl: a recurrent layer's element type must be floating point");

 public:
  using value_type = T;
  static constexpr std::size_t units = Units;
  static constexpr std::size_t G = Gates * Units;  // the kernels' width
  // Constants first: clang 14 misreads a class-type template argument's
  // members at run time.
  static constexpr bool return_sequences = Spec.return_sequences;
  static constexpr bool go_backwards = Spec.go_backwards;
  static constexpr bool use_bias = Spec.use_bias;
  static constexpr bool reset_after = Spec.reset_after;
  static constexpr bool stateful = Spec.stateful;
  // Masks: a masked input's padding steps are skipped; the mask goes on
  // with the returned sequence.
  static constexpr bool supports_masking = true;
  static constexpr bool keeps_mask = return_sequences;
  // States carried between batches: h, and LSTM's c.
  static constexpr std::size_t state_count = Extra == 2 ? 2 : 1;
  // return_state: a call gives the output, then each state (models/node.hpp
  // splits the call's node into one node per output).
  static constexpr bool return_state = Spec.return_state;
  static constexpr std::size_t output_count = return_state ? 1 + state_count : 1;
  // GRU's reset_after keeps a second, recurrent bias.
  static constexpr std::size_t bias_size = use_bias ? (reset_after ? 2 * G : G) : 0;

  using Options = recurrent_options;
  recurrent_core() = default;
  explicit recurrent_core(Options o) : opt_(std::move(o)) {}

  template <class In>
  using call = rnn_call<In, Units, state_count>;
  template <class In>
  using seq_of = typename call<In>::seq;

  template <class In>
  static constexpr bool accepts = call<In>::fits;
  // The output (its last step, or every step), and with return_state the
  // states after it, each a block of its own in the call's buffer: (N,
  // output), then (N, units) per state. output_part<In, k> is part k.
  template <class In>
  using main_output =
      std::conditional_t<return_sequences, Shape<seq_of<In>::dims[0], Units>, Shape<Units>>;
  template <class In>
  using output_shape =
      std::conditional_t<return_state, Shape<main_output<In>::size + state_count * Units>,
                         main_output<In>>;
  template <class In, std::size_t K>
  using output_part = std::conditional_t<K == 0, main_output<In>, Shape<Units>>;
  template <class In, std::size_t K>
  static constexpr std::size_t output_offset = K == 0 ? 0 : main_output<In>::size + (K - 1) * Units;
  template <class In>
  static constexpr std::size_t param_count =
      seq_of<In>::dims[seq_of<In>::rank - 1] * G + Units* G + bias_size;
  template <class In>
  static constexpr std::size_t scratch_per_sample =
      seq_of<In>::dims[0] * (G + Units * (1 + Extra) + seq_of<In>::dims[seq_of<In>::rank - 1]) +
      (stateful || call<In>::with_states ? Units : 0) +  // LSTM's initial c
      seq_of<In>::dims[seq_of<In>::rank - 1] + Units;    // the dropout masks

  template <class In>
  void build(Random& rng) {
    for (const float rate : {opt_.dropout, opt_.recurrent_dropout})
      if (!(rate >= 0.0f && rate < 1.0f))
        throw value_error("ketl::" + std::string(Derived::class_name) +
                          ": dropout and recurrent_dropout must be in [0, 1), got " +
                          std::to_string(rate));
    constexpr std::size_t F = seq_of<In>::dims[1];
    features_ = F;
    kernel_.assign(F * G, T(0));
    recurrent_.assign(Units * G, T(0));
    bias_.assign(bias_size, T(0));
    dkernel_.assign(F * G, T(0));
    drecurrent_.assign(Units * G, T(0));
    dbias_.assign(bias_size, T(0));
    opt_.kernel_initializer.fill(std::span<T>(kernel_), F, G, rng);
    opt_.recurrent_initializer.fill(std::span<T>(recurrent_), Units, G, rng);
    if constexpr (use_bias) {
      opt_.bias_initializer.fill(std::span<T>(bias_), bias_size, bias_size, rng);
      static_cast<Derived&>(*this).init_bias();
    }
  }

  template <class Fn>
  void for_each_weight(Fn&& f) {
    f(WeightRef<T>{"kernel", kernel_, dkernel_, {features_, G}});
    f(WeightRef<T>{"recurrent_kernel", recurrent_, drecurrent_, {Units, G}});
    if constexpr (use_bias) {
      if constexpr (reset_after)
        f(WeightRef<T>{"bias", bias_, dbias_, {2, G}});
      else
        f(WeightRef<T>{"bias", bias_, dbias_, {G}});
    }
  }

  // Keras's initial_state: called on the sequence and its initial states,
  // xs = {x, h0, c0}. The states' gradients go to dxs[1], dxs[2].
  template <class In>
  requires call<In>::with_states void forward(const T* const* xs, T* y, std::size_t n,
                                              Pass<T>& pass) {
    init_ = {xs[1], state_count == 2 ? xs[2] : nullptr};
    static_cast<Derived&>(*this).template forward<seq_of<In>>(xs[0], y, n, pass);
    init_ = {};
  }
  template <class In>
  requires call<In>::with_states void backward(const T* const* xs, const T* y, T* dy, T* const* dxs,
                                               std::size_t n, Pass<T>& pass) {
    init_ = {xs[1], state_count == 2 ? xs[2] : nullptr};
    static_cast<Derived&>(*this).template backward<seq_of<In>>(xs[0], y, dy, dxs[0], n, pass);
    init_ = {};
    // After step 0's backward, dh_ and dc_ hold dL/dh0 and dL/dc0.
    if (dxs[1]) std::copy_n(dh_.data(), n * Units, dxs[1]);
    if constexpr (state_count == 2)
      if (dxs[2]) std::copy_n(dc_.data(), n * Units, dxs[2]);
  }

  std::span<T> kernel() { return kernel_; }
  std::span<T> recurrent_kernel() { return recurrent_; }
  std::span<T> bias() { return bias_; }

  // Keras's layer.reset_states(): the next batch starts from zeros.
  void reset_states() {
    for (auto& s : states_) std::fill(s.begin(), s.end(), T(0));
  }
  // Keras's reset_states(states): the carried states given, h then LSTM's c,
  // each (batch, units) row-major; checked before any is set.
  void reset_states(const std::vector<std::vector<T>>& values) {
    const std::string who = "ketl: reset_states on " + std::string(Derived::class_name);
    if (!stateful) throw value_error(who + ": Layer must be stateful.");
    if (values.size() != state_count)
      throw value_error(who + ": it expects " + std::to_string(state_count) +
                        " states, but it received " + std::to_string(values.size()));
    for (const auto& v : values)
      if (v.empty() || v.size() % Units != 0 || v.size() != values[0].size())
        throw value_error(who + ": each state is (batch, " + std::to_string(Units) +
                          "), the same batch for all; got " + std::to_string(v.size()) + " values");
    for (std::size_t k = 0; k < state_count; ++k) states_[k] = values[k];
  }
  // The carried state k (h, then LSTM's c), (batch, units); empty before
  // the first batch and in a layer that is not stateful.
  std::span<const T> states(std::size_t k = 0) const { return states_[k]; }
  std::string_view name() const { return opt_.name; }
  const Options& options() const { return opt_; }

 protected:
  // A cell's change to the initialised bias (LSTM's unit_forget_bias).
  void init_bias() {}

  // The input time of step s.
  static constexpr std::size_t time_of(std::size_t s, std::size_t steps) {
    return go_backwards ? steps - 1 - s : s;
  }

  // The call's buffers in its scratch (forward and backward both bind
  // them), and whether its training pass drops units.
  void bind(const Pass<T>& pass, std::size_t n, std::size_t steps) {
    const std::size_t rows = n * steps;
    n_ = n;
    steps_ = steps;
    mask_ = pass.mask;
    gates_ = pass.scratch;
    hprev_ = gates_ + rows * G;
    for (std::size_t k = 0; k < Extra; ++k) extra_[k] = hprev_ + rows * Units * (k + 1);
    x_tm_ = hprev_ + rows * Units * (Extra + 1);
    T* p = x_tm_ + rows * features_;
    if (zeros_.size() < Units) zeros_.assign(Units, T(0));
    c0_ = zeros_.data();
    if (stateful || init_[0]) c0_ = std::exchange(p, p + n * Units);
    xmask_ = p;
    hmask_ = p + n * features_;
    dropping_ = pass.training && opt_.dropout > 0.0f;
    rec_dropping_ = pass.training && opt_.recurrent_dropout > 0.0f;
  }
  // Forward's masks, kept for backward: 0, or 1 / (1 - rate) (Keras's
  // K.dropout of ones), per sample and unit, the same at every step.
  void draw_masks(Pass<T>& pass, std::size_t n) {
    auto draw = [&](T* m, std::size_t count, float rate) {
      const T scale = T(1) / (T(1) - T(rate));
      pass.rng->block(count,
                      [&](std::size_t i) { m[i] = pass.rng->uniform() >= rate ? scale : T(0); });
    };
    if (dropping_) draw(xmask_, n * features_, opt_.dropout);
    if (rec_dropping_) draw(hmask_, n * Units, opt_.recurrent_dropout);
  }
  // The state step t's recurrent products read: hprev(t), or hprev(t)
  // times the recurrent dropout mask.
  const T* recurrent_input(std::size_t n, std::size_t t, const T* h_all) {
    const T* h = h_all + t * n * Units;
    if (!rec_dropping_) return h;
    grow(hm_, n * Units);
    for (std::size_t i = 0; i < n * Units; ++i) hm_[i] = h[i] * hmask_[i];
    return hm_.data();
  }
  // Every step's recurrent_input, for the recurrent kernel's gradient.
  const T* recurrent_inputs(std::size_t n, std::size_t steps, const T* h_all) {
    if (!rec_dropping_) return h_all;
    grow(hm_all_, steps * n * Units);
    for (std::size_t t = 0; t < steps; ++t)
      for (std::size_t i = 0; i < n * Units; ++i)
        hm_all_[t * n * Units + i] = h_all[t * n * Units + i] * hmask_[i];
    return hm_all_.data();
  }
  // dh (+)= part, through the recurrent dropout mask: the gradient that
  // reached the state through the recurrent products.
  void add_through_mask(std::size_t n, const T* part, T* dh, bool accumulate) const {
    for (std::size_t i = 0; i < n * Units; ++i) {
      const T v = rec_dropping_ ? part[i] * hmask_[i] : part[i];
      dh[i] = accumulate ? dh[i] + v : v;
    }
  }
  // Whether sample i skips input time t (a padding step of a masked input).
  bool skips(std::size_t i, std::size_t t) const { return mask_ && mask_[i * steps_ + t] == T(0); }
  // Forward, after step s's gate pass: each sample that skips the step keeps
  // the state it started from (before emit() copies it to the output).
  void hold_skipped(std::size_t n, std::size_t s, std::size_t steps, T* y) {
    if (!mask_) return;
    const std::size_t t = time_of(s, steps);
    for (std::size_t i = 0; i < n; ++i)
      if (skips(i, t)) std::copy_n(hprev_ + row(i, t, n_, Units), Units, state_out(i, s, steps, y));
  }
  // Backward of a skipped step: dL/dh goes on to the step before with the
  // output's gradient added (the step's output is that state); its gate
  // row, width values from d, has no gradient.
  void skip_back(std::size_t i, std::size_t s, std::size_t steps, const T* dy, T* d,
                 std::size_t width) {
    T* dh = dh_.data() + i * Units;
    const T* g = output_grad(i, s, steps, dy);
    for (std::size_t u = 0; u < Units; ++u) dh[u] += g[u];
    std::fill_n(d, width, T(0));
  }
  // The backward buffers: dgates_ and the carried dL/dh (and dL/dc),
  // which start from the returned states' gradients (return_state).
  void reserve_backward(std::size_t n, std::size_t steps, const T* dy) {
    grow(dgates_, n * steps * G);
    dh_.assign(n * Units, T(0));
    dc_.assign(n * Units, T(0));
    grow(dpart_, n * Units);
    if constexpr (return_state) {
      const T* g = dy + n * (return_sequences ? steps * Units : Units);
      std::copy_n(g, n * Units, dh_.data());
      if constexpr (state_count == 2) std::copy_n(g + n * Units, n * Units, dc_.data());
    }
  }

  // The first step's state: the call's initial_state, a stateful layer's
  // carried state (zeros for a batch of another size, as after
  // reset_states()), or zeros.
  void initial_state(std::size_t n, std::size_t steps) {
    T* h0 = hprev_ + time_of(0, steps) * n * Units;
    for (std::size_t k = 0; k < state_count; ++k) {
      T* to = k == 0 ? h0 : c0_;
      if (init_[0])
        std::copy_n(init_[k], n * Units, to);
      else if (stateful && states_[k].size() == n * Units)
        std::copy(states_[k].begin(), states_[k].end(), to);
      else if (k == 0 || stateful)
        std::fill_n(to, n * Units, T(0));
    }
  }
  // Sample i's initial c (LSTM): given, carried, or zeros.
  const T* c0(std::size_t i) const {
    return stateful || init_[0] ? c0_ + i * Units : zeros_.data();
  }
  // Whether step 0 has a recurrent product: only a given or carried state
  // is not zero.
  bool step_has_state(std::size_t s) const { return s > 0 || stateful || init_[0]; }
  // Whether backward takes dL/dh through step s's recurrent product: at
  // step 0 only for a given initial_state (a carried state's gradient
  // stops there, truncated backpropagation through time).
  bool grad_to_state(std::size_t s) const { return s > 0 || init_[0]; }
  // A stateful layer keeps the last step's h (the output's last step) and
  // LSTM's c for the next batch.
  // With return_state, the states after the last step also go to their
  // blocks of the output, after the (N, output) block.
  void keep_state(std::size_t n, std::size_t steps, T* y, const T* c_last) {
    if constexpr (return_state) {
      const std::size_t main = return_sequences ? steps * Units : Units;
      T* h = y + n * main;
      for (std::size_t i = 0; i < n; ++i)
        std::copy_n(y + (return_sequences ? i * steps + steps - 1 : i) * Units, Units,
                    h + i * Units);
      if constexpr (state_count == 2) std::copy_n(c_last, n * Units, h + n * Units);
    }
    if constexpr (stateful) {
      states_[0].resize(n * Units);
      for (std::size_t i = 0; i < n; ++i)
        std::copy_n(y + (return_sequences ? i * steps + steps - 1 : i) * Units, Units,
                    states_[0].data() + i * Units);
      if constexpr (state_count == 2) states_[1].assign(c_last, c_last + n * Units);
    }
  }
  // Where sample i's state after step s goes: the next step's hprev_ row,
  // or, after the last step, the output.
  T* state_out(std::size_t i, std::size_t s, std::size_t steps, T* y) {
    if (s + 1 < steps) return hprev_ + row(i, time_of(s + 1, steps), n_, Units);
    return y + (return_sequences ? i * steps + s : i) * Units;
  }
  // The returned sequence also keeps every step's state.
  void emit(std::size_t n, std::size_t s, std::size_t steps, T* y) {
    if constexpr (return_sequences)
      if (s + 1 < steps)
        for (std::size_t i = 0; i < n; ++i)
          std::copy_n(state_out(i, s, steps, y), Units, y + (i * steps + s) * Units);
  }
  // dL/dh of step s from the output (zeros where the output skips it).
  const T* output_grad(std::size_t i, std::size_t s, std::size_t steps, const T* dy) const {
    if constexpr (return_sequences) return dy + (i * steps + s) * Units;
    return s + 1 == steps ? dy + i * Units : zeros_.data();
  }
  // Offset of sample i at time t in a (T, N, width) buffer of n samples.
  static constexpr std::size_t row(std::size_t i, std::size_t t, std::size_t n, std::size_t width) {
    return (t * n + i) * width;
  }

  // gates_ = x . kernel + bias for every (step, sample) row: the input made
  // time-major, then one GEMM.
  void project_inputs(const T* x, std::size_t n, std::size_t steps) {
    const std::size_t F = features_;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < steps; ++t) {
        const T* from = x + (i * steps + t) * F;
        T* to = x_tm_ + row(i, t, n, F);
        if (dropping_)
          for (std::size_t f = 0; f < F; ++f) to[f] = from[f] * xmask_[i * F + f];
        else
          std::copy_n(from, F, to);
      }
    const std::size_t rows = n * steps;
    if constexpr (use_bias)
      gemm_parallel(rows, G, F, x_tm_, F, std::size_t{1}, kernel_.data(), G, gates_, G, false,
                    bias_activation<Linear, T>{bias_.data(), {}});
    else
      gemm_parallel(rows, G, F, x_tm_, F, std::size_t{1}, kernel_.data(), G, gates_, G, false);
  }

  // The recurrent kernel's column blocks [c0, c0 + cols) the steps read,
  // packed once per pass; block b is packed_[b] (GRU reads two blocks).
  const packed_b<T>& packed_recurrent(std::size_t b, std::size_t c0, std::size_t cols) {
    packed_[b].pack(recurrent_.data() + c0, Units, cols, G);
    return packed_[b];
  }
  // The same for the transposed kernel's row blocks [r0, r0 + rows).
  const packed_b<T>& packed_recurrent_t(std::size_t b, const T* rt, std::size_t r0,
                                        std::size_t rows) {
    packed_t_[b].pack(rt + r0 * Units, rows, Units, Units);
    return packed_t_[b];
  }

  // out (n rows, stride out_ld) (+)= h (n rows of Units)
  // . recurrent_kernel[:, c0, c0 + cols), packed.
  void add_recurrent(std::size_t n, const T* h, const packed_b<T>& u, T* out, std::size_t out_ld,
                     bool accumulate) {
    gemm_parallel(n, h, Units, std::size_t{1}, u, out, out_ld, accumulate);
  }
  // The step's gate rows (time t), from column c0, += h . u.
  void add_recurrent_to_gates(std::size_t n, std::size_t t, const T* h, const packed_b<T>& u,
                              std::size_t c0) {
    add_recurrent(n, h, u, gates_ + t * n * G + c0, G, true);
  }
  // dh (n, Units) (+)= dz(t)[:, c0, c0 + rows of ut) . ut, dz a (T, N, ld)
  // buffer and ut packed rows of recurrent_kernel^T.
  void back_through_recurrent(std::size_t n, std::size_t t, const T* dz, std::size_t ld,
                              std::size_t c0, const packed_b<T>& ut, T* dh, bool accumulate) {
    gemm_parallel(n, dz + t * n * ld + c0, ld, std::size_t{1}, ut, dh, Units, accumulate);
  }

  // dh (+)= dz(t)[:, c0, ...) . ut, through the recurrent dropout mask: the
  // gradient that reaches the state through the recurrent product.
  // A sample that skipped step t keeps its dh (its gate row is zero).
  void back_to_state(std::size_t n, std::size_t t, const T* dz, std::size_t ld, std::size_t c0,
                     const packed_b<T>& ut, T* dh, bool accumulate) {
    const bool hold = mask_ && !accumulate;
    if (hold) {
      grow(held_, n * Units);
      std::copy_n(dh, n * Units, held_.data());
    }
    if (!rec_dropping_) {
      back_through_recurrent(n, t, dz, ld, c0, ut, dh, accumulate);
    } else {
      back_through_recurrent(n, t, dz, ld, c0, ut, dpart_.data(), false);
      add_through_mask(n, dpart_.data(), dh, accumulate);
    }
    if (hold)
      for (std::size_t i = 0; i < n; ++i)
        if (skips(i, t)) std::copy_n(held_.data() + i * Units, Units, dh + i * Units);
  }

  // After the steps of backward: the gradients of the kernel and bias from
  // dgates_, and dx (batch-major again).
  void input_gradients(T* dx, std::size_t n, std::size_t steps, bool acc) {
    const std::size_t F = features_, rows = n * steps;
    gemm_parallel(F, G, rows, x_tm_, std::size_t{1}, F, dgates_.data(), G, dkernel_.data(), G, acc);
    if constexpr (use_bias) column_sums(dgates_.data(), rows, G, G, dbias_.data(), acc);
    if (dx) {
      grow(dx_tm_, rows * F);
      gemm_bt_parallel(rows, F, G, dgates_.data(), G, std::size_t{1}, kernel_.data(), G,
                       dx_tm_.data(), F, false);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t t = 0; t < steps; ++t) {
          const T* from = dx_tm_.data() + row(i, t, n, F);
          T* to = dx + (i * steps + t) * F;
          if (dropping_)
            for (std::size_t f = 0; f < F; ++f) to[f] = from[f] * xmask_[i * F + f];
          else
            std::copy_n(from, F, to);
        }
    }
  }
  void recurrent_gradient(const T* h, const T* dz, std::size_t dz_ld, std::size_t rows,
                          std::size_t c0, std::size_t cols, bool acc) {
    gemm_parallel(Units, cols, rows, h, std::size_t{1}, Units, dz, dz_ld, drecurrent_.data() + c0,
                  G, acc);
  }
  // recurrent_kernel^T, (G, Units), for dh = dz . recurrent_kernel^T.
  const T* recurrent_transposed() {
    grow(recurrent_t_, Units * G);
    transpose(recurrent_.data(), Units, G, recurrent_t_.data());
    return recurrent_t_.data();
  }

  // out[c] (+)= sum over rows of a[r, c].
  static void column_sums(const T* a, std::size_t rows, std::size_t cols, std::size_t lda, T* out,
                          bool acc) {
    if (!acc) std::fill(out, out + cols, T(0));
    for (std::size_t r = 0; r < rows; ++r) {
      const T* row = a + r * lda;
      T* o = out;
      simd::zip_update<T>([](auto& s, const auto& v) { s += v; }, cols, o, row);
    }
  }

  static void grow(std::vector<T>& v, std::size_t n) {
    if (v.size() < n) v.resize(n);
  }

  Options opt_{};
  std::array<const T*, 2> init_{};  // a call's initial_state (h, c), or nulls
  std::size_t features_ = 0;
  std::vector<T> kernel_, recurrent_, bias_, dkernel_, drecurrent_, dbias_;
  std::vector<T> recurrent_t_, dgates_, dx_tm_, zeros_, dh_, dc_, dpart_;
  std::vector<T> hm_, hm_all_;  // the state through the recurrent dropout mask
  std::vector<T> held_;         // backward: dh of the samples that skip a step
  // The bound call's buffers, in its scratch.
  std::size_t n_ = 0, steps_ = 0;
  const T* mask_ = nullptr;  // the input's mask, (n, steps), or null
  T* gates_ = nullptr;
  T* hprev_ = nullptr;
  T* x_tm_ = nullptr;
  std::array<T*, Extra + 1> extra_{};  // Extra used; one more so that a size of 0 is valid
  T* c0_ = nullptr;                    // LSTM's initial c: the carried one, or zeros
  T* xmask_ = nullptr;                 // (n, F) input dropout mask
  T* hmask_ = nullptr;                 // (n, Units) recurrent dropout mask
  bool dropping_ = false, rec_dropping_ = false;
  std::array<std::vector<T>, state_count> states_;  // a stateful layer's, between batches
  std::array<packed_b<T>, 2> packed_, packed_t_;
};

}  // namespace ketl::detail
