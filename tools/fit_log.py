"""Fit the polynomial of ketl::detail::fast_log (include/ketl/detail/fast_log.hpp).

log1p(f) ~= f - f^2/2 + f^3 P(f) for f in [sqrt(1/2) - 1, sqrt(2) - 1), P of
degree 7: a least-squares fit of the error relative to log1p(f), reweighted
toward equal ripple (Lawson's iteration), against mpmath at 40 digits.
Prints each degree's worst relative error, before and after rounding the
coefficients to float. Needs numpy and mpmath (Debian: python3-numpy,
python3-mpmath).

    python3 tools/fit_log.py
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 40
lo, hi = np.sqrt(0.5) - 1, np.sqrt(2) - 1
n = 4000
# Chebyshev nodes: dense at the ends, where the error peaks.
f = (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
f = f[np.abs(f) > 1e-6]
log1p = np.array([float(mp.log1p(mp.mpf(x))) for x in f])
# What P must equal at each node.
target = np.array([float((mp.log1p(mp.mpf(x)) - mp.mpf(x) + mp.mpf(x) ** 2 / 2) / mp.mpf(x) ** 3)
                   for x in f])
scale = np.abs(f ** 3 / log1p)  # an error in P, relative to log1p(f)

for degree in (6, 7, 8):
    weight = np.ones_like(f)
    for _ in range(30):
        rows = np.vander(f, degree + 1, increasing=True) * (scale * np.sqrt(weight))[:, None]
        coeffs = np.linalg.lstsq(rows, target * scale * np.sqrt(weight), rcond=None)[0]
        err = (np.polyval(coeffs[::-1], f) - target) * scale
        weight *= np.abs(err) / np.abs(err).mean() + 1e-3
        weight /= weight.mean()
    single = coeffs.astype(np.float32)
    err_single = (np.polyval(single.astype(np.float64)[::-1], f) - target) * scale
    print(f"degree {degree}: max relative error {np.abs(err).max():.3g}, "
          f"with float coefficients {np.abs(err_single).max():.3g}")
    print("   f^0 .. f^%d:" % degree, ", ".join(repr(float(c)) for c in single))
