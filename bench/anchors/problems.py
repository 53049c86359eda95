"""The test functions of bench/regret.ts, re-defined in Python for the anchors.

Same formulas, bounds (in the same parameter order) and published minima as
src/problems/index.ts; test/bench/anchors-problems.test.ts evaluates both
definitions on seeded random points and checks they agree. All are written
for minimization; the anchors maximize their negatives, as bayes_opt users do.
"""
import math

PI = math.pi


def _range(d, lo, hi):
    return [(f"x{i + 1}", lo, hi) for i in range(d)]


def branin(x):
    x1, x2 = x
    b = 5.1 / (4 * PI ** 2)
    c = 5 / PI
    t = 1 / (8 * PI)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_H6_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
_H6_P = [[v * 1e-4 for v in r] for r in [
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
]]
_ALPHA = [1.0, 1.2, 3.0, 3.2]


def _hartmann(a, p, x):
    s = 0.0
    for i in range(4):
        inner = sum(a[i][j] * (x[j] - p[i][j]) ** 2 for j in range(len(x)))
        s += _ALPHA[i] * math.exp(-inner)
    return -s


def hartmann6(x):
    return _hartmann(_H6_A, _H6_P, x)


_H3_A = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]]
_H3_P = [[v * 1e-4 for v in r] for r in [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]]]


def hartmann3(x):
    return _hartmann(_H3_A, _H3_P, x)


def ackley(x):
    d = len(x)
    s1 = sum(v * v for v in x)
    s2 = sum(math.cos(2 * PI * v) for v in x)
    return -20 * math.exp(-0.2 * math.sqrt(s1 / d)) - math.exp(s2 / d) + 20 + math.e


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] * x[i]) ** 2 + (x[i] - 1) ** 2 for i in range(len(x) - 1))


def rastrigin(x):
    return 10 * len(x) + sum(v * v - 10 * math.cos(2 * PI * v) for v in x)


def schwefel(x):
    return 418.9829 * len(x) - sum(v * math.sin(math.sqrt(abs(v))) for v in x)


def dixon_price(x):
    return (x[0] - 1) ** 2 + sum((i + 1) * (2 * x[i] * x[i] - x[i - 1]) ** 2 for i in range(1, len(x)))


def powell(x):
    s = 0.0
    for i in range(0, len(x) - 3, 4):
        a, b, c, e = x[i:i + 4]
        s += (a + 10 * b) ** 2 + 5 * (c - e) ** 2 + (b - 2 * c) ** 4 + 10 * (a - e) ** 4
    return s


def six_hump_camel(x):
    a, b = x
    return (4 - 2.1 * a * a + a ** 4 / 3) * a * a + a * b + (-4 + 4 * b * b) * b * b


def goldstein_price(x):
    a, b = x
    p = 1 + (a + b + 1) ** 2 * (19 - 14 * a + 3 * a * a - 14 * b + 6 * a * b + 3 * b * b)
    q = 30 + (2 * a - 3 * b) ** 2 * (18 - 32 * a + 12 * a * a + 48 * b - 36 * a * b + 27 * b * b)
    return p * q


def levy(x):
    d = len(x)
    w = [1 + (v - 1) / 4 for v in x]
    s = math.sin(PI * w[0]) ** 2
    for i in range(d - 1):
        s += (w[i] - 1) ** 2 * (1 + 10 * math.sin(PI * w[i] + 1) ** 2)
    return s + (w[d - 1] - 1) ** 2 * (1 + math.sin(2 * PI * w[d - 1]) ** 2)


_SHEKEL_B = [v / 10 for v in [1, 2, 2, 4, 4, 6, 3, 7, 5, 5]]
_SHEKEL_C = [
    [4, 1, 8, 6, 3, 2, 5, 8, 6, 7], [4, 1, 8, 6, 7, 9, 3, 1, 2, 3.6],
    [4, 1, 8, 6, 3, 2, 5, 8, 6, 7], [4, 1, 8, 6, 7, 9, 3, 1, 2, 3.6],
]


def shekel(x):
    s = 0.0
    for i in range(10):
        s -= 1 / (_SHEKEL_B[i] + sum((x[j] - _SHEKEL_C[j][i]) ** 2 for j in range(4)))
    return s


def styblinski_tang(x):
    return sum(0.5 * (v ** 4 - 16 * v * v + 5 * v) for v in x)


def michalewicz(x):
    return -sum(math.sin(v) * math.sin((i + 1) * v * v / PI) ** 20 for i, v in enumerate(x))


# name -> (function, [(param, low, high)], published minimum); names and order as in bench/regret.ts
PROBLEMS = {
    "branin": (branin, [("x1", -5, 10), ("x2", 0, 15)], 0.39788735772973816),
    "hartmann6": (hartmann6, _range(6, 0, 1), -3.322368011391339),
    "ackley5": (ackley, _range(5, -32.768, 32.768), 0.0),
    "rosenbrock4": (rosenbrock, _range(4, -5, 10), 0.0),
    "rastrigin4": (rastrigin, _range(4, -5.12, 5.12), 0.0),
    "schwefel4": (schwefel, _range(4, -500, 500), 0.0),
    "dixon-price4": (dixon_price, _range(4, -10, 10), 0.0),
    "powell4": (powell, _range(4, -4, 5), 0.0),
    "six-hump-camel": (six_hump_camel, [("x1", -3, 3), ("x2", -2, 2)], -1.0316284534898774),
    "goldstein-price": (goldstein_price, _range(2, -2, 2), 3.0),
    "hartmann3": (hartmann3, _range(3, 0, 1), -3.86278214782076),
    "levy4": (levy, _range(4, -10, 10), 0.0),
    "shekel4": (shekel, _range(4, 0, 10), -10.53644315348353),
    "styblinski-tang5": (styblinski_tang, _range(5, -5, 5), -39.16616570377142 * 5),
    "michalewicz5": (michalewicz, _range(5, 0, PI), -4.687658179),
}

SUITE = ["branin", "hartmann6", "ackley5", "rosenbrock4", "rastrigin4", "schwefel4", "dixon-price4", "powell4"]
HELD_OUT = ["six-hump-camel", "goldstein-price", "hartmann3", "levy4", "shekel4", "styblinski-tang5", "michalewicz5"]


if __name__ == "__main__":
    # For the definitions' test: reads {"name": [[x1, ...], ...]} on stdin and writes
    # {"name": {"values": [...], "bounds": [[param, low, high], ...], "minimum": m}}.
    import json
    import sys

    points = json.load(sys.stdin)
    out = {}
    for name, xs in points.items():
        fn, spec, minimum = PROBLEMS[name]
        out[name] = {"values": [fn(x) for x in xs], "bounds": [list(b) for b in spec], "minimum": minimum}
    json.dump(out, sys.stdout)
