// Bidirectional<RNN, merge_mode, Backward>: Keras's wrapper that runs a
// recurrent layer over the sequence both ways and merges the two outputs.
//
//   ketl::Bidirectional<ketl::LSTM<64>>{}                        (T, F) -> (128)
//   ketl::Bidirectional<ketl::GRU<32, ketl::rnn{.return_sequences = true}>,
//                       ketl::merge_mode::sum>{}                 (T, F) -> (T, 32)
//
// As Keras 2.2.4's: the backward layer is a copy of the forward one with
// go_backwards flipped (same options, its own weights drawn after the
// forward's), unless a Backward layer type is given. With
// return_sequences, the backward output is reversed in time before the
// merge, so that step t of both is input step t. Merges: concat (forward
// first, along the last axis), sum, mul, ave, and none (the two outputs
// apart). The weights are the forward layer's, then the backward's, named
// forward_<layer>/kernel, ... as Keras names them. Called on its sequence
// and more nodes, it starts from them (Keras's initial_state): the forward
// layer's states, then the backward's.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ketl/detail/layer_names.hpp"
#include "ketl/detail/recurrent_call.hpp"
#include "ketl/layer.hpp"
#include "ketl/recurrent.hpp"
#include "ketl/shape.hpp"

namespace ketl {

// none: Keras's merge_mode=None, the two directions as two outputs.
enum class merge_mode { concat, sum, mul, ave, none };

namespace detail {
template <class L>
concept recurrent_layer = requires {
  { L::spec } -> std::convertible_to<rnn>;
  { L::units } -> std::convertible_to<std::size_t>;
};

// L with go_backwards flipped: Keras's default backward layer.
template <class L>
struct reversed_rnn {
  using type = L;  // not a recurrent layer: Bidirectional's check says so
};
template <recurrent_layer L>
struct reversed_rnn<L> {
  static constexpr rnn flip() {
    rnn s = L::spec;
    s.go_backwards = !s.go_backwards;
    return s;
  }
  using type = typename L::template with_spec<flip()>;
};

// A layer's rnn options and units; defaults for a layer that has none, so
// that only Bidirectional's own check reports it.
template <class L>
constexpr rnn spec_of() {
  if constexpr (recurrent_layer<L>)
    return L::spec;
  else
    return rnn{};
}
template <class L>
constexpr std::size_t units_of() {
  if constexpr (recurrent_layer<L>)
    return L::units;
  else
    return 1;
}
// The states a layer has (h, and LSTM's c), else 0.
template <class L>
constexpr std::size_t states_of() {
  if constexpr (recurrent_layer<L>)
    return L::state_count;
  else
    return 0;
}
// The states a layer returns (return_state: h, and LSTM's c), else 0.
template <class L>
constexpr std::size_t returned_states() {
  if constexpr (recurrent_layer<L>)
    return L::spec.return_state ? L::state_count : 0;
  else
    return 0;
}

// The first thing wrong with a Bidirectional, alone.
template <class F, class B, merge_mode M>
constexpr bool check_bidirectional() {
  if constexpr (!recurrent_layer<F>) {
    static_assert(recurrent_layer<F>,
                  "ketl::Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, GRU)");
    return false;
  } else if constexpr (!recurrent_layer<B>) {
    static_assert(recurrent_layer<B>,
                  "ketl::Bidirectional: its backward layer must be a recurrent layer too");
    return false;
  } else {
    static_assert(std::is_same_v<typename F::value_type, typename B::value_type>,
                  "ketl::Bidirectional: its two layers must have the same element type");
    static_assert(F::spec.go_backwards != B::spec.go_backwards,
                  "ketl::Bidirectional: its backward layer must read the other way "
                  "(go_backwards opposite to the forward layer's)");
    static_assert(F::spec.return_sequences == B::spec.return_sequences,
                  "ketl::Bidirectional: both layers must return sequences, or neither");
    static_assert(F::spec.return_state == B::spec.return_state,
                  "ketl::Bidirectional: both layers must return their states, or neither");
    static_assert(M == merge_mode::concat || M == merge_mode::none || F::units == B::units,
                  "ketl::Bidirectional: merge_mode sum, mul and ave need both layers to have "
                  "the same units (concat joins any two)");
    return true;
  }
}
}  // namespace detail

template <class Forward, merge_mode Mode = merge_mode::concat,
          class Backward = typename detail::reversed_rnn<Forward>::type>
class Bidirectional : public callable_layer<Bidirectional<Forward, Mode, Backward>> {
  static_assert(detail::check_bidirectional<Forward, Backward, Mode>());
  // Its call (its sequence, or its sequence and initial states) and its
  // two layers' calls.
  template <class In>
  using call =
      detail::bidirectional_call<In, detail::states_of<Forward>(), detail::states_of<Backward>()>;
  template <class In>
  using seq_of = typename call<In>::seq;
  template <class In>
  using fwd_of = typename call<In>::fwd;
  template <class In>
  using bwd_of = typename call<In>::bwd;
  template <class L, class In>
  static constexpr std::size_t out_size() {
    return L::template output_shape<In>::size;
  }
  // Its output block alone (without returned states).
  template <class L, class In>
  static constexpr std::size_t main_size() {
    return L::template output_part<In, 0>::size;
  }

 public:
  using value_type = typename Forward::value_type;
  using forward_type = Forward;
  using backward_type = Backward;
  static constexpr std::string_view class_name = "Bidirectional";
  static constexpr merge_mode merge = Mode;
  // Constants first: clang 14 misreads a class-type template argument's
  // members at run time.
  static constexpr bool return_sequences = detail::spec_of<Forward>().return_sequences;
  static constexpr std::size_t forward_units = detail::units_of<Forward>();
  static constexpr std::size_t backward_units = detail::units_of<Backward>();
  // The merged output's width (none: the forward output's).
  static constexpr std::size_t units =
      Mode == merge_mode::concat ? forward_units + backward_units : forward_units;
  static constexpr bool stateful = detail::spec_of<Forward>().stateful;
  // Keras's initial_state: the forward layer's states, then the backward's.
  static constexpr std::size_t state_count =
      detail::states_of<Forward>() + detail::states_of<Backward>();
  // return_state: Keras's [output, forward states..., backward states...],
  // each a block of the call's buffer (models/node.hpp splits them).
  static constexpr std::size_t forward_states = detail::returned_states<Forward>();
  static constexpr std::size_t backward_states = detail::returned_states<Backward>();
  // merge_mode none gives the forward, then the backward output first.
  static constexpr std::size_t main_count = Mode == merge_mode::none ? 2 : 1;
  static constexpr std::size_t output_count = main_count + forward_states + backward_states;
  // With none and return_sequences both outputs carry the mask (Keras's).
  template <std::size_t K>
  static constexpr bool part_keeps_mask = K < main_count;
  // Both layers read a masked input's mask (each skips the padding steps
  // in its own direction); the returned sequences keep it.
  static constexpr bool supports_masking = true;
  static constexpr bool keeps_mask = return_sequences;

  Bidirectional() { name_weights(); }
  explicit Bidirectional(Forward layer, LayerOptions o = {})
      : fwd_(layer), bwd_(layer.options()), name_(std::move(o.name)) {
    name_weights();
  }
  Bidirectional(Forward layer, Backward backward, LayerOptions o = {})
      : fwd_(std::move(layer)), bwd_(std::move(backward)), name_(std::move(o.name)) {
    name_weights();
  }
  // A move keeps the weights' buffers (a network's weight views rely on
  // it) and names_'s strings in place.
  Bidirectional(Bidirectional&&) noexcept = default;
  Bidirectional& operator=(Bidirectional&&) noexcept = default;
  // The weight names point into names_: a copy names its own.
  Bidirectional(const Bidirectional& o) : fwd_(o.fwd_), bwd_(o.bwd_), name_(o.name_) {
    name_weights();
  }
  Bidirectional& operator=(const Bidirectional& o) {
    fwd_ = o.fwd_;
    bwd_ = o.bwd_;
    name_ = o.name_;
    name_weights();
    return *this;
  }

  template <class In>
  static constexpr bool accepts = [] {
    if constexpr (!call<In>::fits)
      return false;
    else
      return Forward::template accepts<fwd_of<In>> && Backward::template accepts<bwd_of<In>>;
  }();
  template <class In>
  static constexpr void check_input() {
    Forward::template check_input<seq_of<In>>();
  }
  // Output k's units: the merged output's (or, with none, the forward's and
  // the backward's), then each returned state's.
  static constexpr std::size_t part_units(std::size_t k) {
    if (k < main_count)
      return Mode == merge_mode::none ? (k == 0 ? forward_units : backward_units) : units;
    return k - main_count < forward_states ? forward_units : backward_units;
  }
  template <class In, std::size_t K>
  using output_part = std::conditional_t<
      (K < main_count),
      std::conditional_t<return_sequences, Shape<seq_of<In>::dims[0], part_units(K)>,
                         Shape<part_units(K)>>,
      Shape<part_units(K)>>;
  // Where output K's block starts, per sample (K = output_count: the total).
  template <class In, std::size_t K>
  static constexpr std::size_t output_offset = [] {
    std::size_t o = 0;
    for (std::size_t k = 0; k < K; ++k)
      o += (k < main_count && return_sequences ? seq_of<In>::dims[0] : 1) * part_units(k);
    return o;
  }();
  template <class In>
  using output_shape = std::conditional_t<output_count == 1, output_part<In, 0>,
                                          Shape<output_offset<In, output_count>>>;
  template <class In>
  static constexpr std::size_t param_count =
      Forward::template param_count<fwd_of<In>> + Backward::template param_count<bwd_of<In>>;
  // Both outputs (backward reads them), then each layer's own scratch.
  template <class In>
  static constexpr std::size_t scratch_per_sample =
      out_size<Forward, fwd_of<In>>() + out_size<Backward, bwd_of<In>>() +
      Forward::template scratch_per_sample<fwd_of<In>> +
      Backward::template scratch_per_sample<bwd_of<In>>;

  template <class In>
  void build(Random& rng) {
    fwd_.template build<fwd_of<In>>(rng);
    bwd_.template build<bwd_of<In>>(rng);
  }

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    merge_forward<In>(y, n, pass, [&](T* yf, Pass<T>& pf, T* yb, Pass<T>& pb) {
      fwd_.template forward<In>(x, yf, n, pf);
      bwd_.template forward<In>(x, yb, n, pb);
    });
  }
  // Keras's initial_state: xs = {x, the forward layer's states..., the
  // backward layer's...}; their gradients go to dxs[1], ... likewise.
  template <class In, class T>
  requires call<In>::with_states void forward(const T* const* xs, T* y, std::size_t n,
                                              Pass<T>& pass) {
    const auto x = halves(xs);
    merge_forward<In>(y, n, pass, [&](T* yf, Pass<T>& pf, T* yb, Pass<T>& pb) {
      fwd_.template forward<fwd_of<In>>(x.first.data(), yf, n, pf);
      bwd_.template forward<bwd_of<In>>(x.second.data(), yb, n, pb);
    });
  }

  template <class In, class T>
  void backward(const T* x, const T*, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    merge_backward<In>(dy, dx, n, pass,
                       [&](T* yf, T* dyf, Pass<T>& pf, T* yb, T* dyb, T* dxb, Pass<T>& pb) {
                         fwd_.template backward<In>(x, yf, dyf, dx, n, pf);
                         bwd_.template backward<In>(x, yb, dyb, dxb, n, pb);
                       });
  }
  template <class In, class T>
  requires call<In>::with_states void backward(const T* const* xs, const T*, T* dy, T* const* dxs,
                                               std::size_t n, Pass<T>& pass) {
    const auto x = halves(xs);
    auto dx = halves(dxs);
    merge_backward<In>(
        dy, dxs[0], n, pass, [&](T* yf, T* dyf, Pass<T>& pf, T* yb, T* dyb, T* dxb, Pass<T>& pb) {
          fwd_.template backward<fwd_of<In>>(x.first.data(), yf, dyf, dx.first.data(), n, pf);
          dx.second[0] = dxb;  // the sequence's gradient: added into dxs[0] after
          bwd_.template backward<bwd_of<In>>(x.second.data(), yb, dyb, dx.second.data(), n, pb);
        });
  }

  template <class F>
  void for_each_weight(F&& f) {
    std::size_t k = 0;
    auto renamed = [&](WeightRef<value_type> w) {
      w.name = names_[k++];
      f(std::move(w));
    };
    fwd_.for_each_weight(renamed);
    bwd_.for_each_weight(renamed);
  }

  void reset_states() {
    fwd_.reset_states();
    bwd_.reset_states();
  }

  Forward& forward_layer() { return fwd_; }
  Backward& backward_layer() { return bwd_; }
  const Forward& forward_layer() const { return fwd_; }
  const Backward& backward_layer() const { return bwd_; }
  std::string_view name() const { return name_; }

 private:
  // The call's inputs (or their gradients) split for the two layers: the
  // sequence, then each layer's own states.
  template <class P>
  static auto halves(P* const* xs) {
    constexpr std::size_t fs = detail::states_of<Forward>(), bs = detail::states_of<Backward>();
    std::pair<std::array<P*, 1 + fs>, std::array<P*, 1 + bs>> out{};
    out.first[0] = out.second[0] = xs[0];
    std::copy_n(xs + 1, fs, out.first.begin() + 1);
    std::copy_n(xs + 1 + fs, bs, out.second.begin() + 1);
    return out;
  }

  // Runs both layers (run(yf, pf, yb, pb)), then merges their outputs into y.
  template <class In, class T, class Run>
  void merge_forward(T* y, std::size_t n, Pass<T>& pass, Run&& run) {
    using Seq = seq_of<In>;
    auto [pf, pb, yf, yb] = split<In>(pass, n);
    run(yf, pf, yb, pb);
    constexpr std::size_t steps = return_sequences ? Seq::dims[0] : 1;
    constexpr std::size_t uf = forward_units, ub = backward_units;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < steps; ++t) {
        const T* a = yf + (i * steps + t) * uf;
        const T* b = yb + (i * steps + (steps - 1 - t)) * ub;
        T* o = y + (i * steps + t) * units;
        // none: the backward output's block follows the forward one's.
        T* ob = y + n * steps * uf + (i * steps + t) * ub;
        if (padding(pass, i, t, steps)) {
          std::fill_n(o, units, T(0));
          if constexpr (Mode == merge_mode::none) std::fill_n(ob, ub, T(0));
          continue;
        }
        if constexpr (Mode == merge_mode::none) {
          std::copy_n(a, uf, o);
          std::copy_n(b, ub, ob);
        } else if constexpr (Mode == merge_mode::concat) {
          std::copy_n(a, uf, o);
          std::copy_n(b, ub, o + uf);
        } else {
          for (std::size_t u = 0; u < uf; ++u) {
            if constexpr (Mode == merge_mode::sum) o[u] = a[u] + b[u];
            if constexpr (Mode == merge_mode::mul) o[u] = a[u] * b[u];
            if constexpr (Mode == merge_mode::ave) o[u] = (a[u] + b[u]) / T(2);
          }
        }
      }
    // The states' blocks follow each layer's output block, and follow ours.
    if constexpr (output_count > main_count) {
      constexpr std::size_t mf = main_size<Forward, Seq>(), mb = main_size<Backward, Seq>();
      T* states = y + n * output_offset<In, main_count>;
      std::copy_n(yf + n * mf, n * forward_states * forward_units, states);
      std::copy_n(yb + n * mb, n * backward_states * backward_units,
                  states + n * forward_states * forward_units);
    }
  }

  // Splits dy into the two layers' output gradients, runs both layers'
  // backward (run(yf, dyf, pf, yb, dyb, dxb, pb), the backward layer's dx
  // into dxb), then adds dxb into dx.
  template <class In, class T, class Run>
  void merge_backward(T* dy, T* dx, std::size_t n, Pass<T>& pass, Run&& run) {
    using Seq = seq_of<In>;
    auto [pf, pb, yf, yb] = split<In>(pass, n);
    constexpr std::size_t steps = return_sequences ? Seq::dims[0] : 1;
    constexpr std::size_t uf = forward_units, ub = backward_units;
    dyf_.resize(n * out_size<Forward, Seq>());
    dyb_.resize(n * out_size<Backward, Seq>());
    if constexpr (output_count > main_count) {
      // The gradients of the returned states go to each layer's own blocks.
      constexpr std::size_t mf = main_size<Forward, Seq>(), mb = main_size<Backward, Seq>();
      const T* dstates = dy + n * output_offset<In, main_count>;
      std::copy_n(dstates, n * forward_states * uf, dyf_.data() + n * mf);
      std::copy_n(dstates + n * forward_states * uf, n * backward_states * ub,
                  dyb_.data() + n * mb);
    }
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < steps; ++t) {
        const std::size_t fa = (i * steps + t) * uf, fb = (i * steps + (steps - 1 - t)) * ub;
        const T* g = dy + (i * steps + t) * units;
        T* da = dyf_.data() + fa;
        T* db = dyb_.data() + fb;
        if (padding(pass, i, t, steps)) {
          std::fill_n(da, uf, T(0));
          std::fill_n(db, ub, T(0));
          continue;
        }
        if constexpr (Mode == merge_mode::none) {
          std::copy_n(g, uf, da);
          std::copy_n(dy + n * steps * uf + (i * steps + t) * ub, ub, db);
        } else if constexpr (Mode == merge_mode::concat) {
          std::copy_n(g, uf, da);
          std::copy_n(g + uf, ub, db);
        } else {
          for (std::size_t u = 0; u < uf; ++u) {
            if constexpr (Mode == merge_mode::sum) da[u] = db[u] = g[u];
            if constexpr (Mode == merge_mode::ave) da[u] = db[u] = g[u] / T(2);
            if constexpr (Mode == merge_mode::mul) {
              da[u] = g[u] * yb[fb + u];
              db[u] = g[u] * yf[fa + u];
            }
          }
        }
      }
    if (dx) dxb_.resize(n * Seq::size);
    run(yf, dyf_.data(), pf, yb, dyb_.data(), dx ? dxb_.data() : nullptr, pb);
    if (dx)
      for (std::size_t k = 0; k < n * Seq::size; ++k) dx[k] += dxb_[k];
  }

  // Whether output step t of sample i is a padding step of a masked input:
  // its output is zeros, tf.keras's zero_output_for_mask, so that the two
  // directions' outputs line up (keras-differences.md).
  template <class T>
  static bool padding(const Pass<T>& pass, std::size_t i, std::size_t t, std::size_t steps) {
    return return_sequences && pass.mask && pass.mask[i * steps + t] == T(0);
  }

  // The two layers' passes (each its part of the scratch) and outputs.
  template <class In, class T>
  auto split(const Pass<T>& pass, std::size_t n) {
    struct parts {
      Pass<T> pf, pb;
      T* yf;
      T* yb;
    };
    parts p{pass, pass, pass.scratch, pass.scratch + n * out_size<Forward, fwd_of<In>>()};
    p.pf.grad_before_activation = p.pb.grad_before_activation = false;
    p.pf.scratch = p.yb + n * out_size<Backward, bwd_of<In>>();
    p.pb.scratch = p.pf.scratch + n * Forward::template scratch_per_sample<fwd_of<In>>;
    return p;
  }

  // Keras's forward_<name> and backward_<name>; a layer without a name
  // option is called by its class (forward_lstm).
  void name_weights() {
    names_.clear();
    auto add = [this](std::string_view prefix, auto& layer) {
      const std::string base =
          layer.name().empty() ? detail::to_snake_case(std::decay_t<decltype(layer)>::class_name)
                               : std::string(layer.name());
      layer.for_each_weight([&](WeightRef<value_type> w) {
        names_.push_back(std::string(prefix) + base + "/" + std::string(w.name));
      });
    };
    add("forward_", fwd_);
    add("backward_", bwd_);
  }

  Forward fwd_{};
  Backward bwd_{};
  std::string name_;
  std::vector<std::string> names_;
  std::vector<value_type> dyf_, dyb_, dxb_;  // backward's temporaries
};

}  // namespace ketl
