// What a model is to the training engine: the Network concept.
//
// A network is a typed graph of layers that owns its weights and its batch
// buffers and runs them forward and backward on n samples at a time.
// Sequential's pack (models/sequential_network.hpp) and the functional
// Model's graph (models/functional_network.hpp) are the two. The engine
// (engine/trainer.hpp) adds everything Keras's Model adds to a Network:
// compile, fit, evaluate, predict, the generator methods, callbacks and
// weight files, once, for any type that meets this concept.
//
// At compile time a network says:
//   N::value_type                 the floating type of its weights and activations
//   N::input_shapes               detail::type_list<Shape<...>...>, one per input
//   N::input_value_types          detail::type_list<E...>, each input's element type
//   N::output_shapes              detail::type_list<Shape<...>...>, one per output
//   N::output_ends_in_softmax     std::array<bool, outputs>: may the loss give dL/dz?
//   N::input_index_limits         optional, std::array<size_t, inputs>: token index bounds
//   N::fixed_batch_size           optional: every batch's rows (Input<d...>::batch<N>); 0: any
// and at run time:
//   reserve(n)                    grow the batch buffers to n samples
//   forward(x, n, training)       x[i]: input i's n rows, of its element type
//   output(k), output_grad(k)     output k of the last forward pass; dL/d(output k)
//   backward(x, n, before_act)    from every output_grad(k); before_act[k]: it holds dL/dz
//   weights()                     every weight, layer by layer (Keras's order)
//   trainable_weights()           those the optimizer updates
//   refresh_trainable()           read the layers' trainable flags again
//   reset_states()                optional: the stateful layers' states to zeros
//   weight_names()                one per weights()
//   input_names(), output_names(), summary(os), rng()
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ketl/detail/shape_chain.hpp"
#include "ketl/layer.hpp"
#include "ketl/random.hpp"
#include "ketl/shape.hpp"

namespace ketl {

template <class N>
concept Network =
    requires(N& n, const N& cn, std::size_t i, const void* const* x, std::ostream& os,
             const std::array<bool, detail::list_size<typename N::output_shapes>::value>& mask) {
  typename N::value_type;
  requires std::floating_point<typename N::value_type>;
  typename N::input_shapes;
  typename N::input_value_types;
  typename N::output_shapes;
  {
    N::output_ends_in_softmax
    } -> std::convertible_to<std::array<bool, detail::list_size<typename N::output_shapes>::value>>;
  n.reserve(i);
  n.forward(x, i, true);
  { n.output(i) } -> std::same_as<const typename N::value_type*>;
  { n.output_grad(i) } -> std::same_as<typename N::value_type*>;
  n.backward(x, i, mask);
  { cn.weights() } -> std::convertible_to<std::span<const WeightRef<typename N::value_type>>>;
  {
    cn.trainable_weights()
    } -> std::convertible_to<std::span<const WeightRef<typename N::value_type>>>;
  n.refresh_trainable();
  { cn.weight_names() } -> std::convertible_to<const std::vector<std::string>&>;
  { cn.input_names() } -> std::convertible_to<std::vector<std::string>>;
  // Keras's model.layers, by name; each layer's weights are those whose
  // weight_names start with "<layer>/", in this order (weight files).
  { cn.layer_names() } -> std::convertible_to<std::vector<std::string>>;
  { cn.output_names() } -> std::convertible_to<std::vector<std::string>>;
  cn.summary(os);
  { n.rng() } -> std::same_as<Random&>;
};

namespace engine {
template <class N>
inline constexpr std::size_t input_count = ketl::detail::list_size<typename N::input_shapes>::value;
template <class N>
inline constexpr std::size_t output_count =
    ketl::detail::list_size<typename N::output_shapes>::value;
template <class N, std::size_t I>
using input_shape_t = typename ketl::detail::at<I, typename N::input_shapes>::type;
template <class N, std::size_t I>
using input_value_t = typename ketl::detail::at<I, typename N::input_value_types>::type;
template <class N, std::size_t K>
using output_shape_t = typename ketl::detail::at<K, typename N::output_shapes>::type;
// {f(shape of output 0), f(shape of output 1), ...}, f taking a shape object.
template <class N, class F>
constexpr auto per_output(F f) {
  return [&]<std::size_t... K>(std::index_sequence<K...>) {
    return std::array{f(output_shape_t<N, K>{})...};
  }
  (std::make_index_sequence<output_count<N>>{});
}

// The bound on input I's token indices (the input_dim of the Embeddings
// that read it; the smallest, if several do), from the network's optional
// N::fixed_batch_size, or 0 (any batch size).
template <class N>
constexpr std::size_t fixed_batch_size() {
  if constexpr (requires { N::fixed_batch_size; })
    return N::fixed_batch_size;
  else
    return 0;
}
// N::input_index_limits; none otherwise.
template <class N, std::size_t I>
constexpr std::size_t index_limit() {
  if constexpr (requires { N::input_index_limits[I]; })
    return N::input_index_limits[I];
  else
    return std::size_t(-1);
}
}  // namespace engine

}  // namespace ketl
