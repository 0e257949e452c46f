// A 7x7 kernel cannot slide over a 5x5 image without padding. The error
// names the layer's index (1), the layer, the input shape and the window.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model =
      ketl::Sequential{ketl::Input<5, 5, 1>{}, ketl::Conv2D<4, ketl::conv2d{.kernel = {7, 7}}>{}};
#else
  auto model =
      ketl::Sequential{ketl::Input<7, 7, 1>{}, ketl::Conv2D<4, ketl::conv2d{.kernel = {7, 7}}>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: ketl::Conv2D: the \(dilated\) kernel is larger than its input
// EXPECT-ERROR: layer_at_index_takes_input_shape<1, ketl::Conv2D<4, (ketl::conv2d)?\{
// EXPECT-ERROR: window_fits_input<ketl::detail::window<7, 7>, ketl::Shape<5, 5, 1>
