// The compile-time facts the functional network reads from each node type:
// its value type, whether it calls a layer, its parents, and its layer's
// protocol (merge or single input, parameter and scratch sizes).
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "ketl/detail/shape_chain.hpp"
#include "ketl/layer.hpp"
#include "ketl/layers/concatenate.hpp"
#include "ketl/models/graph.hpp"
#include "ketl/models/node.hpp"

namespace ketl::models {

namespace detail {
using namespace ketl::detail;

template <class N>
struct node_value_type {
  using type = void;
};
template <class L, class... P>
struct node_value_type<call_node<L, P...>> {
  using type = layer_value_type_t<L>;
};
template <class List>
struct nodes_value_type;
template <class... N>
struct nodes_value_type<type_list<N...>> {
  using type = typename common_value_type<typename node_value_type<N>::type...>::type;
};

template <class N>
inline constexpr bool is_call = false;
template <class L, class... P>
inline constexpr bool is_call<call_node<L, P...>> = true;

template <class N>
constexpr std::size_t parent_count() {
  return list_count<typename node_parents<N>::type>;
}
template <class List>
struct max_parents;
template <class... N>
struct max_parents<type_list<N...>> {
  static constexpr std::size_t value = std::max({std::size_t{1}, parent_count<N>()...});
};

// A call node's layer protocol, whatever the layer's arity.
template <class N>
struct node_traits {
  using L = typename N::layer_type;
  template <class... P>
  static auto in_shapes(type_list<P...>*) -> type_list<typename P::shape...>;
  using inputs = decltype(in_shapes(static_cast<typename N::parents*>(nullptr)));
  using first_input = typename at<0, inputs>::type;
  // Several inputs: a merge layer, or an RNN with initial_state.
  static constexpr bool merge = is_merge_layer<L> || parent_count<N>() > 1;
  using protocol_input = std::conditional_t<merge, inputs, first_input>;
  static constexpr std::size_t params = L::template param_count<protocol_input>;
  static constexpr std::size_t fixed_params = ketl::detail::fixed_param_count<L, protocol_input>();
  // A merge whose output carries a mask writes it, (N, steps), at the start
  // of its scratch (models/functional_parts.hpp's merge_masks); such merges
  // keep no scratch of their own.
  static constexpr std::size_t mask_room = is_merge_layer<L> && N::masked ? N::shape::dims[0] : 0;
  static_assert(mask_room == 0 || L::template scratch_per_sample<protocol_input> == 0);
  static constexpr std::size_t scratch = L::template scratch_per_sample<protocol_input> + mask_room;
  // Whether its masks join along the time axis (Concatenate<1> of
  // sequences), else their AND.
  static constexpr bool mask_concat = [] {
    if constexpr (requires { L::axis; })
      return feature_axis<L::axis, first_input::rank>() == 0;
    else
      return false;
  }();
};

template <class N>
constexpr std::size_t param_count_of() {
  if constexpr (is_call<N>)
    return node_traits<N>::params;
  else
    return 0;
}

// The bound on Input I's token indices: the smallest input_dim of the
// Embeddings called on it among the nodes N...; none when there are none.
template <class I, class... N>
constexpr std::size_t index_limit_on(ketl::detail::type_list<N...>*) {
  std::size_t limit = std::size_t(-1);
  (
      [&] {
        if constexpr (is_call<N>)
          if constexpr (std::is_same_v<typename N::parents, ketl::detail::type_list<I>>)
            limit = std::min(limit, ketl::detail::index_limit_of<typename N::layer_type>());
      }(),
      ...);
  return limit;
}
}  // namespace detail

}  // namespace ketl::models
