// A model whose output still carries a mask would need Keras's masked loss,
// which ketl does not have yet: the sequence must end in an RNN that returns
// its last output. The functional API refuses it the same way.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  using Last = ketl::LSTM<4, ketl::rnn{.return_sequences = true}>;
#else
  using Last = ketl::LSTM<4>;
#endif
  auto model = ketl::Sequential{ketl::Input<6, 2>{}, ketl::Masking{-1.0f}, Last{}};
  (void)model;
}
// EXPECT-ERROR: the model's output carries a mask
