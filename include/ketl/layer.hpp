// The layer protocol.
//
// A layer type L says at compile time what it takes and gives:
//   L::class_name                          Keras's class name ("Dense")
//   L::template accepts<In>                whether it can take input shape In
//   L::template check_input<In>()          a static_assert that says why not
//   typename L::template output_shape<In>  its output shape
//   L::template param_count<In>            trainable parameters, constexpr
//   L::template scratch_per_sample<In>     scratch elements it needs per sample
// and at run time, on a whole batch of n samples, into buffers the model owns:
//   build<In>(rng)                         allocate and initialise its weights
//   forward<In>(x, y, n, pass)
//   backward<In>(x, y, dy, dx, n, pass)    dy may be overwritten; dx may be null
//   for_each_weight(f)                     f(WeightRef<T>) for each weight it owns
//   name()                                 Keras's name option; empty: automatic
// Layers with weights carry their element type T (default float); the others
// are generic in T. The model checks that all of them agree.
//
// Merge layers (Add, Concatenate, ...) take several inputs: they say
// `static constexpr bool merge = true`, and their compile-time members take
// a detail::type_list of the input shapes; forward and backward take arrays
// of pointers (layers/merge.hpp).
//
// Masks (detail/masking.hpp): `supports_masking` lets a layer take an input
// that carries a mask, which it reads from Pass::mask and passes on unless
// `keeps_mask` is false; `makes_mask` says it writes a new mask at the start
// of its scratch.
//
// Every layer is also a function on the functional API's nodes:
// Dense<32>{}(x) gives a node (models/node.hpp).
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <type_traits>
#include <vector>

#include "ketl/random.hpp"
#include "ketl/shape.hpp"

namespace ketl {

// One weight tensor of a layer, as the optimizer and the weight files see it.
template <class T>
struct WeightRef {
  std::string_view name;  // "kernel", "bias"
  std::span<T> value;
  std::span<T> grad;
  std::vector<std::size_t> shape;  // Keras's layout, e.g. (in, units)
  // False for a weight no optimizer touches (BatchNormalization's moving
  // statistics), and for every weight of a frozen layer.
  bool trainable = true;
};

// What a forward or backward pass may need besides its buffers.
template <class T>
struct Pass {
  bool training = false;
  Random* rng = nullptr;
  T* scratch = nullptr;  // scratch_per_sample<In> * n elements, this layer's own
  // backward only: dy already holds dL/dz, the gradient before this layer's
  // activation (the training step fused a softmax output into the loss's
  // gradient), so the activation's own backward is skipped.
  bool grad_before_activation = false;
  // backward only: add this pass's weight gradients to those already there
  // instead of replacing them (a shared layer's second and later uses).
  bool accumulate_weight_grads = false;
  // The mask of the layer's input, when it carries one (detail/masking.hpp):
  // (n, timesteps), 1 for a real step and 0 for padding; else null.
  const T* mask = nullptr;
};

// Keras's options every layer has.
struct LayerOptions {
  std::string name = {};  // empty: Keras's automatic name (dense_1, ...)
};

namespace detail {
// Whether a layer ends in a softmax over its last axis (Dense<u, Softmax>,
// Activation<Softmax>): the training step can then fuse its backward with
// the cross-entropy's gradient.
template <class L>
inline constexpr bool ends_in_softmax = false;

template <class L, class = void>
struct layer_value_type {
  using type = void;
};
template <class L>
struct layer_value_type<L, std::void_t<typename L::value_type>> {
  using type = typename L::value_type;
};
}  // namespace detail

// The element type a layer fixes, or void for layers generic in it.
template <class L>
using layer_value_type_t = typename detail::layer_value_type<L>::type;

// A type that follows the layer protocol's compile-time part.
template <class L>
concept Layer = std::is_class_v<L> && requires {
  { L::class_name } -> std::convertible_to<std::string_view>;
};

// A layer that can take input shape In, with the run-time part for element T.
template <class L, class In, class T = float>
concept LayerFor = Layer<L> && StaticShape<In> &&
    L::template accepts<In>&& requires(L& l, const T* x, T* y, std::size_t n, Pass<T>& p,
                                       Random& rng) {
  requires StaticShape<typename L::template output_shape<In>>;
  { L::template param_count<In> } -> std::convertible_to<std::size_t>;
  l.template build<In>(rng);
  l.template forward<In>(x, y, n, p);
  l.template backward<In>(x, x, y, y, n, p);
};

namespace detail {
// A layer's name option; "" for a layer type without one.
template <class L>
std::string_view own_name(const L& l) {
  if constexpr (requires {
                  { l.name() } -> std::convertible_to<std::string_view>;
                })
    return l.name();
  else
    return {};
}

// Whether a layer is trainable (Keras's layer.trainable); layers without
// the flag are.
template <class L>
bool layer_trainable(const L& l) {
  if constexpr (requires { l.trainable; })
    return l.trainable;
  else
    return true;
}

// Parameters a layer keeps out of the optimizer's reach whatever its flag
// (BatchNormalization's moving statistics); constexpr.
template <class L, class In>
constexpr std::size_t fixed_param_count() {
  if constexpr (requires { L::template non_trainable_param_count<In>; })
    return L::template non_trainable_param_count<In>;
  else
    return 0;
}

template <class L, class... P>
struct call_node;  // models/node.hpp

// How many outputs a layer's call gives (Keras's layer.output as a list).
template <class L>
constexpr std::size_t output_count_of() {
  if constexpr (requires { L::output_count; })
    return L::output_count;
  else
    return 1;
}
template <class L>
inline constexpr std::size_t output_count = output_count_of<L>();
// A call's node, or its outputs' nodes (models/node.hpp).
template <class C>
auto split_outputs(C node);
template <class N>
inline constexpr bool is_node = false;
}  // namespace detail

// What every layer has. Calling it on nodes of the functional API gives a
// node: a copy of the layer applied to them (models/node.hpp defines the
// node). And Keras's `layer.trainable`: false freezes its weights, which
// the next compile() leaves out of the optimizer's reach.
template <class Derived>
struct callable_layer {
  bool trainable = true;

  // A node; for a layer with several outputs (an RNN with return_state),
  // a tuple of one node per output (models/node.hpp's outputs_of).
  template <class... P>
  requires(sizeof...(P) > 0 && (detail::is_node<P> && ...)) auto operator()(
      const P&... inputs) const {
    return detail::split_outputs(
        detail::call_node<Derived, P...>(static_cast<const Derived&>(*this), inputs...));
  }
};

// Shared defaults for layers without weights.
struct stateless_layer {
  stateless_layer() = default;
  explicit stateless_layer(LayerOptions o) : name_(std::move(o.name)) {}
  std::string_view name() const { return name_; }

  template <class In>
  static constexpr std::size_t param_count = 0;
  template <class In>
  static constexpr std::size_t scratch_per_sample = 0;
  template <class In>
  void build(Random&) {}
  template <class F>
  void for_each_weight(F&&) {}
  template <class F>
  void for_each_weight(F&&) const {}

 private:
  std::string name_;
};

}  // namespace ketl
