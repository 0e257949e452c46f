// An RNN with return_state gives several outputs (the output, then its
// states): a Sequential has one tensor between layers, so it refuses the
// layer, as Keras's Sequential does; the functional API takes it.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  using Rnn = ketl::LSTM<4, ketl::rnn{.return_state = true}>;
#else
  using Rnn = ketl::LSTM<4>;
#endif
  auto model = ketl::Sequential{ketl::Input<5, 3>{}, Rnn{}, ketl::Dense<1>{}};
  (void)model;
}
// EXPECT-ERROR: a layer with several outputs \(return_state\) needs the functional API
