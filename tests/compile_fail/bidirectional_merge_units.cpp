// Summing, multiplying or averaging two directions needs them the same
// width; concatenating joins any two.
#include <ketl/ketl.hpp>

int main() {
  using Forward = ketl::LSTM<8, ketl::rnn{.return_sequences = true}>;
  using Backward = ketl::GRU<4, ketl::rnn{.return_sequences = true, .go_backwards = true}>;
#ifdef KETL_SHOULD_FAIL
  constexpr auto mode = ketl::merge_mode::sum;
#else
  constexpr auto mode = ketl::merge_mode::concat;
#endif
  auto model = ketl::Sequential{ketl::Input<6, 3>{}, ketl::Bidirectional<Forward, mode, Backward>{},
                                ketl::Flatten{}, ketl::Dense<1>{}};
  (void)model;
}
// EXPECT-ERROR: merge_mode sum, mul and ave need both layers to have the same units
