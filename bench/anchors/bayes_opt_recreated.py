"""bayes_opt 3.3's optimization loop, re-created on scikit-learn.

The package itself is not installable here, so this re-creates what
`BayesianOptimization(f, pbounds, acquisition_function=..., random_state=seed)
.maximize(init_points, n_iter)` does with continuous parameters, after its
source (bayes_opt/bayesian_optimization.py, target_space.py, acquisition.py,
3.x):

- One `numpy.random.RandomState(seed)` drives everything: the initial points,
  the GP's optimizer restarts and the acquisition's random samples.
- Initial points: `init_points` uniform draws, one point at a time, drawn
  parameter by parameter in the order of `pbounds`.
- GP: `GaussianProcessRegressor(kernel=Matern(nu=2.5), alpha=1e-6,
  normalize_y=True, n_restarts_optimizer=5, random_state=<that RandomState>)`,
  refitted on every registered point before each suggestion. The kernel is
  isotropic (one lengthscale, initial 1.0, bounds 1e-5..1e5) on the raw
  parameter scale, with no amplitude factor: the targets are standardized.
- Acquisition maximization (`_acq_min`): 10,000 uniform random points
  (sampled parameter by parameter); the 10 best of them seed L-BFGS-B
  (SciPy `minimize`, no analytic gradient, within the bounds); the best
  successful L-BFGS-B result wins if strictly better than the best random
  point. The result is clipped to the bounds.
- EI: `a * Phi(a / sd) + sd * phi(a / sd)` with `a = mean - y_max - xi`,
  xi = 0.01 in the target's units, y_max the best target so far.
- UCB (bayes_opt's default acquisition): `mean + kappa * sd`, kappa = 2.576,
  no decay (`exploration_decay=None`).
- A suggestion equal to a registered point is not registered again (bayes_opt
  warns and skips it; the iteration still counts).

Differences from the real package: the scikit-learn and SciPy versions are
Debian's (1.2 and 1.10), and the random streams are not claimed to be
bit-identical to bayes_opt's, so single seeds differ; the loop and every
setting above are the same.
"""
import time
import warnings

import numpy as np
from scipy.optimize import minimize
from scipy.optimize._numdiff import _adjust_scheme_to_bounds, _compute_absolute_step
from scipy.linalg import solve_triangular
from scipy.spatial.distance import cdist
from scipy.special import ndtr
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import Matern

N_RANDOM = 10_000
N_SMART = 10
_SQRT5 = np.sqrt(5.0)
_SQRT_2PI = np.sqrt(2 * np.pi)


class BayesOptRecreated:
    """Maximizes `f(x: np.ndarray) -> float` over `bounds` (d x 2) like bayes_opt 3.3."""

    def __init__(self, f, bounds, acquisition="ei", random_state=None, xi=0.01, kappa=2.576):
        if acquisition not in ("ei", "ucb"):
            raise ValueError(f"acquisition: expected 'ei' or 'ucb', got {acquisition!r}")
        self.f = f
        self.bounds = np.asarray(bounds, dtype=float)
        self.acquisition = acquisition
        self.xi = xi
        self.kappa = kappa
        self.rng = np.random.RandomState(random_state)
        self.gp = GaussianProcessRegressor(
            kernel=Matern(nu=2.5), alpha=1e-6, normalize_y=True, n_restarts_optimizer=5, random_state=self.rng,
        )
        self.params = np.empty((0, len(self.bounds)))
        self.target = np.empty(0)
        self._seen = set()
        self.suggest_seconds = []

    def random_sample(self, n):
        """n x d uniform points, drawn column by column (parameter by parameter)."""
        out = np.empty((n, len(self.bounds)))
        for j, (lo, hi) in enumerate(self.bounds):
            out[:, j] = self.rng.uniform(lo, hi, n)
        return out

    def probe(self, x):
        key = tuple(float(v) for v in x)
        if key in self._seen:
            warnings.warn(f"point {x} already registered; skipped (as bayes_opt does)")
            return
        y = float(self.f(x))
        self._seen.add(key)
        self.params = np.vstack([self.params, np.asarray(x, dtype=float)[None, :]])
        self.target = np.append(self.target, y)

    def _base_acq(self, mean, std):
        if self.acquisition == "ucb":
            return mean + self.kappa * std
        a = mean - self._y_max - self.xi
        z = a / std
        # scipy.stats.norm.cdf / .pdf compute exactly these (ndtr, exp(-z^2/2)/sqrt(2 pi)), minus their overhead.
        return a * ndtr(z) + std * (np.exp(-0.5 * z * z) / _SQRT_2PI)

    def _predict(self, x):
        """`self.gp.predict(x, return_std=True)` of scikit-learn 1.2, the same operations without its
        input validation, which dominated the run time of L-BFGS-B's many one-point calls."""
        gp = self.gp
        k = cdist(x / self._ls, gp.X_train_ / self._ls, metric="euclidean") * _SQRT5
        k_trans = (1.0 + k + k * k / 3.0) * np.exp(-k)
        mean = gp._y_train_std * (k_trans @ gp.alpha_) + gp._y_train_mean
        v = solve_triangular(gp.L_, k_trans.T, lower=True, check_finite=False)
        var = 1.0 - np.einsum("ij,ji->i", v.T, v)
        var[var < 0] = 0.0
        return mean, np.sqrt(var * gp._y_train_std ** 2)

    def _acq(self, x):
        x = np.asarray(x, dtype=float).reshape(-1, len(self.bounds))
        mean, std = self._predict(x)
        return -1 * self._base_acq(mean, std)

    def _acq_fd_grad(self, x0):
        """The forward-difference gradient SciPy's L-BFGS-B takes when no gradient is given
        (`approx_derivative(..., method='2-point')`: same steps, same bound handling), with
        the d+1 points scored in one batch instead of d+1 calls."""
        x0 = np.asarray(x0, dtype=float)
        h = _compute_absolute_step(None, x0, np.zeros(1), "2-point")
        h, _ = _adjust_scheme_to_bounds(x0, h, 1, "1-sided", self.bounds[:, 0], self.bounds[:, 1])
        xs = x0[None, :] + np.diag(h)
        dx = np.diag(xs) - x0
        f = self._acq(np.vstack([x0[None, :], xs]))
        return (f[1:] - f[0]) / dx

    def suggest(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.gp.fit(self.params, self.target)
        self._ls = float(self.gp.kernel_.length_scale)
        self._y_max = self.target.max()
        x_tries = self.random_sample(max(N_RANDOM, N_SMART))
        with np.errstate(all="ignore"):
            ys = self._acq(x_tries)
        x_min_r, min_acq_r = x_tries[ys.argmin()], ys.min()
        seeds = x_tries[np.argsort(ys)[:N_SMART]]
        x_min_s, min_acq_s = None, None
        for x0 in seeds:
            with np.errstate(all="ignore"):
                res = minimize(self._acq, x0, jac=self._acq_fd_grad, bounds=self.bounds, method="L-BFGS-B")
            if not res.success:
                continue
            if min_acq_s is None or np.squeeze(res.fun) < min_acq_s:
                x_min_s, min_acq_s = res.x, np.squeeze(res.fun)
        if x_min_s is None:
            min_acq_s = np.inf
            x_min_s = np.full(len(self.bounds), np.nan)
        x_min_s = np.clip(x_min_s, self.bounds[:, 0], self.bounds[:, 1])
        return x_min_s if min_acq_r > min_acq_s else x_min_r

    def maximize(self, init_points=5, n_iter=25):
        queue = [self.random_sample(1).ravel() for _ in range(max(init_points, 1))]
        for x in queue:
            self.probe(x)
        for _ in range(n_iter):
            t0 = time.perf_counter()
            x = self.suggest()
            self.suggest_seconds.append(time.perf_counter() - t0)
            self.probe(x)
        return self

    @property
    def max_target(self):
        return float(self.target.max())


def self_check(seed=0):
    """The two shortcuts against what they replace, on a GP fitted after a short seeded run:
    `_predict` against `GaussianProcessRegressor.predict(return_std=True)`, and `_acq_fd_grad`
    against SciPy's `approx_derivative(method='2-point')` within the bounds (also at a bound).
    Returns the largest relative differences (for the gradient, relative to its largest component:
    forward differences with steps of 1.5e-8 amplify the last-bit differences between scoring
    one point and a batch)."""
    from scipy.optimize._numdiff import approx_derivative

    def f(x):
        return -float(np.sum((x - 0.3) ** 2) + 0.1 * np.sin(10 * x[0]))

    opt = BayesOptRecreated(f, [(0, 1), (-2, 3), (0, 10)], acquisition="ei", random_state=seed)
    opt.maximize(init_points=8, n_iter=4)
    opt.gp.fit(opt.params, opt.target)
    opt._ls = float(opt.gp.kernel_.length_scale)
    opt._y_max = opt.target.max()
    x = opt.random_sample(500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mean, std = opt.gp.predict(x, return_std=True)
    m2, s2 = opt._predict(x)
    starts = list(opt.random_sample(20)) + [opt.bounds[:, 1].copy(), opt.bounds[:, 0].copy()]
    grad = 0.0
    for x0 in starts:
        ref = approx_derivative(opt._acq, x0, method="2-point", bounds=(opt.bounds[:, 0], opt.bounds[:, 1])).ravel()
        got = opt._acq_fd_grad(x0)
        grad = max(grad, float(np.max(np.abs(got - ref)) / max(np.max(np.abs(ref)), 1e-12)))
    return {
        "mean": float(np.max(np.abs(m2 - mean) / np.maximum(np.abs(mean), 1e-12))),
        "std": float(np.max(np.abs(s2 - std) / np.maximum(std, 1e-12))),
        "grad": grad,
        "lengthscale": opt._ls,
        "n": len(opt.target),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(self_check(int(sys.argv[1]) if len(sys.argv) > 1 else 0)))
