// Cropping 2 + 2 rows from a 4-row map leaves nothing.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  auto model =
      ketl::Sequential{ketl::Input<4, 6, 2>{}, ketl::Cropping2D<ketl::margins2d{.rows = {2, 2}}>{}};
#else
  auto model =
      ketl::Sequential{ketl::Input<5, 6, 2>{}, ketl::Cropping2D<ketl::margins2d{.rows = {2, 2}}>{}};
#endif
  (void)model;
}
// EXPECT-ERROR: ketl: the cropping removes every row, column or step of its input
// EXPECT-ERROR: cropping_leaves_output<ketl::Shape<4, 6, 2>, 2, 2, 0, 0>
// EXPECT-ERROR: layer_at_index_takes_input_shape<1, ketl::Cropping2D<
