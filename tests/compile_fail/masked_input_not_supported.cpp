// A layer without Keras's supports_masking (Flatten here) cannot take a
// masked sequence: Keras 2.2.4 raises "does not support masking" when the
// model is built; ketl refuses to compile it.
#include <cstdint>

#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  using Emb = ketl::Embedding<100, 8, ketl::embedding{.mask_zero = true}>;
#else
  using Emb = ketl::Embedding<100, 8>;
#endif
  auto model = ketl::Sequential{ketl::Input<10>::of<std::int32_t>{}, Emb{}, ketl::Flatten{},
                                ketl::Dense<1>{}};
  (void)model;
}
// EXPECT-ERROR: this layer does not support masking, but its input carries a mask
// EXPECT-ERROR: layer_supports_the_mask_of_its_input<ketl::Flatten, true>
