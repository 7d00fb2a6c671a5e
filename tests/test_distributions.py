"""Distribution heads (normal, studentt, negbin) trained by likelihood, and the walk-forward's scores of
forecast distributions (CRPS, pinball loss, PIT, calibration)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecastkit import Forecaster
from forecastkit.errors import ConfigError, DataError
from forecastkit.evaluation import WalkForward, walk_forward
from forecastkit.evaluation.probabilistic import conformal_scores
from forecastkit.forecaster import SAMPLE_QUANTILES
from forecastkit.intervals import coverage, crps_from_quantiles, crps_from_samples
from forecastkit.metrics.probabilistic import (
    calibration_curve,
    crps_normal,
    crps_samples,
    pit_histogram,
    pit_normal,
    pit_samples,
)
from forecastkit.models import families

QUICK = {"epochs": 2, "batch_size": 32, "patience": 1}


def daily(values, name="y") -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range("2000-01-01", periods=len(values), freq="D"),
                     name=name)


def ar1(n: int, phi: float = 0.6, seed: int = 0, noise=None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shocks = rng.normal(size=n) if noise is None else noise(rng, n)
    y = np.zeros(n)
    for t in range(1, n):
        y[t] = phi * y[t - 1] + shocks[t]
    return 10 + y


def scipy_nll(name: str, params: np.ndarray, y: np.ndarray) -> np.ndarray:
    if name == "normal":
        return -stats.norm(params[..., 0], params[..., 1]).logpdf(y)
    if name == "studentt":
        return -stats.t(params[..., 2], params[..., 0], params[..., 1]).logpdf(y)
    size = 1 / params[..., 1]
    return -stats.nbinom(size, size / (size + params[..., 0])).logpmf(y)


def random_case(name: str, rng) -> tuple[np.ndarray, np.ndarray]:
    shape = (6, 3)
    if name == "negbin":
        params = np.stack([np.exp(rng.normal(2, 1, shape)), np.exp(rng.normal(-1, 1, shape))], axis=-1)
        return params, rng.poisson(params[..., 0]).astype(float)
    parts = [rng.normal(size=shape), np.exp(rng.normal(size=shape))] + ([2 + np.exp(rng.normal(size=shape))]
                                                                        if name == "studentt" else [])
    return np.stack(parts, axis=-1), rng.normal(size=shape) * 2


# ---------------------------------------------------------------------- likelihoods --
@pytest.mark.parametrize("name", ["normal", "studentt", "negbin"])
def test_negative_log_likelihoods_match_scipy(name):
    from forecastkit.models.distributions import (
        NegativeLogLikelihood,
        negative_log_likelihood,
        ops,
    )

    params, y = random_case(name, np.random.default_rng(1))
    expected = scipy_nll(name, params, y)
    np.testing.assert_allclose(families.nll(name, params, y), expected, rtol=1e-9, atol=1e-9)
    tensor = ops.convert_to_tensor(params.astype("float32"))
    keras_nll = np.asarray(negative_log_likelihood(name, tensor, y.astype("float32")))
    np.testing.assert_allclose(keras_nll, expected, rtol=2e-4, atol=2e-4)
    loss = float(NegativeLogLikelihood(name)(y.astype("float32"), tensor))
    assert loss == pytest.approx(expected.mean(), rel=2e-4)
    # mean, quantiles and draws agree with scipy's distribution
    frozen = families.frozen(name, params)
    np.testing.assert_allclose(families.mean(name, params), frozen.mean(), rtol=1e-9)
    np.testing.assert_allclose(families.quantiles(name, params, (0.1, 0.9))[..., 1], frozen.ppf(0.9), rtol=1e-9)


def test_every_builder_takes_a_distribution_head_with_positive_parameters():
    from forecastkit.models.dense import build_linear
    from forecastkit.models.distributions import MeanScaling, with_distribution_head
    from forecastkit.models.registry import get_spec, model_names

    window = np.random.default_rng(0).normal(size=(4, 6, 1)).astype("float32")
    for model in model_names("neural"):
        head = with_distribution_head(get_spec(model).load_builder(), (6, 1), 3, {}, "studentt")
        params = np.asarray(head(window))
        assert params.shape == (4, 3, 3), model
        assert (params[..., 1] > 0).all() and (params[..., 2] > 2).all(), model
    counts = np.random.default_rng(1).poisson(30, size=(5, 6, 2)).astype("float32")
    scaled, nu = MeanScaling(6)(counts)
    np.testing.assert_allclose(np.asarray(nu)[:, 0], 1 + counts[:, :, 0].mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(scaled)[..., 1], counts[..., 1])  # covariates untouched
    params = np.asarray(with_distribution_head(build_linear, (6, 2), 2, {}, "negbin", lookback=6)(counts))
    assert params.shape == (5, 2, 2) and (params > 0).all()


def test_distribution_models_reload_in_safe_mode_with_the_same_forecasts(tmp_path):
    y = ar1(120)
    for model, strategy, distribution, data in (("mlp", "direct", "normal", daily(y)),
                                                ("vanilla", "recursive", "negbin", daily(np.round(y)))):
        f = Forecaster(model, horizon=3, lookback=6, params={**QUICK, "units": 4}, strategy=strategy,
                       distribution=distribution).fit(data)
        forecast = f.predict(level=(80,), samples=40)
        loaded = Forecaster.load(f.save(tmp_path / model))
        pd.testing.assert_frame_equal(loaded.predict(level=(80,), samples=40), forecast)
        assert (forecast["yhat_lo_80"] <= forecast["q0.5"] + 1e-9).all()
        assert forecast.attrs["intervals"].endswith("distribution (closed form)") if distribution == "normal" \
            else "generative paths of the negbin" in forecast.attrs["intervals"]


def test_recursive_paths_feed_each_draw_back():
    y = daily(ar1(300, phi=0.85))
    f = Forecaster("linear", horizon=2, lookback=2, params={"epochs": 30, "patience": 5}, strategy="recursive",
                   distribution="normal", preprocess="none").fit(y)
    paths = f.sample_paths(samples=400).pivot(index="sample", columns="time", values="y").to_numpy()
    # step 2 follows the drawn step 1 (phi ~ 0.85), unlike independent draws per step
    assert np.corrcoef(paths[:, 0], paths[:, 1])[0, 1] > 0.5


def test_settings_a_distribution_cannot_use_are_refused():
    with pytest.raises(ConfigError, match="only neural models have"):
        Forecaster("naive", distribution="normal").check_params()
    with pytest.raises(ConfigError, match="must be one of normal, studentt, negbin"):
        Forecaster("mlp", distribution="poisson").check_params()
    with pytest.raises(ConfigError, match="takes no `difference`"):
        Forecaster("mlp", distribution="negbin", difference=True).check_params()
    with pytest.raises(ConfigError, match="distribution head; an ensemble"):
        Forecaster("ensemble", distribution="normal").check_params()
    # quantiles come from the distribution: differencing and recursion are fine
    Forecaster("mlp", distribution="studentt", quantiles="0.1,0.9", difference=True, strategy="recursive").check_params()
    with pytest.raises(DataError, match="models counts, but series 'y' has 2.5"):
        Forecaster("mlp", distribution="negbin").fit(daily([1.0, 2.5] * 30))


def test_negbin_refuses_non_counts_with_one_line_before_tensorflow(tmp_path):
    from test_cli import run

    daily([1.0, 2.0, -1.0] * 30).rename_axis("date").reset_index().to_csv(tmp_path / "c.csv", index=False)
    done = run("forecast", "--data", str(tmp_path / "c.csv"), "--distribution", "negbin", "--horizon", "2",
               "--out", str(tmp_path / "f.csv"))
    assert done.returncode == 1 and "NO-TF" in done.stdout
    assert done.stderr.count("\n") == 1 and "models counts, but series 'y' has -1" in done.stderr
    with pytest.raises(DataError, match="models counts"):  # the walk-forward checks before any fit
        walk_forward(tmp_path / "c.csv", [Forecaster("mlp", distribution="negbin")], WalkForward(horizon=1, folds=2))


# -------------------------------------------------------------------- coverage ------
def walk(series, forecaster, folds=300, level=(80,), **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return walk_forward(series, {"m": forecaster}, WalkForward(horizon=1, folds=folds, refit="never", stride=1),
                            baselines=False, level=level, **kwargs)


def covered(result, level=80) -> float:
    rows = result.results
    return coverage(rows["y_true"], rows[f"yhat_lo_{level}"], rows[f"yhat_hi_{level}"])


def test_student_t_head_covers_heavy_tailed_data():
    y = daily(ar1(700, phi=0.5, noise=lambda rng, n: rng.standard_t(3, n)))
    f = Forecaster("linear", lookback=2, params={"epochs": 40, "patience": 5, "learning_rate": 0.01},
                   distribution="studentt", preprocess="none")
    result = walk(y, f)
    assert result.results["distribution"].iloc[0] == "studentt distribution quantiles"
    assert 0.74 <= covered(result) <= 0.86
    assert np.isfinite(result.results["crps"]).all() and result.results["pit"].between(0, 1).all()


def test_negative_binomial_head_covers_poisson_gamma_counts():
    rng = np.random.default_rng(5)
    mean = 20 + 10 * np.sin(np.arange(700) * 2 * np.pi / 7)
    counts = rng.poisson(rng.gamma(shape=2.0, scale=mean / 2.0))  # NB with alpha 0.5
    f = Forecaster("linear", lookback=7, params={"epochs": 40, "patience": 5, "learning_rate": 0.01},
                   distribution="negbin")
    result = walk(daily(counts), f)
    rows = result.results
    assert (rows["yhat_lo_80"] == np.round(rows["yhat_lo_80"])).all()  # count quantiles
    assert 0.76 <= covered(result) <= 0.92
    assert pit_histogram(rows["pit"], bins=5).min() > 0.6  # randomised PIT of counts: near uniform


def test_walk_forward_scores_sampled_paths_and_quantile_heads(airline):
    models = {"paths": Forecaster("linear", params={**QUICK, "validation": 0.3}),
              "head": Forecaster("linear", params=QUICK, quantiles="0.05,0.1,0.25,0.75,0.9,0.95")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = walk_forward(airline, models, WalkForward(horizon=2, folds=6, refit="never"), baselines=False,
                              samples=50, level=(80,))
    board = result.leaderboard("crps").set_index("model")
    assert board.loc["paths", "distribution"] == "50 paths bootstrapping the held-out errors"
    assert board.loc["head", "distribution"] == board.loc["head", "intervals"] == "quantile head"
    assert np.isfinite(board["crps"]).all() and np.isfinite(board["pinball"]).all()


# ---------------------------------------------------------------------- leakage ------
def test_distribution_forecasts_and_bounds_never_see_the_future():
    y = ar1(140)
    changed = y.copy()
    changed[-8:] += 1000.0
    f = Forecaster("linear", lookback=4, params=QUICK, distribution="normal", preprocess="none")

    def run(values):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return walk_forward(daily(values), {"m": f}, WalkForward(horizon=2, folds=20, stride=1, refit="every:10"),
                                baselines=False, level=(80,)).results

    before, after = run(y), run(changed)
    cutoff = daily(y).index[-8]
    early = (before["origin"] <= cutoff).to_numpy()
    for column in ("y_pred", "yhat_lo_80", "yhat_hi_80"):
        np.testing.assert_array_equal(before.loc[early, column], after.loc[early, column])
    known = (before["time"] < cutoff).to_numpy()
    np.testing.assert_array_equal(before.loc[known, "crps"], after.loc[known, "crps"])


def test_conformal_crps_uses_only_errors_known_before_each_origin():
    rng = np.random.default_rng(0)
    n = 120
    results = pd.DataFrame({"model": "m", "id": "a", "fit": 0, "origin": np.arange(n), "h": 1, "time": np.arange(n),
                            "y_pred": np.zeros(n), "y_true": rng.normal(size=n)})
    base = conformal_scores(results, min_calibration=10)
    moved = results.assign(y_true=np.where(results["time"] >= 80, results["y_true"] + 1e3, results["y_true"]))
    after = conformal_scores(moved, min_calibration=10)
    for a, b in zip(base, after):
        np.testing.assert_array_equal(a[:80], b[:80])
    assert np.isnan(base[0][:10]).all() and np.isfinite(base[0][10:]).all()


# -------------------------------------------------------------------- the metrics ----
def test_crps_and_pit_formulas_agree():
    rng = np.random.default_rng(2)
    y = rng.normal(size=400)
    exact = crps_normal(y, np.zeros(400), np.ones(400))
    draws = rng.normal(size=(400, 4000))
    np.testing.assert_allclose(crps_samples(y, draws), exact, atol=0.08)
    taus = np.arange(1, 100) / 100
    assert crps_from_quantiles(y, np.tile(stats.norm.ppf(taus), (400, 1)), taus) == pytest.approx(exact.mean(), abs=0.01)
    assert crps_from_samples(y, draws) == pytest.approx(exact.mean(), abs=0.005)
    pit = pit_normal(y, 0.0, 1.0)
    np.testing.assert_allclose(calibration_curve(pit, [50, 80, 95]), [0.5, 0.8, 0.95], atol=0.05)
    counts = rng.poisson(3, size=(2000, 1))  # randomised over ties, counts give a uniform PIT too
    assert abs(pit_samples(rng.poisson(3, 2000), np.tile(counts.T, (2000, 1)), rng).mean() - 0.5) < 0.02
    assert tuple(SAMPLE_QUANTILES) == (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


# ------------------------------------------------------------------ command line ----
def test_forecast_with_a_student_t_head_writes_sampled_quantile_columns(tmp_path, capsys):
    from forecastkit.cli import main

    out = tmp_path / "f.csv"
    code = main(["forecast", "--model", "mlp", "--distribution", "studentt", "--samples", "200", "--level", "80",
                 "--epochs", "1", "--units", "4", "--out", str(out)])
    assert code == 0
    forecast = pd.read_csv(out)
    assert list(forecast.columns)[3:] == ["yhat", "yhat_lo_80", "yhat_hi_80", *[f"q{q:g}" for q in SAMPLE_QUANTILES]]
    quantiles = forecast[[f"q{q:g}" for q in SAMPLE_QUANTILES]].to_numpy()
    assert (np.diff(quantiles, axis=1) >= 0).all()
    printed = capsys.readouterr().out
    assert "intervals: " in printed and "studentt distribution" in printed


def test_done_when_gaussian_ar1_covers_80_percent_and_ranks_by_crps(tmp_path, capsys):
    """The issue's test: evaluate --models mlp --distribution normal --level 80 --metric crps --horizon 1
    --folds 150 --refit every:30 on a seeded Gaussian AR(1) series (naive beside it, no other baselines)."""
    from forecastkit.cli import main

    pd.DataFrame({"date": pd.date_range("2000-01-01", periods=400, freq="D"), "y": ar1(400)}).to_csv(
        tmp_path / "ar1.csv", index=False)
    code = main(["evaluate", "--data", str(tmp_path / "ar1.csv"), "--models", "mlp,naive", "--no-baselines",
                 "--distribution", "normal", "--level", "80", "--metric", "crps", "--horizon", "1", "--folds", "150",
                 "--refit", "every:30", "--lookback", "2", "--units", "8", "--epochs", "20", "--patience", "5",
                 "--out", str(tmp_path / "run")])
    assert code == 0
    out, err = capsys.readouterr()
    board = pd.read_csv(tmp_path / "run" / "leaderboard.csv").set_index("model")
    assert board["crps"].tolist() == sorted(board["crps"]) and board["rank"].tolist() == [1, 2]
    assert 0.72 <= board.loc["mlp", "coverage_80"] <= 0.88
    # exact either way: closed form without a log, the Normal's quantiles mapped back with one
    assert board.loc["mlp", "distribution"] == board.loc["mlp", "intervals"] in (
        "normal distribution (closed form)", "normal distribution quantiles")
    assert board.loc["naive", "distribution"] == "native Gaussian intervals"
    assert "Best on CRPS" in out and "distribution heads are not grouped" in err  # the fold-parallel fallback
    results = pd.read_csv(tmp_path / "run" / "results.csv")
    assert {"crps", "pinball", "pit", "distribution", "intervals"} <= set(results.columns)
    assert (tmp_path / "run" / "calibration.png").stat().st_size > 1000


def test_models_are_compared_on_the_crps_of_the_same_forecasts(airline):
    # naive's native Gaussian is scored at every origin, the linear model's conformal
    # distribution only once enough earlier errors calibrate it: the means compare the same rows
    from forecastkit.report import distribution_notes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = walk_forward(airline, {"linear": Forecaster("linear", params=QUICK), "naive": Forecaster("naive")},
                              WalkForward(horizon=2, folds=12, stride=1, refit="never"), baselines=False,
                              level=(80,), min_calibration=6, n_jobs=1)
    frame = result.results
    rows = frame.groupby("model")["crps"].count()
    assert rows["naive"] > rows["linear"] > 0  # the conformal one misses the first origins
    board = result.leaderboard("crps").set_index("model")
    keys = frame.loc[(frame["model"] == "linear") & frame["crps"].notna(), ["origin", "h"]]
    naive = frame[frame["model"] == "naive"].merge(keys, on=["origin", "h"])
    assert board.loc["naive", "crps"] == pytest.approx(naive["crps"].mean())
    assert board.loc["linear", "crps"] == pytest.approx(frame.loc[frame["model"] == "linear", "crps"].mean())
    assert any("compared on the" in note for note in distribution_notes(result))


def test_interval_scores_compare_the_same_forecasts(airline):
    # a quantile head has its own bounds at every origin, a conformal model only once calibrated
    models = {"head": Forecaster("linear", params=QUICK, quantiles="0.1,0.9"), "plain": Forecaster("linear", params=QUICK)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = walk_forward(airline, models, WalkForward(horizon=2, folds=12, stride=1, refit="never"),
                              baselines=False, level=(80,), min_calibration=6, n_jobs=1)
    own = result.results.groupby("model")["yhat_lo_80"].count()
    assert own["head"] > own["plain"] > 0
    board = result.leaderboard("msis").set_index("model")
    assert board.loc["head", "intervals_80"] == board.loc["plain", "intervals_80"] == own["plain"]
