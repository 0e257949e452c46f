// What a recurrent layer is called with: the shapes of a call (its
// sequence, or its sequence and initial states) and the options that stay
// run-time values (detail/recurrent_core.hpp uses both).
#pragma once

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ketl/initializers.hpp"
#include "ketl/shape.hpp"

namespace ketl::detail {

template <class... T>
struct type_list;  // detail/shape_chain.hpp

// What a recurrent layer is called on: its sequence (timesteps, features),
// or, Keras's initial_state, a type_list of the sequence and one (units)
// state per state the layer has (h, and LSTM's c).
template <class In, std::size_t Units, std::size_t States>
struct rnn_call {
  using seq = In;
  static constexpr bool with_states = false;
  static constexpr bool fits = In::rank == 2;
};
template <class In, class... S, std::size_t Units, std::size_t States>
struct rnn_call<type_list<In, S...>, Units, States> {
  using seq = In;
  static constexpr bool with_states = true;
  static constexpr bool fits =
      In::rank == 2 && sizeof...(S) == States && (std::is_same_v<S, Shape<Units>> && ...);
};

// What a Bidirectional is called on: its sequence, or, Keras's
// initial_state, the sequence, then the forward layer's FS states, then the
// backward layer's (Keras splits the list in halves). fwd and bwd are the
// calls its two layers get.
template <class In, std::size_t FS, std::size_t BS>
struct bidirectional_call {
  using seq = In;
  using fwd = In;
  using bwd = In;
  static constexpr bool with_states = false;
  static constexpr bool fits = true;
};
template <class In, class... S, std::size_t FS, std::size_t BS>
struct bidirectional_call<type_list<In, S...>, FS, BS> {
  template <std::size_t From, std::size_t... I>
  static auto slice(std::index_sequence<I...>)
      -> type_list<In, std::tuple_element_t<From + I, std::tuple<S...>>...>;
  static constexpr bool fits = sizeof...(S) == FS + BS;
  using seq = In;
  using fwd = decltype(slice<0>(std::make_index_sequence<(fits ? FS : 0)>{}));
  using bwd = decltype(slice<FS>(std::make_index_sequence<(fits ? BS : 0)>{}));
  static constexpr bool with_states = true;
};

// Keras's options that stay run-time values.
struct recurrent_options {
  Initializer kernel_initializer = initializers::glorot_uniform();
  Initializer recurrent_initializer = initializers::orthogonal();
  Initializer bias_initializer = initializers::zeros();
  // LSTM only: the forget gate's bias starts at 1 (Keras's default).
  bool unit_forget_bias = true;
  // In training, the fraction of the inputs' and of the state's units
  // dropped, one mask per sequence for all its steps (variational dropout,
  // Keras's dropout and recurrent_dropout); each in [0, 1).
  float dropout = 0.0f;
  float recurrent_dropout = 0.0f;
  std::string name = {};
};

}  // namespace ketl::detail
