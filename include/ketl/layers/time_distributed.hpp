// TimeDistributed<Layer>: Keras's wrapper that applies one layer, with one
// set of weights, to every step of (steps, ...) samples. Row-major batches
// make the N samples of T steps N*T samples of the inner layer's input, so
// the wrapper runs the inner layer once on them, as Keras does without a
// fixed batch size (a reshape, the layer, a reshape back).
//
//   ketl::TimeDistributed<ketl::Dense<8, ketl::Relu>>{}        (T, F) -> (T, 8)
//   ketl::TimeDistributed<ketl::Conv2D<...>>{}                 (T, H, W, C) -> (T, H', W', F)
//
// Its weights are the inner layer's, under its names (kernel, bias).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "ketl/layer.hpp"
#include "ketl/shape.hpp"

namespace ketl {

namespace detail {
// (steps, d...) to (d...), and (d...) to (steps, d...).
template <class S>
struct drop_first {
  template <std::size_t... I>
  static auto make(std::index_sequence<I...>) -> Shape<S::dims[I + 1]...>;
  using type = decltype(make(std::make_index_sequence<S::rank - 1>{}));
};
template <std::size_t Steps, class S>
struct prepend_dim {
  template <std::size_t... I>
  static auto make(std::index_sequence<I...>) -> Shape<Steps, S::dims[I]...>;
  using type = decltype(make(std::make_index_sequence<S::rank>{}));
};
}  // namespace detail

template <Layer Inner>
class TimeDistributed : public callable_layer<TimeDistributed<Inner>> {
  static_assert(detail::output_count<Inner> == 1,
                "ketl::TimeDistributed: its layer must have one output (no return_state)");
  template <class In>
  using step_shape = typename detail::drop_first<In>::type;

 public:
  using value_type = layer_value_type_t<Inner>;
  using inner_type = Inner;
  static constexpr std::string_view class_name = "TimeDistributed";
  // A masked input's mask passes on, as Keras's; the layer inside applies to
  // every step and never sees it.
  static constexpr bool supports_masking = true;

  TimeDistributed() = default;
  explicit TimeDistributed(Inner inner, LayerOptions o = {})
      : inner_(std::move(inner)), name_(std::move(o.name)) {}

  template <class In>
  static constexpr bool accepts = [] {
    if constexpr (In::rank < 2)
      return false;
    else
      return Inner::template accepts<step_shape<In>>;
  }();
  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank >= 2,
                  "ketl::TimeDistributed applies its layer to each step of (steps, ...) "
                  "samples: give it a rank-2 shape or more");
    if constexpr (In::rank >= 2) Inner::template check_input<step_shape<In>>();
  }
  template <class In>
  using output_shape =
      typename detail::prepend_dim<In::dims[0],
                                   typename Inner::template output_shape<step_shape<In>>>::type;
  template <class In>
  static constexpr std::size_t param_count = Inner::template param_count<step_shape<In>>;
  template <class In>
  static constexpr std::size_t scratch_per_sample =
      In::dims[0] * Inner::template scratch_per_sample<step_shape<In>>;

  template <class In>
  void build(Random& rng) {
    inner_.template build<step_shape<In>>(rng);
  }
  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    Pass<T> inner = pass;
    inner.mask = nullptr;
    inner_.template forward<step_shape<In>>(x, y, n * In::dims[0], inner);
  }
  template <class In, class T>
  void backward(const T* x, const T* y, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    Pass<T> inner = pass;
    inner.mask = nullptr;
    inner_.template backward<step_shape<In>>(x, y, dy, dx, n * In::dims[0], inner);
  }
  template <class F>
  void for_each_weight(F&& f) {
    inner_.for_each_weight(std::forward<F>(f));
  }
  template <class F>
  void for_each_weight(F&& f) const {
    if constexpr (requires { std::as_const(inner_).for_each_weight(f); })
      inner_.for_each_weight(std::forward<F>(f));
  }

  Inner& layer() { return inner_; }
  const Inner& layer() const { return inner_; }
  std::string_view name() const { return name_; }

 private:
  Inner inner_{};
  std::string name_;
};

}  // namespace ketl
