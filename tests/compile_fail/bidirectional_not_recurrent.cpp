// Bidirectional runs a recurrent layer both ways: a Dense has no direction.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  using Inner = ketl::Dense<8>;
#else
  using Inner = ketl::SimpleRNN<8>;
#endif
  auto model =
      ketl::Sequential{ketl::Input<6, 3>{}, ketl::Bidirectional<Inner>{}, ketl::Dense<1>{}};
  (void)model;
}
// EXPECT-ERROR: ketl::Bidirectional wraps a recurrent layer \(SimpleRNN, LSTM, GRU\)
