// Kernel 3 at dilation 3 spans 7 steps: 6 steps would give an empty
// output. causal padding (or 7 steps) fits.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Sequential{ketl::Input<6, 2>{},
                                ketl::Conv1D<4, ketl::conv1d{.kernel = 3, .dilation = 3}>{}};
#else
  auto model = ketl::Sequential{
      ketl::Input<6, 2>{},
      ketl::Conv1D<4, ketl::conv1d{.kernel = 3, .padding = ketl::causal, .dilation = 3}>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: ketl::Conv1D: the \(dilated\) kernel is longer than its input
// EXPECT-ERROR: window_fits_input<ketl::detail::window<7>, ketl::Shape<6, 2>
// EXPECT-ERROR: layer_at_index_takes_input_shape<1, ketl::Conv1D<4
