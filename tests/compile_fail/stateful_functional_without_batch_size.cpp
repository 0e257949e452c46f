// The functional API checks the same: a stateful layer needs its Input's
// batch size fixed.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto in = ketl::Input<8, 4>{};
#else
  auto in = ketl::Input<8, 4>::batch<32>{};
#endif
  auto out = ketl::Dense<1>{}(ketl::GRU<16, ketl::rnn{.stateful = true}>{}(in));
  auto model = ketl::Model{in, out};
  (void)model;
}
// EXPECT-ERROR: a stateful layer needs the model's batch size fixed
