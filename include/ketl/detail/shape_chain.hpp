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

// Instantiated once per link. Read the template arguments in the compiler's
// "in instantiation of" line: they are the layer's index, type and input.
template <std::size_t LayerIndex, class LayerType, class InputShape>
struct sequential_link_check {
  static constexpr bool fits = LayerType::template accepts<InputShape>;
  // The layer's own reason first: its static_assert shows the numbers.
  static_assert((LayerType::template check_input<InputShape>(), true));
  static_assert(fits,
                "ketl::Sequential: the layer at LayerIndex cannot take InputShape, the output "
                "shape of the layer before it");
};

template <bool Fits, class L, class In>
struct output_of {
  using type = invalid_shape;
};
template <class L, class In>
struct output_of<true, L, In> {
  using type = typename L::template output_shape<In>;
};

template <std::size_t I, class L, class In>
struct link {
  // The type flow does not read the check's members: after a failed
  // static_assert Clang treats them as int, and the errors would cascade.
  static constexpr bool fits = L::template accepts<In>;
  static_assert(fits || !sequential_link_check<I, L, In>::fits);
  using output = typename output_of<fits, L, In>::type;
};
template <std::size_t I, class L>
struct link<I, L, invalid_shape> {
  using output = invalid_shape;
};

// Input at index 0 is checked against its own shape; any later Input fails.
template <class L, std::size_t I>
inline constexpr bool misplaced_input = is_input<L>::value&& I > 0;

template <std::size_t I, class In, class... Ls>
struct chain {
  using outputs = type_list<>;
};
template <std::size_t I, class In, class L, class... Ls>
struct chain<I, In, L, Ls...> {
  static_assert(!misplaced_input<L, I>,
                "ketl::Sequential: ketl::Input can only be the first layer");
  using here =
      std::conditional_t<misplaced_input<L, I>, invalid_shape, typename link<I, L, In>::output>;
  using outputs = typename prepend<here, typename chain<I + 1, here, Ls...>::outputs>::type;
};

// The element type the layers agree on (float when none fixes one).
template <class... Ts>
struct common_value_type {
  using type = float;
};
template <class T, class... Ts>
struct common_value_type<T, Ts...> {
  using rest = typename common_value_type<Ts...>::type;
  static constexpr bool rest_fixed = !(std::is_same_v<Ts, void> && ...);
  static_assert(std::is_same_v<T, void> || !rest_fixed || std::is_same_v<T, rest>,
                "ketl::Sequential: all layers with weights must use one element type");
  using type = std::conditional_t<std::is_same_v<T, void>, rest, T>;
};

}  // namespace ketl::detail
