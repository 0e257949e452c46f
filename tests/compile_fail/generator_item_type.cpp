// A generator whose items are double arrays, for a float model: the items
// must be (x, y) or (x, y, w) of the model's element type.
#include <ketl/ketl.hpp>

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, ketl::Dense<2, ketl::Softmax>{}};
  model.compile("sgd", ketl::losses::categorical_crossentropy);
#ifdef KETL_SHOULD_FAIL
  using A = xt::xtensor<double, 2>;
#else
  using A = xt::xtensor<float, 2>;
#endif
  auto gen = [] { return std::tuple<A, A>{xt::zeros<double>({8, 4}), xt::zeros<double>({8, 2})}; };
  model.fit_generator(gen, {.steps_per_epoch = 1, .verbose = 0});
}
// EXPECT-ERROR: the source must be a Sequence \(size\(\) and operator\[\]\(i\)\) or a generator
// EXPECT-ERROR: whose items are \(x, y\) or \(x, y, sample_weight\)
