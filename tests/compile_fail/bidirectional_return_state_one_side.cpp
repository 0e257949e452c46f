// With return_state, a Bidirectional gives its output and both directions'
// states: a backward layer of another type must return its states too.
#include <ketl/ketl.hpp>

int main() {
  using Forward = ketl::LSTM<4, ketl::rnn{.return_state = true}>;
#ifdef KETL_SHOULD_FAIL
  using Backward = ketl::GRU<4, ketl::rnn{.go_backwards = true}>;
#else
  using Backward = ketl::GRU<4, ketl::rnn{.go_backwards = true, .return_state = true}>;
#endif
  auto x = ketl::Input<6, 3>{};
  auto [y, fh, fc, bh] = ketl::Bidirectional<Forward, ketl::merge_mode::concat, Backward>{}(x);
  auto model = ketl::Model(x, y);
  (void)fh, (void)fc, (void)bh, (void)model;
}
// EXPECT-ERROR: both layers must return their states, or neither
