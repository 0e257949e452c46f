// How masks flow, Keras's way, decided at compile time. A mask says which
// timesteps of a (timesteps, features) tensor are padding: one value per
// sample and step, 1 for a real step and 0 for padding.
//
// - A layer that makes a mask (Masking, Embedding with mask_zero) writes it
//   at the start of its scratch, (n, timesteps) values, in forward.
// - A layer that supports masking (Keras's supports_masking) may take a
//   masked input; the network hands it the mask in Pass::mask. It passes
//   the mask on (keeps_mask: Dense, Dropout, TimeDistributed, an RNN with
//   return_sequences) or consumes it (an RNN returning its last output).
// - Any other layer refuses a masked input at compile time, as Keras 2.2.4
//   raises "Layer ... does not support masking" when the model is built.
#pragma once

#include <cstddef>

namespace ketl::detail {

template <class L>
inline constexpr bool makes_mask = requires {
  requires L::makes_mask;
};
template <class L>
inline constexpr bool supports_masking = requires {
  requires L::supports_masking;
};
// Whether L's output carries its masked input's mask (by default, a layer
// that supports masking passes it on).
template <class L>
constexpr bool keeps_mask() {
  if constexpr (requires { L::keeps_mask; })
    return L::keeps_mask;
  else
    return supports_masking<L>;
}

// Whether L's output is masked, given whether its input is.
template <class L>
constexpr bool output_masked(bool input_masked) {
  return makes_mask<L> || (input_masked && keeps_mask<L>());
}

// Whether layer_type may take an input that carries a mask (a named
// condition: the compilers print it when the static_assert below fails).
template <class layer_type, bool input_is_masked>
struct layer_supports_the_mask_of_its_input {
  static constexpr bool value =
      !input_is_masked || supports_masking<layer_type> || makes_mask<layer_type>;
};

template <class L, bool Masked>
constexpr bool check_mask_link() {
  static_assert(layer_supports_the_mask_of_its_input<L, Masked>::value,
                "ketl: this layer does not support masking, but its input carries a mask (from "
                "Embedding mask_zero or Masking), as Keras refuses; end the masked sequence with "
                "a recurrent layer that returns its last output (return_sequences = false) first");
  return layer_supports_the_mask_of_its_input<L, Masked>::value;
}

}  // namespace ketl::detail
