// A 3x3 pool over a 2x2 map with padding valid has no window to take.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model =
      ketl::Sequential{ketl::Input<2, 2, 4>{}, ketl::MaxPooling2D<ketl::pool2d{.size = {3, 3}}>{}};
#else
  auto model =
      ketl::Sequential{ketl::Input<2, 2, 4>{},
                       ketl::MaxPooling2D<ketl::pool2d{.size = {3, 3}, .padding = ketl::same}>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: ketl: the pooling window is larger than its input
// EXPECT-ERROR: window_fits_input<ketl::detail::window<3, 3>, ketl::Shape<2, 2, 4>
// EXPECT-ERROR: layer_at_index_takes_input_shape<1, ketl::MaxPooling2D<
