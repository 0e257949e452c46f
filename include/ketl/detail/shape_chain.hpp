// How Sequential checks its layer pack: the shape flows from Input through
// each layer at compile time. A link that does not fit stops the flow with
// one static_assert that names the layer's index, its type and the shape it
// was given, plus the layer's own reason; everything after it sees
// `invalid_shape` and stays quiet, so the first error is the only one.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ketl/layers/input.hpp"
#include "ketl/shape.hpp"

namespace ketl::detail {

// What follows a link that does not fit. It answers the questions a Shape
// answers, so that declarations downstream of the error stay quiet.
struct invalid_shape {
  static constexpr std::size_t rank = 1, size = 1, last = 1, outer = 1;
  static constexpr std::array<std::size_t, 1> dims{1};
};

// The shape a pack starts from: its Input's, if it starts with one.
template <class... L>
struct start_shape {
  using type = invalid_shape;
};
template <std::size_t... D, class... L>
struct start_shape<Input<D...>, L...> {
  using type = Shape<D...>;
};
template <class E, std::size_t... D, class... L>
struct start_shape<TypedInput<E, D...>, L...> {
  using type = IndexShape<D...>;
};
template <std::size_t B, class I, class... L>
struct start_shape<BatchInput<B, I>, L...> : start_shape<I, L...> {};

// Token indices go to a layer that reads them (Embedding), and such a layer
// takes nothing else; an Input passes its own shape on.
template <class L, class In>
inline constexpr bool index_link_ok = is_input<L>::value || index_compatible<L, In>;
// The reason, when index_link_ok is false.
template <class L, class In>
constexpr void check_index_link() {
  if constexpr (!is_input<L>::value) {
    static_assert(!reads_indices<L> || is_index_shape<In>,
                  "ketl::Embedding reads token indices: call it on an integer Input, "
                  "ketl::Input<d...>::of<std::int32_t>, as Keras's Input(dtype='int32')");
    static_assert(reads_indices<L> || !is_index_shape<In>,
                  "ketl: an integer Input (token indices) feeds only an Embedding, as in "
                  "Keras 2.2.4; give float data a plain Input<d...>");
  }
}

template <class... T>
struct type_list {};

template <class List>
struct list_size;
template <class... T>
struct list_size<type_list<T...>> : std::integral_constant<std::size_t, sizeof...(T)> {};
template <class List>
inline constexpr std::size_t list_count = list_size<List>::value;

template <class T, class List>
struct prepend;
template <class T, class... Ts>
struct prepend<T, type_list<Ts...>> {
  using type = type_list<T, Ts...>;
};

template <std::size_t I, class List>
struct at;
template <std::size_t I, class... Ts>
struct at<I, type_list<Ts...>> {
  using type = std::tuple_element_t<I, std::tuple<Ts...>>;
};

// Whether the layer at layer_index (the Input is 0), of layer_type, takes
// input_shape. A named condition: the compilers print it, with the index
// and the shapes as numbers, when the static_assert below fails ("...
// layer_at_index_takes_input_shape<3, ketl::Reshape<3, 5>, ketl::Shape<16>>
// ::value' evaluates to false").
template <std::size_t layer_index, class layer_type, class input_shape>
struct layer_at_index_takes_input_shape {
  static constexpr bool value =
      index_link_ok<layer_type, input_shape> && layer_type::template accepts<input_shape>;
};

template <bool Fits, class L, class In>
struct output_of {
  using type = invalid_shape;
};
template <class L, class In>
struct output_of<true, L, In> {
  using type = typename L::template output_shape<In>;
};

// One link of the flow. It is quiet: a layer that cannot take its input
// gives invalid_shape, and the model reports its first bad link (bad_link,
// report_bad_link) from its own class, where the error's backtrace is short.
template <std::size_t I, class L, class In>
struct link {
  static constexpr bool fits = index_link_ok<L, In> && L::template accepts<In>;
  using output = typename output_of<fits, L, In>::type;
};
template <std::size_t I, class L>
struct link<I, L, invalid_shape> {
  using output = invalid_shape;
};

// Input at index 0 is checked against its own shape; any later Input fails.
template <class L, std::size_t I>
inline constexpr bool misplaced_input = is_input<L>::value&& I > 0;

template <std::size_t I, class L, class In>
struct next_shape {
  using type =
      std::conditional_t<misplaced_input<L, I>, invalid_shape, typename link<I, L, In>::output>;
};

// The shape flow as a fold, not a recursion: every link is instantiated
// from one place, so a failed link's error has a short backtrace.
template <class... S>
struct shape_flow {};
template <std::size_t I, class L>
struct layer_step {};
template <class... S, std::size_t I, class L>
auto operator<<(shape_flow<S...>, layer_step<I, L>) -> shape_flow<
    S..., typename next_shape<I, L, typename at<sizeof...(S) - 1, type_list<S...>>::type>::type>;

template <class Start, class... L, std::size_t... I>
auto flow_of(std::index_sequence<I...>)
    -> decltype((shape_flow<Start>{} << ... << layer_step<I, L>{}));

template <class Flow>
struct outputs_of;
template <class Start, class... S>
struct outputs_of<shape_flow<Start, S...>> {
  using type = type_list<S...>;
};

// The output shape of each layer of the pack L..., starting from Start.
template <std::size_t I0, class Start, class... L>
struct chain {
  using outputs =
      typename outputs_of<decltype(flow_of<Start, L...>(std::index_sequence_for<L...>{}))>::type;
};

// The index of the first layer that cannot take its input (the Input is
// 0), or the pack's size when every link fits.
template <class Start, class Outputs, class... L>
struct bad_link;
template <class Start, class... S, class... L>
struct bad_link<Start, type_list<S...>, L...> {
  static constexpr std::size_t value = [] {
    constexpr bool bad[] = {(std::is_same_v<S, invalid_shape>)..., false};
    std::size_t i = 0;
    while (i < sizeof...(S) && !bad[i]) ++i;
    return i;
  }();
};

// The element type the layers agree on (float when none fixes one).
template <class... Ts>
struct common_value_type;
template <class T, class... Ts>
struct common_value_type<T, Ts...> {
  using rest = typename common_value_type<Ts...>::type;
  using type = std::conditional_t<std::is_same_v<T, void>, rest, T>;
  // Whether every layer that fixes an element type fixes this one.
  static constexpr bool agree = ((std::is_same_v<Ts, void> || std::is_same_v<Ts, type>)&&...) &&
                                common_value_type<Ts...>::agree_rest;
  static constexpr bool agree_rest = agree;
};
template <>
struct common_value_type<> {
  using type = float;
  static constexpr bool agree = true, agree_rest = true;
};

// The checks of a pack L..., its shapes flowed from Start to Outputs: the
// first fault is reported, with a message whose condition names the layer's
// index, its type and the shape it was given, then the layer's own reason
// (its static_assert, with the numbers it compared). A function, not a
// class: a failed static_assert in a class leaves the class invalid, and
// Clang then reports every later read of its members too. The model calls
// it in a decltype (its return type is deduced from its body), which reads
// nothing from it, so nothing cascades.
template <class Start, class Outputs, class... L>
constexpr auto sequential_pack_check() {
  constexpr std::size_t n = sizeof...(L);
  constexpr std::size_t misplaced = [] {
    constexpr bool m[] = {(is_input<L>::value)..., false};
    std::size_t i = 1;
    while (i < n && !m[i]) ++i;
    return i;
  }();
  constexpr std::size_t bad = bad_link<Start, Outputs, L...>::value;
  if constexpr (std::is_same_v<Start, invalid_shape>) {
    static_assert(is_input<std::tuple_element_t<0, std::tuple<L..., void>>>::value,
                  "ketl::Sequential: the first layer must be ketl::Input<d...>, which sets the "
                  "model's input shape");
  } else if constexpr (misplaced < n) {
    static_assert(misplaced >= n, "ketl::Sequential: ketl::Input can only be the first layer");
  } else if constexpr (bad < n) {
    using layer = std::tuple_element_t<bad, std::tuple<L...>>;
    using in =
        std::conditional_t<bad == 0, Start, typename at<(bad == 0 ? 0 : bad - 1), Outputs>::type>;
    static_assert(
        layer_at_index_takes_input_shape<bad, layer, in>::value,
        "ketl::Sequential: a layer cannot take the output shape of the layer before it; "
        "the condition names the layer's index (the Input is 0), its type and that shape");
    if constexpr (!index_link_ok<layer, in>)
      check_index_link<layer, in>();
    else
      layer::template check_input<in>();
  }
  static_assert(common_value_type<layer_value_type_t<L>...>::agree,
                "ketl::Sequential: all layers with weights must use one element type");
  return true;
}

}  // namespace ketl::detail
