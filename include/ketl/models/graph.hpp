// The functional Model's graph at compile time.
//
// A node's type holds its layer and its parents' types, so the outputs'
// types hold the whole graph. `graph<Inputs, Outputs>` walks it depth first
// from the outputs, each node type once (memoised: a residual chain, where
// every node's type appears in two places, stays linear), and lists the node
// types in post order: a topological order, fixed at compile time, in which
// every node comes after its parents. For each node it gives its parents'
// positions, whether anything consumes it, and the checks that the graph
// is connected: every Input it reaches is one of the declared inputs, and
// every declared input reaches an output.
//
// Two calls of one layer type on one parent have one type but are two
// nodes (Dense<32>{}(x), twice, is two layers). So a position is a node
// *type*; models/functional_network.hpp finds at run time which node
// objects (usually one) each position holds, by their identity.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>

#include "ketl/detail/shape_chain.hpp"
#include "ketl/layers/input.hpp"
#include "ketl/models/node.hpp"

namespace ketl::detail {

template <class T, class List>
struct index_in;
template <class T>
struct index_in<T, type_list<>> : std::integral_constant<std::size_t, 0> {};
template <class T, class... Rest>
struct index_in<T, type_list<T, Rest...>> : std::integral_constant<std::size_t, 0> {};
template <class T, class U, class... Rest>
struct index_in<T, type_list<U, Rest...>>
    : std::integral_constant<std::size_t, 1 + index_in<T, type_list<Rest...>>::value> {};

template <class T, class List>
inline constexpr bool in_list = false;
template <class T, class... Ts>
inline constexpr bool in_list<T, type_list<Ts...>> = (std::is_same_v<T, Ts> || ...);

template <class List, class T>
struct append;
template <class... Ts, class T>
struct append<type_list<Ts...>, T> {
  using type = type_list<Ts..., T>;
};

// Post-order depth-first visit, each type once.
template <class Seen, class... Nodes>
struct visit_all {
  using type = Seen;
};
template <class Seen, class Node, bool Known = in_list<Node, Seen>>
struct visit_one {
  using type = Seen;
};
template <class Seen, class Node, class Parents>
struct visit_with_parents;
template <class Seen, class Node, class... P>
struct visit_with_parents<Seen, Node, type_list<P...>> {
  using type = typename append<typename visit_all<Seen, P...>::type, Node>::type;
};
template <class Seen, class Node>
struct visit_one<Seen, Node, false> {
  using type = typename visit_with_parents<Seen, Node, typename node_parents<Node>::type>::type;
};
template <class Seen, class Node, class... Rest>
struct visit_all<Seen, Node, Rest...> {
  using type = typename visit_all<typename visit_one<Seen, Node>::type, Rest...>::type;
};

template <class Node, class Nodes>
struct parent_positions;
template <class L, class... P, class Nodes>
struct parent_positions<call_node<L, P...>, Nodes> {
  static constexpr std::array<std::size_t, sizeof...(P)> value{index_in<P, Nodes>::value...};
};
template <std::size_t K, class C, class Nodes>
struct parent_positions<output_node<K, C>, Nodes> {
  static constexpr std::array<std::size_t, 1> value{index_in<C, Nodes>::value};
};
template <std::size_t... D, class Nodes>
struct parent_positions<Input<D...>, Nodes> {
  static constexpr std::array<std::size_t, 0> value{};
};
template <class E, std::size_t... D, class Nodes>
struct parent_positions<TypedInput<E, D...>, Nodes> {
  static constexpr std::array<std::size_t, 0> value{};
};
template <std::size_t B, class I, class Nodes>
struct parent_positions<BatchInput<B, I>, Nodes> : parent_positions<I, Nodes> {};

template <class Node, class Nodes>
struct has_consumer;
template <class Node, class... N>
struct has_consumer<Node, type_list<N...>>
    : std::bool_constant<(in_list<Node, typename node_parents<N>::type> || ...)> {};

template <class... T>
inline constexpr bool any_invalid = (std::is_same_v<typename T::shape, invalid_shape> || ...);

// Instantiated for an output that reaches an Input the model was not given:
// its arguments name that Input's type.
template <class UndeclaredInput>
struct output_depends_on_undeclared_input {
  static constexpr bool ok = false;
  static_assert(sizeof(UndeclaredInput) == 0,
                "ketl::Model: an output depends on an Input (UndeclaredInput) that is not among "
                "the model's inputs(...)");
};
// Instantiated for a declared input that no output reaches.
template <class UnusedInput>
struct input_reaches_no_output {
  static constexpr bool ok = false;
  static_assert(sizeof(UnusedInput) == 0,
                "ketl::Model: an input (UnusedInput) reaches no output; give only the inputs the "
                "outputs are computed from");
};

template <class Inputs, class Outputs>
struct graph;
template <class... In, class... Out>
struct graph<type_list<In...>, type_list<Out...>> {
  using nodes = typename visit_all<type_list<>, Out...>::type;
  static constexpr std::size_t size = list_count<nodes>;
  static constexpr bool well_formed = !any_invalid<Out...>;

  template <class N>
  static constexpr bool declared() {
    if constexpr (is_input<N>::value) {
      if constexpr (!in_list<N, type_list<In...>>) return output_depends_on_undeclared_input<N>::ok;
    }
    return true;
  }
  template <class I>
  static constexpr bool used() {
    if constexpr (!in_list<I, nodes>)
      return input_reaches_no_output<I>::ok;
    else
      return true;
  }
  static constexpr bool connected = []<class... N>(type_list<N...>*) {
    return (declared<N>() && ...) && (used<In>() && ...);
  }(static_cast<nodes*>(nullptr));
};

}  // namespace ketl::detail
