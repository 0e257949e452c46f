// Progbar against Keras 2.2.4's format strings, with a fake clock so that
// every character is known.
#include <sstream>

#include <catch2/catch.hpp>

#include <ketl/progbar.hpp>

using ketl::Progbar;

namespace {
struct Fixture {
  std::ostringstream out;
  double t = 0;
  Progbar make(long target, int verbose = 1, int dynamic = 0) {
    return Progbar(target,
                   {.verbose = verbose, .out = &out, .dynamic_display = dynamic, .clock = [this] {
                      return t;
                    }});
  }
};
}  // namespace

TEST_CASE("verbose=1 on a file: a new line per redraw, ETA, then elapsed and per-step time",
          "[progbar]") {
  Fixture f;
  auto bar = f.make(100);
  f.t = 1.0;
  bar.update(32, {{"loss", 0.5}});
  CHECK(f.out.str() == "\n 32/100 [========>.....................] - ETA: 2s - loss: 0.5000");
  f.out.str("");
  f.t = 2.4;
  // The running value is sample-weighted: (0.5*32 + 0.25*68) / 100.
  bar.update(100, {{"loss", 0.25}});
  CHECK(f.out.str() ==
        "\n100/100 [==============================] - 2s 24ms/step - loss: 0.3300\n");
}

TEST_CASE("verbose=1 redraws at most every 0.05 s, except at the end", "[progbar]") {
  Fixture f;
  auto bar = f.make(10);
  f.t = 1.0;
  bar.update(1);
  const auto after_first = f.out.str();
  f.t = 1.01;
  bar.update(2);
  CHECK(f.out.str() == after_first);
  f.t = 1.02;
  bar.update(10);
  CHECK(f.out.str().size() > after_first.size());
}

TEST_CASE("verbose=1 on a terminal redraws in place and pads over a longer line", "[progbar]") {
  Fixture f;
  auto bar = f.make(10, 1, 1);
  f.t = 100.0;  // ETA over a minute
  bar.update(1, {{"loss", 2.0}});
  const std::string first = " 1/10 [==>...........................] - ETA: 15:00 - loss: 2.0000";
  CHECK(f.out.str() == "\r" + first);
  f.out.str("");
  f.t = 200.0;
  bar.update(10);
  const std::string second =
      "10/10 [==============================] - 200s 20s/step - loss: 2.0000";
  CHECK(f.out.str() == std::string(first.size(), '\b') + "\r" + second + "\n");
}

TEST_CASE("ETA over an hour and tiny values in %.4e", "[progbar]") {
  Fixture f;
  auto bar = f.make(1000);
  f.t = 10.0;
  bar.update(1, {{"loss", 0.0005}, {"neg", -0.0001}});
  CHECK(f.out.str() ==
        "\n   1/1000 [..............................] - ETA: 2:46:30 - loss: 5.0000e-04 - neg: "
        "-1.0000e-04");
}

TEST_CASE("verbose=2 prints one line at the end; negatives use %.4e", "[progbar]") {
  Fixture f;
  auto bar = f.make(100, 2);
  f.t = 1.0;
  bar.update(50, {{"loss", 0.5}, {"cos", -0.5}});
  CHECK(f.out.str().empty());
  f.t = 3.0;
  bar.update(100, {{"loss", 0.5}, {"cos", -0.5}});
  CHECK(f.out.str() == " - 3s - loss: 0.5000 - cos: -5.0000e-01\n");
}

TEST_CASE("an unknown target counts up", "[progbar]") {
  Fixture f;
  auto bar = f.make(0);
  f.t = 1.0;
  bar.update(5);
  CHECK(f.out.str() == "\n      5/Unknown - 1s 200ms/step");
}
