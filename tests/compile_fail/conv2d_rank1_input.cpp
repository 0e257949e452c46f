// Conv2D needs (rows, cols, channels) samples; flat 784-pixel rows must be
// reshaped first.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model =
      ketl::Sequential{ketl::Input<784>{}, ketl::Conv2D<8, ketl::conv2d{.kernel = {3, 3}}>{}};
#else
  auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Reshape<28, 28, 1>{},
                                ketl::Conv2D<8, ketl::conv2d{.kernel = {3, 3}}>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: ketl::Conv2D takes \(rows, cols, channels\) samples, channels last
// EXPECT-ERROR: layer_at_index_takes_input_shape<1, ketl::Conv2D<8,
// ketl::conv2d\{.*ketl::Shape<784>
