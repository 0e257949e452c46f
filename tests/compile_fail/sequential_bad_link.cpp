// A bad link deep in a pack: Dense<16> gives Shape<16>, which Reshape<3, 5>
// at index 3 cannot take. Only that link is reported.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  using Bad = ketl::Sequential<ketl::Input<784>, ketl::Dense<128, ketl::Relu>, ketl::Dense<16>,
                               ketl::Reshape<3, 5>, ketl::Flatten, ketl::Dense<10, ketl::Softmax>>;
#else
  using Bad = ketl::Sequential<ketl::Input<784>, ketl::Dense<128, ketl::Relu>, ketl::Dense<15>,
                               ketl::Reshape<3, 5>, ketl::Flatten, ketl::Dense<10, ketl::Softmax>>;
#endif
  static_assert(Bad::depth == 6);
}
// EXPECT-ERROR: sequential_pack_check
// EXPECT-ERROR: layer_at_index_takes_input_shape<3, ketl::Reshape<3, 5>, ketl::Shape<16>\s?>::value
