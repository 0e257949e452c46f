// Keras's initial_state for a Bidirectional: the forward layer's states,
// then the backward layer's. A Bidirectional LSTM takes four (h and c of
// each direction); given an LSTM's two, it does not compile, and the
// message says what it takes.
#include <ketl/ketl.hpp>

int main() {
  auto x = ketl::Input<5, 3>{};
  auto z = ketl::Input<8>{};
  auto h = ketl::Dense<4>{}(z);
  auto c = ketl::Dense<4>{}(z);
#ifdef KETL_SHOULD_FAIL
  auto out = ketl::Bidirectional<ketl::LSTM<4>>{}(x, h, c);
#else
  auto out = ketl::Bidirectional<ketl::LSTM<4>>{}(x, h, c, h, c);
#endif
  auto model = ketl::Model(ketl::inputs(x, z), ketl::outputs(out));
  (void)model;
}
// EXPECT-ERROR: a Bidirectional takes its \(timesteps, features\) sequence, then the
// EXPECT-ERROR: initial_state_call_check<ketl::Bidirectional<ketl::LSTM<4
