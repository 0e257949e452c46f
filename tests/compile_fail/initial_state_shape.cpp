// Keras's initial_state: an LSTM takes its sequence, then h and c, each of
// its own (units). A state of another size, or a missing c, does not
// compile, and the message names the layer and the shapes.
#include <ketl/ketl.hpp>

int main() {
  auto x = ketl::Input<5, 3>{};
  auto z = ketl::Input<8>{};
  auto h = ketl::Dense<4>{}(z);
#ifdef KETL_SHOULD_FAIL
  auto c = ketl::Dense<6>{}(z);
#else
  auto c = ketl::Dense<4>{}(z);
#endif
  auto out = ketl::LSTM<4>{}(x, h, c);
  auto model = ketl::Model(ketl::inputs(x, z), ketl::outputs(out));
  (void)model;
}
// EXPECT-ERROR: a recurrent layer takes its \(timesteps, features\) sequence, then one
// EXPECT-ERROR: initial_state_call_check<ketl::LSTM<4.*Shape<5, 3>, ketl::Shape<4>, ketl::Shape<6>
