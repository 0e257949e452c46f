// The functional API's nodes: Keras's symbolic tensors, typed.
//
//   auto x = ketl::Input<100>{{.name = "title"}};      // a leaf node
//   auto h = ketl::Dense<32, ketl::Relu>{}(x);          // call_node<Dense<32, Relu>, Input<100>>
//   auto s = ketl::shared(ketl::Dense<32>{});           // one layer, one set of weights
//   auto r = ketl::Add{}(h, s(h));                      // merge layers take several nodes
//
// A node's type holds the layer and its parents' types, so its shape is
// known at compile time: a layer that cannot take its inputs fails to
// compile where it is called, with a message that names the layer and the
// shapes. A node value holds its layer (shared by every node made from one
// ketl::shared layer) and its parents, and has an identity: copies of a
// node are that node, as a Python variable bound to a Keras tensor is.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ketl/detail/masking.hpp"
#include "ketl/detail/shape_chain.hpp"
#include "ketl/layer.hpp"
#include "ketl/layers/input.hpp"
#include "ketl/shape.hpp"

namespace ketl {

namespace detail {

// A merge layer says `static constexpr bool merge = true` (Bidirectional's
// `merge` is its merge_mode, and no merge layer).
template <class L>
constexpr bool merge_flag() {
  if constexpr (requires {
                  { L::merge } -> std::same_as<const bool&>;
                })
    return L::merge;
  else
    return false;
}
template <class L>
inline constexpr bool is_merge_layer = merge_flag<L>();

// The shape of a node of layer L on parents P...: its output shape, or
// invalid_shape when it cannot take them (after one error naming them).
template <class L, class In>
constexpr bool call_check_reason() {
  if constexpr (!index_link_ok<L, In>)
    check_index_link<L, In>();
  else
    L::template check_input<In>();
  return true;
}
template <class L, class... In>
struct layer_call_check {
  static constexpr bool fits = (index_link_ok<L, In> && ...) && L::template accepts<In...>;
  // The layer's own reason first: its static_assert shows the numbers.
  static_assert((call_check_reason<L, In>() && ...));
  static_assert(fits,
                "ketl::Model: the layer L cannot take InputShape, the output shape of the node it "
                "is called on");
};
template <class L, class... In>
struct merge_call_check {
  static constexpr bool indices = (is_index_shape<In> || ...);
  static constexpr bool fits = !indices && L::template accepts<type_list<In...>>;
  static_assert(!indices,
                "ketl: an integer Input (token indices) feeds only an Embedding, as in Keras "
                "2.2.4; give float data a plain Input<d...>");
  static_assert(indices || (L::template check_input<type_list<In...>>(), true));
  static_assert(fits, "ketl::Model: the merge layer L cannot merge the shapes In...");
};

// A layer called on several nodes that is not a merge: a recurrent layer
// on its sequence and its initial states (Keras's initial_state=[h, c]).
template <class L>
inline constexpr bool takes_initial_state = requires {
  L::state_count;
};
template <class layer_type, class inputs>
struct recurrent_layer_takes_initial_states {
  static constexpr bool value = layer_type::template accepts<inputs>;
};
template <class L, class... In>
struct initial_state_call_check {
  static_assert(takes_initial_state<L>,
                "ketl::Model: this layer takes one node; merge layers (Add, Concatenate, ...) take "
                "several, and a recurrent layer its sequence and its initial states");
  static constexpr bool fits =
      takes_initial_state<L> && recurrent_layer_takes_initial_states<L, type_list<In...>>::value;
  static constexpr bool bidirectional = requires {
    typename L::forward_type;
    typename L::backward_type;
  };
  static_assert(!takes_initial_state<L> || bidirectional ||
                    recurrent_layer_takes_initial_states<L, type_list<In...>>::value,
                "ketl::Model: a recurrent layer takes its (timesteps, features) sequence, then one "
                "(units) node per state, h and LSTM's c: Keras's initial_state=[h, c]");
  static_assert(!bidirectional || recurrent_layer_takes_initial_states<L, type_list<In...>>::value,
                "ketl::Model: a Bidirectional takes its (timesteps, features) sequence, then the "
                "forward layer's states, then the backward layer's, one (units) node each: Keras's "
                "initial_state=[fh, fc, bh, bc], split in halves");
};

template <class L, class... P>
constexpr auto node_shape() {
  if constexpr (((std::is_same_v<typename P::shape, invalid_shape>) || ...)) {
    return std::type_identity<invalid_shape>{};  // an earlier error said why
  } else if constexpr (is_merge_layer<L>) {
    if constexpr (merge_call_check<L, typename P::shape...>::fits)
      return std::type_identity<
          typename L::template output_shape<type_list<typename P::shape...>>>{};
    else
      return std::type_identity<invalid_shape>{};
  } else if constexpr (sizeof...(P) > 1) {
    if constexpr (initial_state_call_check<L, typename P::shape...>::fits)
      return std::type_identity<
          typename L::template output_shape<type_list<typename P::shape...>>>{};
    else
      return std::type_identity<invalid_shape>{};
  } else {
    if constexpr (layer_call_check<L, typename P::shape...>::fits)
      return std::type_identity<typename L::template output_shape<typename P::shape...>>{};
    else
      return std::type_identity<invalid_shape>{};
  }
}

// Whether a node's output carries a mask (an Input's never does).
template <class N>
constexpr bool node_masked() {
  if constexpr (requires { N::masked; })
    return N::masked;
  else
    return false;
}

template <class L, class... P>
struct call_node {
  using layer_type = L;
  using parents = type_list<P...>;
  using shape = typename decltype(node_shape<L, P...>())::type;
  // Masks (detail/masking.hpp): a layer that cannot take its input's mask
  // fails where it is called. A merge of masked nodes carries the merged
  // mask (models/functional_parts.hpp's merge_masks).
  static constexpr bool input_masked = (node_masked<P>() || ...);
  static_assert(check_mask_link<L, input_masked>());
  static constexpr bool masked = output_masked<L>(input_masked);

  std::shared_ptr<L> layer;
  std::tuple<P...> inputs;

  call_node(const L& l, const P&... in) : layer(std::make_shared<L>(l)), inputs(in...) {}
  call_node(std::shared_ptr<L> l, const P&... in) : layer(std::move(l)), inputs(in...) {}
  const void* id() const { return tag_.get(); }
  std::uint64_t seq() const { return tag_->seq; }

 private:
  std::shared_ptr<const node_tag> tag_ = std::make_shared<const node_tag>();
};

template <class L, class... P>
inline constexpr bool is_node<call_node<L, P...>> = true;

// What a call node's layer was called on: its parent's shape, or a
// type_list of its parents' shapes (a merge, an RNN with initial_state).
template <class C>
struct call_input;
template <class L, class P>
struct call_input<call_node<L, P>> {
  using type = typename P::shape;
};
template <class L, class P, class Q, class... R>
struct call_input<call_node<L, P, Q, R...>> {
  using type = type_list<typename P::shape, typename Q::shape, typename R::shape...>;
};

template <class C, std::size_t K, bool Valid = !std::is_same_v<typename C::shape, invalid_shape>>
struct output_part_of {
  using type = invalid_shape;  // an earlier error said why
  static constexpr std::size_t offset = 0;
};
template <class C, std::size_t K>
struct output_part_of<C, K, true> {
  using in = typename call_input<C>::type;
  using type = typename C::layer_type::template output_part<in, K>;
  static constexpr std::size_t offset = C::layer_type::template output_offset<in, K>;
};

// Output K of a call whose layer gives several (an RNN with return_state:
// the output, then h, then LSTM's c), Keras's layer.output[K]. Its values
// are block K of the call's buffer: the layer writes (N, part 0), then
// (N, part 1), ..., and the network copies each block to its nodes.
template <std::size_t K, class C>
struct output_node {
  using call_type = C;
  static constexpr std::size_t index = K;
  using shape = typename output_part_of<C, K>::type;
  // Its block's offset, per sample, in the call's buffer.
  static constexpr std::size_t offset = output_part_of<C, K>::offset;
  // The output carries the call's mask; the states carry none (Keras's).
  // A layer with several outputs that carry it says part_keeps_mask<K>
  // (Bidirectional with merge_mode none).
  static constexpr bool masked = C::masked && [] {
    if constexpr (requires { C::layer_type::template part_keeps_mask<K>; })
      return C::layer_type::template part_keeps_mask<K>;
    else
      return K == 0;
  }();

  C call;

  explicit output_node(const C& c) : call(c) {}
  const void* id() const { return tag_.get(); }
  std::uint64_t seq() const { return tag_->seq; }

 private:
  std::shared_ptr<const node_tag> tag_ = std::make_shared<const node_tag>();
};
template <std::size_t K, class C>
inline constexpr bool is_node<output_node<K, C>> = true;
template <class N>
inline constexpr bool is_output_node = false;
template <std::size_t K, class C>
inline constexpr bool is_output_node<output_node<K, C>> = true;

template <class C>
auto split_outputs(C node) {
  constexpr std::size_t count = output_count<typename C::layer_type>;
  if constexpr (count == 1)
    return node;
  else
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return std::tuple<output_node<K, C>...>{output_node<K, C>(node)...};
    }
  (std::make_index_sequence<count>{});
}

template <class N>
struct node_parents {
  using type = type_list<>;
};
template <class L, class... P>
struct node_parents<call_node<L, P...>> {
  using type = type_list<P...>;
};
template <std::size_t K, class C>
struct node_parents<output_node<K, C>> {
  using type = type_list<C>;
};
}  // namespace detail

// ketl::shared(layer): one layer whose every call shares its weights, as a
// Keras layer object called twice does. (A plain layer object called twice
// is two layers, as a Keras layer constructed twice would be.) Its gradient
// is the sum over every use.
template <class L>
class shared_layer {
 public:
  explicit shared_layer(L layer) : layer_(std::make_shared<L>(std::move(layer))) {}
  template <class... P>
  requires(sizeof...(P) > 0 && (detail::is_node<P> && ...)) auto operator()(
      const P&... inputs) const {
    return detail::split_outputs(detail::call_node<L, P...>(layer_, inputs...));
  }
  L& layer() { return *layer_; }
  const L& layer() const { return *layer_; }

 private:
  std::shared_ptr<L> layer_;
};

template <class L>
shared_layer<L> shared(L layer) {
  return shared_layer<L>(std::move(layer));
}

// inputs(a, b) and outputs(c, d): a Model's inputs and outputs, in order.
template <class... N>
struct InputList {
  std::tuple<N...> nodes;
};
template <class... N>
struct OutputList {
  std::tuple<N...> nodes;
};
template <class... N>
requires(sizeof...(N) > 0 &&
         (detail::is_input<N>::value && ...)) InputList<N...> inputs(const N&... nodes) {
  return {{nodes...}};
}
template <class... N>
requires(sizeof...(N) > 0 &&
         (detail::is_node<N> && ...)) OutputList<N...> outputs(const N&... nodes) {
  return {{nodes...}};
}

}  // namespace ketl
