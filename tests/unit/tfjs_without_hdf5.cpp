// TensorFlow.js's format and the whole-model API need nlohmann-json and no
// HDF5: this file is compiled without HDF5's include path (tests/meson.build),
// so it fails to build if either header reaches for hdf5.h.
#include <ketl/io/keras_model.hpp>
#include <ketl/io/tfjs.hpp>
#include <ketl/ketl.hpp>

ketl::io::keras_weights tfjs_without_hdf5(const std::string& path) {
  return ketl::io::tfjs::read(path, "load_model");
}
