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
// first, along the last axis), sum, mul, ave. Keras's merge_mode=None (a
// list of two outputs) is not here. The weights are the forward layer's,
// then the backward's, named forward_<layer>/kernel, ... as Keras names
// them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ketl/detail/layer_names.hpp"
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
  static constexpr bool accepts = Forward::template accepts<In>&& Backward::template accepts<In>;
  template <class In>
  static constexpr void check_input() {
    Forward::template check_input<In>();
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
      std::conditional_t<return_sequences, Shape<In::dims[0], part_units(K)>, Shape<part_units(K)>>,
      Shape<part_units(K)>>;
  // Where output K's block starts, per sample (K = output_count: the total).
  template <class In, std::size_t K>
  static constexpr std::size_t output_offset = [] {
    std::size_t o = 0;
    for (std::size_t k = 0; k < K; ++k)
      o += (k < main_count && return_sequences ? In::dims[0] : 1) * part_units(k);
    return o;
  }();
  template <class In>
  using output_shape = std::conditional_t<output_count == 1, output_part<In, 0>,
                                          Shape<output_offset<In, output_count>>>;
  template <class In>
  static constexpr std::size_t param_count =
      Forward::template param_count<In> + Backward::template param_count<In>;
  // Both outputs (backward reads them), then each layer's own scratch.
  template <class In>
  static constexpr std::size_t scratch_per_sample =
      out_size<Forward, In>() + out_size<Backward, In>() +
      Forward::template scratch_per_sample<In> + Backward::template scratch_per_sample<In>;

  template <class In>
  void build(Random& rng) {
    fwd_.template build<In>(rng);
    bwd_.template build<In>(rng);
  }

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    auto [pf, pb, yf, yb] = split<In>(pass, n);
    fwd_.template forward<In>(x, yf, n, pf);
    bwd_.template forward<In>(x, yb, n, pb);
    constexpr std::size_t steps = return_sequences ? In::dims[0] : 1;
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
      constexpr std::size_t mf = main_size<Forward, In>(), mb = main_size<Backward, In>();
      T* states = y + n * output_offset<In, main_count>;
      std::copy_n(yf + n * mf, n * forward_states * forward_units, states);
      std::copy_n(yb + n * mb, n * backward_states * backward_units,
                  states + n * forward_states * forward_units);
    }
  }

  template <class In, class T>
  void backward(const T* x, const T*, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    auto [pf, pb, yf, yb] = split<In>(pass, n);
    constexpr std::size_t steps = return_sequences ? In::dims[0] : 1;
    constexpr std::size_t uf = forward_units, ub = backward_units;
    dyf_.resize(n * out_size<Forward, In>());
    dyb_.resize(n * out_size<Backward, In>());
    if constexpr (output_count > main_count) {
      // The gradients of the returned states go to each layer's own blocks.
      constexpr std::size_t mf = main_size<Forward, In>(), mb = main_size<Backward, In>();
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
    fwd_.template backward<In>(x, yf, dyf_.data(), dx, n, pf);
    if (dx) dxb_.resize(n * In::size);
    bwd_.template backward<In>(x, yb, dyb_.data(), dx ? dxb_.data() : nullptr, n, pb);
    if (dx)
      for (std::size_t k = 0; k < n * In::size; ++k) dx[k] += dxb_[k];
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
    parts p{pass, pass, pass.scratch, pass.scratch + n * out_size<Forward, In>()};
    p.pf.grad_before_activation = p.pb.grad_before_activation = false;
    p.pf.scratch = p.yb + n * out_size<Backward, In>();
    p.pb.scratch = p.pf.scratch + n * Forward::template scratch_per_sample<In>;
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
