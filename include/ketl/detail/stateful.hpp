// Stateful layers and the fixed batch size they need (Keras's
// batch_input_shape): which layers carry state between batches, the check
// that a model with one fixes its batch size, and resetting them.
#pragma once

#include <cstddef>

namespace ketl::detail {

// A layer that carries state between batches (rnn{.stateful = true}).
template <class L>
constexpr bool is_stateful() {
  if constexpr (requires { L::stateful; })
    return bool(L::stateful);
  else
    return false;
}

// The layer at index I is stateful and the model's batch size B is not
// fixed: the failed instantiation names both.
template <std::size_t I, class L, std::size_t B>
struct stateful_layer_at_index_needs_a_fixed_batch_size {
  static_assert(B > 0,
                "ketl: a stateful layer needs the model's batch size fixed: start the model "
                "with ketl::Input<d...>::batch<N>{} (Keras's batch_input_shape)");
  static constexpr bool value = B > 0;
};
template <std::size_t I, class L, std::size_t B>
constexpr bool stateful_ok() {
  if constexpr (is_stateful<L>())
    return stateful_layer_at_index_needs_a_fixed_batch_size<I, L, B>::value;
  else
    return true;
}

// Keras's layer.reset_states(), for any layer: a no-op without state.
template <class L>
void reset_layer_states(L& l) {
  if constexpr (requires { l.reset_states(); }) l.reset_states();
}

}  // namespace ketl::detail
