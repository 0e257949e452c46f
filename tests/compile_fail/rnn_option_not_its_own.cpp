// reset_after is GRU's option: an LSTM given it is a mistake, not a no-op.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  ketl::LSTM<16, ketl::rnn{.reset_after = true}> layer;
#else
  ketl::GRU<16, ketl::rnn{.reset_after = true}> layer;
#endif
  (void)layer;
}
// EXPECT-ERROR: ketl::LSTM: reset_after is GRU's option
