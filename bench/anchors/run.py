"""Anchors re-created: bayes_opt 3.3 (EI, UCB) on scikit-learn, Optuna 5's GPSampler
on NumPy/SciPy, Optuna's TPE and random search, on bench/regret.ts's functions by bench/regret.ts's protocol
(budget 40 with 8 initial points, maximize the negated function, simple regret
= best value found - published minimum, median over seeds).

  npm run bench:anchors -- [--seeds 10] [--seed-base 1000] [--budget 40] [--init 8]
    [--problems branin,...] [--heldout] [--methods bo-ei,bo-ucb,gp,tpe,random]
    [--ours bench/results/regret.json] [--out bench/results/anchors.json] [--from <earlier JSON>]

Prints a table in bench:regret's format (with the issue's published figure
for the same method where there is one) and a summary with one column per
method (and ours, from a bench:regret JSON given by --ours); writes JSON,
updated after every row.
"""
import os

# One BLAS thread: the matrices are tiny, and the machine's cores are shared.
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bayes_opt_recreated import BayesOptRecreated  # noqa: E402
from gpsampler_recreated import GPSamplerRecreated  # noqa: E402
from problems import HELD_OUT, PROBLEMS, SUITE  # noqa: E402

# Median regret, 40 evaluations (8 initial), 10 seeds, as published in the quality issue (#12).
ISSUE = {
    "bo-ei": dict(zip(SUITE, [5.2e-3, 0.26, 4.19, 607, 13.2, 564, 65.6, 57.2])),
    "bo-ucb": dict(zip(SUITE, [5.6e-2, 0.175, 7.12, 686, 20.2, 711, 92.9, 77.3])),
    "gp": dict(zip(SUITE, [7.3e-4, 0.25, 7.88, 317, 28.5, 772, 77.0, 48.1])),
    "tpe": dict(zip(SUITE, [0.59, 0.79, 14.3, 203, 21.3, 837, 90.2, 27.1])),
    "random": dict(zip(SUITE, [1.31, 1.53, 18.2, 1550, 35.0, 844, 822, 107])),
}
ENGINE = {"bo-ei": "sklearn", "bo-ucb": "sklearn", "gp": "scipy", "tpe": "optuna", "random": "numpy"}
LABEL = {"bo-ei": "bayes_opt EI", "bo-ucb": "bayes_opt UCB", "gp": "Optuna GPSampler", "tpe": "Optuna TPE", "random": "random"}


def run_bayes_opt(fn, bounds, acq, seed, budget, init):
    opt = BayesOptRecreated(lambda x: -fn(list(x)), bounds, acquisition=acq, random_state=seed)
    opt.maximize(init_points=init, n_iter=budget - init)
    return -opt.max_target, opt.suggest_seconds


def run_gpsampler(fn, bounds, seed, budget, init):
    # Optuna's defaults but for the startup trials, set to the protocol's 8 initial points.
    opt = GPSamplerRecreated(fn, bounds, seed=seed, n_startup_trials=init).optimize(budget)
    return opt.best_value, opt.suggest_seconds


def run_tpe(fn, spec, seed, budget, init):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # Optuna's defaults but for the startup trials, set to the protocol's 8 initial points.
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=init))
    times = []
    for _ in range(budget):
        t0 = time.perf_counter()
        trial = study.ask()
        x = [trial.suggest_float(name, lo, hi) for name, lo, hi in spec]
        times.append(time.perf_counter() - t0)
        study.tell(trial, fn(x))
    return study.best_value, times[init:]


def run_random(fn, bounds, seed, budget):
    rng = np.random.RandomState(seed)
    lo, hi = np.asarray(bounds, dtype=float).T
    return min(fn(list(rng.uniform(lo, hi))) for _ in range(budget)), []


def median_ci(values, level=0.95):
    """Distribution-free interval for the median: order statistics (k, n+1-k), the largest k
    with P(Binomial(n, 1/2) < k) <= (1 - level) / 2 (n = 10: 2nd and 9th, 97.9 %)."""
    v = sorted(values)
    n = len(v)
    k, cum = 0, 0.0
    while k < n and cum + math.comb(n, k) / 2 ** n <= (1 - level) / 2:
        cum += math.comb(n, k) / 2 ** n
        k += 1
    if k == 0:
        return v[0], v[-1]
    return v[k - 1], v[n - k]


def fmt_table(header, body):
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(cells)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(b) for b in body])


def sig(v):
    return f"{v:.3g}" if 1e-2 <= abs(v) < 1e4 or v == 0 else f"{v:.2e}"



def at_least(low):
    """An argparse type: an integer >= low (a run of 0 seeds would end in an IndexError after the work)."""
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {text!r}")
        if v < low:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {text!r}")
        return v
    return parse

class FlagParser(argparse.ArgumentParser):
    """Flag errors as the TypeScript benchmarks give them: `error: --flag: ...` alone, exit code 2."""

    def error(self, message):
        self.fail(message[len("argument "):] if message.startswith("argument ") else message)

    def fail(self, message):
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)


def read_json(ap, flag, path):
    """A JSON file named by `flag`, read before any run (a missing one was a traceback)."""
    try:
        with open(path) as fh:
            data = json.load(fh)
    except OSError as e:
        ap.fail(f"{flag}: {path}: {e.strerror.lower() if e.strerror else e}")
    except ValueError as e:
        ap.fail(f"{flag}: {path}: not JSON ({e})")
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        ap.fail(f"{flag}: {path}: no rows (expected a benchmark's JSON)")
    return data


def main(argv=None):
    ap = FlagParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=at_least(1), default=10)
    ap.add_argument("--seed-base", type=at_least(0), default=1000)
    ap.add_argument("--budget", type=at_least(1), default=40)
    ap.add_argument("--init", type=at_least(0), default=8)
    ap.add_argument("--problems")
    ap.add_argument("--heldout", action="store_true")
    ap.add_argument("--methods", default="bo-ei,bo-ucb,gp,tpe,random")
    ap.add_argument("--ours", help="a bench:regret JSON whose 'bo' rows become the 'ours' column")
    ap.add_argument("--out", default="bench/results/anchors.json")
    ap.add_argument("--from", dest="from_json", help="print the tables of an earlier run's JSON instead of running")
    a = ap.parse_args(argv)

    if a.init > a.budget:
        ap.fail(f"--init: {a.init} initial points do not fit a budget of {a.budget}")
    names = a.problems.split(",") if a.problems is not None else (HELD_OUT if a.heldout else SUITE)
    methods = a.methods.split(",")
    for flag, items, known in (("--problems", names, PROBLEMS), ("--methods", methods, ENGINE)):
        if "" in items:
            ap.fail(f"{flag}: an empty item in {','.join(items)!r} (expected a comma-separated list)")
        bad = [n for n in items if n not in known]
        if bad:
            ap.fail(f"{flag}: unknown {', '.join(map(repr, bad))} (known: {', '.join(known)})")
        twice = [n for i, n in enumerate(items) if n in items[:i]]
        if twice:
            ap.fail(f"{flag}: {twice[0]!r} given twice")
    if not a.out.strip() or a.out.endswith("/") or os.path.isdir(a.out):
        ap.fail(f"--out: {a.out!r} is not a file path")
    ours = {}
    if a.ours:
        ours = {r["problem"]: r["medianRegret"] for r in read_json(ap, "--ours", a.ours)["rows"] if r.get("method") == "bo"}

    rows = []
    if a.from_json:
        rows = read_json(ap, "--from", a.from_json)["rows"]
        names = list(dict.fromkeys(r["problem"] for r in rows))
        methods = list(dict.fromkeys(r["method"] for r in rows))
    else:
        os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    for name in names if not a.from_json else []:
        fn, spec, minimum = PROBLEMS[name]
        bounds = [(lo, hi) for _, lo, hi in spec]
        for m in methods:
            regrets, secs = [], []
            for s in range(a.seeds):
                seed = a.seed_base + s
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    if m in ("bo-ei", "bo-ucb"):
                        best, t = run_bayes_opt(fn, bounds, m[3:], seed, a.budget, a.init)
                    elif m == "gp":
                        best, t = run_gpsampler(fn, bounds, seed, a.budget, a.init)
                    elif m == "tpe":
                        best, t = run_tpe(fn, spec, seed, a.budget, a.init)
                    else:
                        best, t = run_random(fn, bounds, seed, a.budget)
                regrets.append(best - minimum)
                secs += t
            med = float(np.median(regrets))
            issue = ISSUE.get(m, {}).get(name)
            rows.append({
                "problem": name, "method": m, "engine": ENGINE[m], "medianRegret": med, "regrets": regrets,
                "meanSuggestMs": 1e3 * float(np.mean(secs)) if secs else 0.0,
                **({"issueFigure": issue} if issue is not None else {}),
            })
            print(f"{name} {m}: median regret {med:.3e} [{', '.join(f'{r:.3g}' for r in regrets)}]", file=sys.stderr)
            with open(a.out, "w") as fh:
                json.dump({
                    "date": datetime.now(timezone.utc).isoformat(), "seeds": a.seeds, "seedBase": a.seed_base,
                    "budget": a.budget, "init": a.init, "rows": rows,
                    "note": "re-creations: bayes_opt 3.3's loop on scikit-learn, Optuna 5's GPSampler on NumPy/SciPy, "
                            "Optuna's TPE from the installed Optuna",
                }, fh, indent=2)

    header = ["problem", "method", "engine", "median regret", "median CI", "issue figure", "ratio", "ms/suggestion"]
    body = [[
        r["problem"], r["method"], r["engine"], f"{r['medianRegret']:.3e}",
        "{} – {}".format(*(sig(v) for v in median_ci(r["regrets"]))),
        f"{r['issueFigure']} ({LABEL[r['method']]})" if "issueFigure" in r else "-",
        f"{r['medianRegret'] / r['issueFigure']:.2f}" if "issueFigure" in r else "-",
        f"{r['meanSuggestMs']:.1f}",
    ] for r in rows]
    print(fmt_table(header, body))
    checked = [r for r in rows if "issueFigure" in r]
    if checked:
        inside = [r for r in checked if median_ci(r["regrets"])[0] <= r["issueFigure"] <= median_ci(r["regrets"])[1]]
        within2 = [r for r in checked if 0.5 <= r["medianRegret"] / r["issueFigure"] <= 2]
        print(f"issue figure inside the median's CI on {len(inside)} of {len(checked)} rows; "
              f"median within 2x of it on {len(within2)} of {len(checked)}")
    print()
    cols = (["ours"] if ours else []) + methods
    summary = []
    for name in names:
        by = {r["method"]: r["medianRegret"] for r in rows if r["problem"] == name}
        if ours:
            by["ours"] = ours.get(name)
        vals = [by.get(c) for c in cols]
        best = min(v for v in vals if v is not None)
        summary.append([name] + ["-" if v is None else (f"**{sig(v)}**" if v == best else sig(v)) for v in vals])
    print(fmt_table(["function"] + [c if c == "ours" else LABEL[c] for c in cols], summary))
    if checked:
        print()
        print("re-created (issue's figure):")
        val = []
        for name in names:
            by = {r["method"]: r for r in rows if r["problem"] == name}
            val.append([name] + [
                f"{sig(by[m]['medianRegret'])} ({sig(by[m]['issueFigure'])})" if m in by and "issueFigure" in by[m] else "-"
                for m in methods
            ])
        print(fmt_table(["function"] + [LABEL[m] for m in methods], val))
    if ours:
        for m in methods:
            pairs = [(ours.get(r["problem"]), r["medianRegret"]) for r in rows if r["method"] == m]
            pairs = [(o, t) for o, t in pairs if o is not None]
            print(f"ours at or below {LABEL[m]} on {sum(o <= t for o, t in pairs)} of {len(pairs)}")
        if "bo-ei" in methods and "gp" in methods:
            better = {}
            for r in rows:
                if r["method"] in ("bo-ei", "gp"):
                    better[r["problem"]] = min(better.get(r["problem"], math.inf), r["medianRegret"])
            pairs = [(ours[p], t) for p, t in better.items() if ours.get(p) is not None]
            print(f"ours at or below the better of {LABEL['bo-ei']} and {LABEL['gp']} on "
                  f"{sum(o <= t for o, t in pairs)} of {len(pairs)}")
    if not a.from_json:
        print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
