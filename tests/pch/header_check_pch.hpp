// Precompiled for the header self-containment checks (tests/meson.build says
// why): the standard and third-party headers that ketl's headers use, never
// a ketl header, so each check still proves that its header includes every
// ketl header it needs. (No include guard: the compiler reads it as a main
// file.)
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana.hpp>
#include <xsimd/xsimd.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>
