// Stacked recurrent layers: the first must return its whole sequence
// (return_sequences), or the second gets one state vector and no time axis.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<8, 16>{}, ketl::GRU<32>{}, ketl::GRU<32>{}};
#else
  auto model = ketl::Sequential{
      ketl::Input<8, 16>{}, ketl::GRU<32, ketl::rnn{.return_sequences = true}>{}, ketl::GRU<32>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: ketl::GRU takes \(timesteps, features\) samples.*return_sequences = true
// EXPECT-ERROR: layer_at_index_takes_input_shape<2, ketl::GRU<32.*ketl::Shape<32>
