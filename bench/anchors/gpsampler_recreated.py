"""Optuna 5's GPSampler (single objective, continuous parameters), re-created on NumPy/SciPy.

Optuna 5 needs PyTorch, which is not installable here, so this re-writes what
`optuna.create_study(direction="minimize", sampler=GPSampler(seed=seed,
n_startup_trials=init))` does after its source (optuna/samplers/_gp/sampler.py,
optuna/_gp/gp.py, prior.py, acqf.py, optim_mixed.py, search_space.py,
batched_lbfgsb.py), with analytic gradients in place of autograd:

- Startup: the first `n_startup_trials` trials come from a RandomSampler with
  the same seed (`uniform(low, high)` per parameter, in order). The GP sampler
  has its own RandomState(seed) for the QMC seeds and the roulette.
- Inputs: each parameter scaled to [0, 1] by its bounds. Outputs: the values,
  negated (the GP maximizes), standardized by their mean and population
  standard deviation (floor 1e-10).
- Kernel: `kernel_scale * Matern52(sum_k theta_k (x_k - x'_k)^2)` with ARD
  inverse squared lengthscales theta, plus `noise_var` on the diagonal.
- Fit (MAP): L-BFGS-B (SciPy defaults, gtol 1e-2, no bounds) on
  [log theta, log kernel_scale, r], noise_var = exp(r) + 1e-6, minimizing
  -log marginal likelihood - log prior, where the log prior is
  -sum(0.1 / theta + 0.1 * theta) + Gamma(kernel_scale; 2, 1)
  + Gamma(noise_var; 1.1, 30) (log densities without constants). It starts at
  the previous suggestion's fit (all ones at first); if that fails (a failed
  Cholesky or `success=False`), from all ones; if that fails too, all ones unfit.
- Acquisition: log EI of the standardized, maximized values over the best
  standardized value, with 1e-12 added to the posterior variance; for
  z < -25 the asymptotic branch of Ament et al. (2023), Eq. (9).
- Acquisition optimization: 2,048 scrambled Sobol points (seed drawn from the
  sampler's RandomState); local searches from the best of them, 8 more picked
  without replacement with probability proportional to exp(logEI - max)
  (the best excluded), and the best observed point: 10 starts. Each runs
  `fmin_l_bfgs_b` (m 10, factr 1e7, pgtol sqrt(1e-4), at most 200 iterations)
  in coordinates divided by the lengthscales, box [0, 1 / lengthscale]; a start
  keeps its result only if it improved and took at least one iteration. The
  best of the 10 wins, mapped back to the bounds and clipped.

Left out (not used by this protocol): categorical and integer parameters,
constraints, multiple objectives, running trials. Single seeds are not
bit-identical to Optuna's (torch vs NumPy arithmetic, SciPy version).
"""
import math
import time

import numpy as np
from scipy.linalg import cho_solve, cholesky, LinAlgError
from scipy.optimize import fmin_l_bfgs_b, minimize
from scipy.special import erfc, erfcx, log_ndtr
from scipy.stats import qmc

MIN_NOISE = 1e-6
STD_EPS = 1e-10
STABILIZING_NOISE = 1e-12
N_PRELIMINARY = 2048
N_LOCAL_SEARCH = 10
TOL = 1e-4
_SQRT_HALF = math.sqrt(0.5)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def matern52(r2):
    """Matérn 5/2 of the squared scaled distance, and its derivative in r2."""
    s = np.sqrt(5.0 * r2)
    e = np.exp(-s)
    return e * (5.0 / 3.0 * r2 + s + 1.0), -5.0 / 6.0 * (s + 1.0) * e


def standard_logei(z):
    """log E[max(0, Z + z)], Z ~ N(0, 1), stable for very negative z."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    small = z < -25
    zn = z[~small]
    out[~small] = np.log(zn * 0.5 * erfc(-_SQRT_HALF * zn) + np.exp(-0.5 * zn * zn) / math.sqrt(2 * math.pi))
    zs = z[small]
    out[small] = -0.5 * zs * zs - _LOG_SQRT_2PI + np.log1p(math.sqrt(0.5 * math.pi) * zs * erfcx(-_SQRT_HALF * zs))
    return out


class MapGP:
    """The MAP-fitted GP on normalized inputs X (n x d) and standardized targets y (n)."""

    def __init__(self, X, y, raw):
        self.X, self.y = X, y
        d = X.shape[1]
        self.isl = np.exp(raw[:d])
        self.ks = math.exp(raw[d])
        self.noise = math.exp(raw[d + 1]) + MIN_NOISE
        C = self.ks * matern52(self._r2(X))[0]
        C[np.diag_indices_from(C)] += self.noise
        self.L = cholesky(C, lower=True)
        self.alpha = cho_solve((self.L, True), y)

    def _r2(self, A):
        return ((A[:, None, :] - self.X[None, :, :]) ** 2) @ self.isl

    @property
    def lengthscales(self):
        return 1.0 / np.sqrt(self.isl)

    def posterior(self, A):
        k = self.ks * matern52(self._r2(A))[0]
        var = self.ks - np.sum(k * cho_solve((self.L, True), k.T).T, axis=1)
        return k @ self.alpha, np.maximum(var, 0.0)

    def log_ei(self, A, f0, grad=False):
        """log EI at A (m x d) over f0, and its gradient (m x d) if asked."""
        diff = A[:, None, :] - self.X[None, :, :]
        m, dm = matern52((diff ** 2) @ self.isl)
        k = self.ks * m
        kinv = cho_solve((self.L, True), k.T).T
        mean = k @ self.alpha
        raw_var = self.ks - np.sum(k * kinv, axis=1)
        sigma = np.sqrt(np.maximum(raw_var, 0.0) + STABILIZING_NOISE)
        z = (mean - f0) / sigma
        h = standard_logei(z)
        val = np.log(sigma) + h
        if not grad:
            return val
        dr2 = 2.0 * diff * self.isl  # m x n x d
        dk = self.ks * dm
        dmean = np.einsum("mn,mnd->md", self.alpha[None, :] * dk, dr2)
        dvar = -2.0 * np.einsum("mn,mnd->md", kinv * dk, dr2)
        dvar[raw_var < 0] = 0.0  # the clamp at zero has no gradient
        dsigma = dvar / (2.0 * sigma[:, None])
        dh = np.exp(log_ndtr(z) - h)[:, None]  # d standard_logei / dz = Phi(z) / EI(z)
        return val, dsigma / sigma[:, None] + dh * (dmean - z[:, None] * dsigma) / sigma[:, None]


def map_loss(raw, X, y):
    """-log marginal likelihood (no constant) - log prior, and its gradient in raw."""
    n, d = X.shape
    isl, ks, ec = np.exp(raw[:d]), math.exp(raw[d]), math.exp(raw[d + 1])
    noise = ec + MIN_NOISE
    D = (X[:, None, :] - X[None, :, :]) ** 2  # n x n x d
    m, dm = matern52(D @ isl)
    K = ks * m
    C = K + noise * np.eye(n)
    try:
        L = cholesky(C, lower=True)
    except LinAlgError as e:
        raise RuntimeError(f"Cholesky failed: {e}") from e
    alpha = cho_solve((L, True), y)
    nll = np.sum(np.log(np.diag(L))) + 0.5 * y @ alpha
    prior = -np.sum(0.1 / isl + 0.1 * isl) + (math.log(ks) - ks) + (0.1 * math.log(noise) - 30.0 * noise)
    W = cho_solve((L, True), np.eye(n)) - np.outer(alpha, alpha)
    g = np.empty(d + 2)
    g[:d] = 0.5 * ks * np.einsum("ij,ijk->k", W * dm, D) * isl + (0.1 * isl - 0.1 / isl)
    g[d] = 0.5 * np.sum(W * K) - (1.0 - ks)
    g[d + 1] = (0.5 * np.trace(W) - (0.1 / noise - 30.0)) * ec
    return nll - prior, g


def fit_map(X, y, cached_raw):
    """Optuna's fit_kernel_params: from the cache, then from all ones, then all ones unfit."""
    d = X.shape[1]
    default = np.zeros(d + 2)
    default[d + 1] = math.log(1.0 - MIN_NOISE)  # noise_var 1.0 with its floor
    for start in ([cached_raw] if cached_raw is not None else []) + [default]:
        # The starting noise is the cached noise_var less 0.99 of the floor, as Optuna does.
        x0 = start.copy()
        x0[d + 1] = math.log(math.exp(start[d + 1]) + MIN_NOISE - 0.99 * MIN_NOISE)
        try:
            res = minimize(map_loss, x0, args=(X, y), jac=True, method="L-BFGS-B", options={"gtol": 1e-2})
        except RuntimeError:
            continue
        if res.success:
            return MapGP(X, y, res.x), res.x
    return MapGP(X, y, default), default


def optimize_log_ei(gp, f0, best_x, rng):
    """2,048 Sobol points, then 10 L-BFGS-B local searches in lengthscale-scaled coordinates."""
    d = gp.X.shape[1]
    sobol = qmc.Sobol(d, scramble=True, seed=rng.randint(np.iinfo(np.int32).max))
    xs = sobol.random(N_PRELIMINARY)
    f = gp.log_ei(xs, f0)
    i_max = int(np.argmax(f))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.exp(f - f[i_max])
        p[i_max] = 0.0
        p /= p.sum()
    n_more = min(N_LOCAL_SEARCH - 1 - 1, int(np.count_nonzero(p > 0.0)))
    idx = [i_max] + (list(rng.choice(len(xs), size=n_more, replace=False, p=p)) if n_more > 0 else [])
    starts = np.vstack([xs[idx], best_x[None, :]])
    f_starts = gp.log_ei(starts, f0)
    ls = gp.lengthscales
    bounds = [(0.0, 1.0 / s) for s in ls]

    def neg(zs):
        v, g = gp.log_ei((zs * ls)[None, :], f0, grad=True)
        return -float(v[0]), -g[0] * ls

    best, best_f = starts[int(np.argmax(f_starts))], float(np.max(f_starts))
    for x0, f_x0 in zip(starts, f_starts):
        z, nf, info = fmin_l_bfgs_b(neg, x0 / ls, bounds=bounds, m=10, factr=1e7, pgtol=math.sqrt(TOL),
                                    maxfun=15000, maxiter=200, maxls=20)
        x, fx = (z * ls, -nf) if (-nf > f_x0 and info["nit"] > 0) else (x0, f_x0)
        if fx > best_f:
            best, best_f = x, fx
    return best


class GPSamplerRecreated:
    """Minimizes `f(x: list) -> float` over `bounds` (d x 2) like Optuna's GPSampler."""

    def __init__(self, f, bounds, seed=None, n_startup_trials=10):
        self.f = f
        self.bounds = np.asarray(bounds, dtype=float)
        self.n_startup = n_startup_trials
        self.rng = np.random.RandomState(seed)
        self.startup_rng = np.random.RandomState(seed)
        self.cached_raw = None
        self.X = np.empty((0, len(self.bounds)))
        self.values = np.empty(0)
        self.suggest_seconds = []

    def suggest(self):
        lo, hi = self.bounds[:, 0], self.bounds[:, 1]
        if len(self.values) < self.n_startup:
            return np.array([self.startup_rng.uniform(a, b) for a, b in self.bounds])
        Xn = (self.X - lo) / (hi - lo)
        v = -self.values
        y = (v - v.mean()) / max(STD_EPS, v.std())
        gp, self.cached_raw = fit_map(Xn, y, self.cached_raw)
        xn = optimize_log_ei(gp, y.max(), Xn[int(np.argmax(y))], self.rng)
        return np.clip(xn * (hi - lo) + lo, lo, hi)

    def tell(self, x, value):
        self.X = np.vstack([self.X, np.asarray(x, dtype=float)[None, :]])
        self.values = np.append(self.values, float(value))

    def optimize(self, n_trials):
        for _ in range(n_trials):
            t0 = time.perf_counter()
            x = self.suggest()
            if len(self.values) >= self.n_startup:
                self.suggest_seconds.append(time.perf_counter() - t0)
            self.tell(x, self.f(list(x)))
        return self

    @property
    def best_value(self):
        return float(self.values.min())


def self_check(seed=0):
    """The re-creation's pieces against direct formulas and finite differences, on a GP fitted
    after a short seeded run on a 3-D quadratic with a ripple. Returns the largest relative errors."""
    def f(x):
        return float(np.sum((np.asarray(x) - 0.3) ** 2) + 0.1 * np.sin(10 * x[0]))

    bounds = [(0, 1), (-2, 3), (0, 10)]
    run = GPSamplerRecreated(f, bounds, seed=seed, n_startup_trials=8).optimize(12)
    again = GPSamplerRecreated(f, bounds, seed=seed, n_startup_trials=8).optimize(12)
    b = np.asarray(bounds, dtype=float)
    Xn = (run.X - b[:, 0]) / (b[:, 1] - b[:, 0])
    v = -run.values
    y = (v - v.mean()) / v.std()
    gp, raw = fit_map(Xn, y, None)
    rs = np.random.RandomState(seed + 100)
    A = rs.uniform(size=(50, 3))

    # Kernel: kernel_scale * (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r), r the lengthscale-scaled distance.
    r = np.sqrt((((A[:, None, :] - Xn[None, :, :]) / gp.lengthscales) ** 2).sum(-1))
    direct = gp.ks * (1 + math.sqrt(5) * r + 5 * r * r / 3) * np.exp(-math.sqrt(5) * r)
    kernel_err = np.max(np.abs(gp.ks * matern52(gp._r2(A))[0] - direct)) / gp.ks

    # Posterior against an explicit solve of (K + noise I).
    C = gp.ks * matern52(gp._r2(Xn))[0] + gp.noise * np.eye(len(y))
    mean, var = gp.posterior(A)
    ref_mean = direct @ np.linalg.solve(C, y)
    ref_var = gp.ks - np.sum(direct * np.linalg.solve(C, direct.T).T, axis=1)
    post_err = max(np.max(np.abs(mean - ref_mean)), np.max(np.abs(var - ref_var))) / gp.ks

    # log EI(z) against its defining integral, int_0^inf t phi(t - z) dt, by quadrature, and
    # against the asymptotic series phi(z) / z^2 (1 - 3/z^2 + 15/z^4 - 105/z^6 + 945/z^8) far below.
    from scipy.integrate import quad
    from scipy.stats import norm
    zs = np.linspace(-20, 6, 53)
    quads = [quad(lambda t, z=z: t * norm.pdf(t - z), 0, np.inf, epsabs=0, epsrel=1e-12, limit=200)[0] for z in zs]
    ei_err = np.max(np.abs(standard_logei(zs) - np.log(quads)))
    zt = np.linspace(-60, -25.5, 70)
    series = 1 - 3 / zt ** 2 + 15 / zt ** 4 - 105 / zt ** 6 + 945 / zt ** 8
    tail_err = np.max(np.abs(standard_logei(zt) - (norm.logpdf(zt) - 2 * np.log(-zt) + np.log(series))))
    edge = standard_logei(np.array([-25.0 - 1e-9, -25.0]))
    edge_err = abs(edge[0] - edge[1])

    # Gradients against central differences.
    def fd(fun, x, h):
        g = np.empty_like(x)
        for i in range(len(x)):
            e = np.zeros_like(x)
            e[i] = h
            g[i] = (fun(x + e) - fun(x - e)) / (2 * h)
        return g

    f0 = y.max()
    acq_err = 0.0
    for a in A[:20]:
        _, g = gp.log_ei(a[None, :], f0, grad=True)
        ref = fd(lambda t: float(gp.log_ei(t[None, :], f0)[0]), a, 1e-6)
        acq_err = max(acq_err, float(np.max(np.abs(g[0] - ref)) / max(np.max(np.abs(ref)), 1e-8)))
    loss_err = 0.0
    for shift in (0.0, 0.5, -0.7):
        p = raw + shift * rs.uniform(-1, 1, size=raw.shape)
        _, g = map_loss(p, Xn, y)
        ref = fd(lambda t: map_loss(t, Xn, y)[0], p, 1e-6)
        loss_err = max(loss_err, float(np.max(np.abs(g - ref)) / max(np.max(np.abs(ref)), 1e-8)))
    return {
        "n": len(run.values),
        "in_bounds": bool(np.all((run.X >= b[:, 0]) & (run.X <= b[:, 1]))),
        "repeatable": bool(np.array_equal(run.X, again.X)),
        "lengthscales": [float(s) for s in gp.lengthscales],
        "kernel": float(kernel_err), "posterior": float(post_err),
        "logei": float(ei_err), "logei_tail": float(tail_err), "logei_edge": float(edge_err),
        "acq_grad": acq_err, "loss_grad": loss_err,
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(self_check(int(sys.argv[1]) if len(sys.argv) > 1 else 0)))
