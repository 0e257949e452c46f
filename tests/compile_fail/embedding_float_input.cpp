// Embedding reads token indices: its input must be an integer Input, as
// Keras's Input(dtype='int32').
#include <cstdint>

#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<10>{}, ketl::Embedding<100, 8>{}, ketl::LSTM<4>{}};
#else
  auto model = ketl::Sequential{ketl::Input<10>::of<std::int32_t>{}, ketl::Embedding<100, 8>{},
                                ketl::LSTM<4>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: ketl::Embedding reads token indices: call it on an integer Input
// EXPECT-ERROR: layer_at_index_takes_input_shape<1, ketl::Embedding<100, 8.*ketl::Shape<10>
