// Input<d...>: the model's feature shape, Keras's Input(shape=(d...,)).
//
// In a Sequential it is the first entry, the counterpart of Keras's
// input_shape=(d...,). In the functional API it is the graph's leaf node:
//   auto title = ketl::Input<100>{{.name = "title"}};
//   auto t = ketl::Dense<32, ketl::Relu>{}(title);
// A copy of an Input is the same input (it shares its identity), as a
// Python variable bound to a Keras tensor is.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <type_traits>

#include "ketl/layer.hpp"
#include "ketl/shape.hpp"

namespace ketl {

namespace detail {
// A node's identity: copies of a node share it. Its sequence number orders
// nodes by creation, which is how Keras numbers layers (dense_1, dense_2).
struct node_tag {
  std::uint64_t seq = next();
  static std::uint64_t next() {
    static std::atomic<std::uint64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed);
  }
};
}  // namespace detail

template <class E, std::size_t... Dims>
struct TypedInput;
template <std::size_t B, class I>
struct BatchInput;

template <std::size_t... Dims>
struct Input : stateless_layer {
  using shape = Shape<Dims...>;
  static constexpr std::string_view class_name = "InputLayer";

  Input() = default;
  explicit Input(LayerOptions o) : stateless_layer(std::move(o)) {}

  template <class In>
  static constexpr bool accepts = std::is_same_v<In, shape>;
  template <class In>
  static constexpr void check_input() {
    static_assert(
        std::is_same_v<In, shape>,
        "ketl::Input: an Input can only start a Sequential, where it sets the input shape");
  }
  template <class In>
  using output_shape = shape;

  template <class In, class T>
  void forward(const T*, T*, std::size_t, Pass<T>&) {}
  template <class In, class T>
  void backward(const T*, const T*, T*, T*, std::size_t, Pass<T>&) {}

  // An input of integers (token indices), Keras's Input(shape, dtype='int32'):
  // ketl::Input<100>::of<std::int32_t>{}. Only an Embedding reads it.
  template <class E>
  using of = TypedInput<E, Dims...>;
  // Keras's batch_input_shape: the batch size fixed in the model's type, as
  // a stateful RNN needs: ketl::Input<8, 16>::batch<32>{}. 0: any size.
  static constexpr std::size_t batch_size = 0;
  template <std::size_t B>
  using batch = BatchInput<B, Input>;

  // The functional API's identity of this input, and its creation order.
  const void* id() const { return id_.get(); }
  std::uint64_t seq() const { return id_->seq; }

 private:
  std::shared_ptr<const detail::node_tag> id_ = std::make_shared<const detail::node_tag>();
};

// The integer Input's samples: the model carries them in its element type
// (exact below 2^24 in float, which Embedding's static_assert keeps to),
// and only a layer that reads indices may take them.
template <class E, std::size_t... Dims>
struct TypedInput : Input<Dims...> {
  static_assert(std::is_integral_v<E> && !std::is_same_v<E, bool>,
                "ketl::Input<d...>::of<E>: E is an integer type (token indices); a float input "
                "is plain Input<d...>");
  using dtype = E;
  using shape = IndexShape<Dims...>;
  using Input<Dims...>::Input;

  template <class In>
  static constexpr bool accepts = std::is_same_v<In, shape>;
  template <class In>
  static constexpr void check_input() {}
  template <class In>
  using output_shape = shape;
  template <std::size_t B>
  using batch = BatchInput<B, TypedInput>;
};

// An Input (float or integer) whose every batch has B samples.
template <std::size_t B, class I>
struct BatchInput : I {
  static_assert(B > 0, "ketl::Input<d...>::batch<B>: a batch has at least one sample");
  static constexpr std::size_t batch_size = B;
  using I::I;
  BatchInput() = default;
};

namespace detail {
template <class L>
struct is_input : std::false_type {};
template <std::size_t... D>
struct is_input<Input<D...>> : std::true_type {};
template <class E, std::size_t... D>
struct is_input<TypedInput<E, D...>> : std::true_type {};
template <std::size_t... D>
inline constexpr bool is_node<Input<D...>> = true;
template <class E, std::size_t... D>
inline constexpr bool is_node<TypedInput<E, D...>> = true;
template <std::size_t B, class I>
struct is_input<BatchInput<B, I>> : is_input<I> {};
template <std::size_t B, class I>
inline constexpr bool is_node<BatchInput<B, I>> = true;

// An Input type's fixed batch size; 0 for any other layer.
template <class L>
constexpr std::size_t fixed_batch_of() {
  if constexpr (is_input<L>::value)
    return L::batch_size;
  else
    return 0;
}
}  // namespace detail

}  // namespace ketl
