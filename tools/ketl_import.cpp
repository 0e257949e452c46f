// ketl-import: a Keras model file as a C++ header that declares its typed
// ketl model (io/keras_import.hpp does the work).
//
//   ketl-import model.h5 --name Net > net.hpp        (or web/model.json)
//   // in the program:  #include "net.hpp"
//   //                  auto model = ketl::load_model<Net>("model.h5");
//
// Options: --name NAME (required; a C++ identifier), -o FILE (write the
// header there instead of standard output), --length N (a free axis of the
// input, such as an Embedding's variable sequence length, fixed at N:
// ketl's shapes are static). A layer or option ketl does not
// have is reported on standard error, by name and class, and nothing is
// written (exit 1).
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include <ketl/io/keras_h5.hpp>
#include <ketl/io/keras_import.hpp>
#include <ketl/io/tfjs.hpp>

namespace {
bool identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '_') return false;
  return true;
}
int usage() {
  std::cerr << "usage: ketl-import FILE --name NAME [-o OUT] [--length N]\n"
               "  FILE: a Keras model file (model.save's .h5) or a TensorFlow.js model.json\n";
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  std::string file, name, out;
  std::size_t length = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--name" && i + 1 < argc)
      name = argv[++i];
    else if (a == "-o" && i + 1 < argc)
      out = argv[++i];
    else if (a == "--length" && i + 1 < argc)
      length = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "-h" || a == "--help")
      return usage();
    else if (file.empty() && a[0] != '-')
      file = a;
    else
      return usage();
  }
  if (file.empty() || name.empty()) return usage();
  if (!identifier(name)) {
    std::cerr << "ketl-import: --name " << name << " is not a C++ identifier\n";
    return 2;
  }
  try {
    const auto* format = ketl::io::weight_format_for(file);
    if (!format) {
      std::cerr << "ketl-import: " << file << ": not a .h5 or .json file\n";
      return 1;
    }
    const auto w = format->read(file, "ketl-import");
    if (w.model_config.empty()) {
      std::cerr << "ketl-import: " << file
                << ": it holds weights only (save_weights), no architecture to import\n";
      return 1;
    }
    const bool json = ketl::io::detail::extension_of(file) == ".json";
    const std::string header = ketl::io::keras::import_header(
        w.model_config, name, file, json ? "ketl/io/tfjs.hpp" : "ketl/io/keras_h5.hpp", length);
    if (out.empty()) {
      std::cout << header;
    } else {
      ketl::io::write_file_atomically(out, header, "ketl-import");
    }
  } catch (const ketl::error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
