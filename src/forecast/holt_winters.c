/*-------------------------------------------------------------------------
 *
 * holt_winters.c
 *	  Fitting, forecasting and scoring additive Holt-Winters models.
 *
 * Estimation minimises the sum of squared one-step-ahead errors (SSE)
 * over the smoothing parameters and the initial states, the objective of
 * statsmodels' ExponentialSmoothing(initialization_method='estimated').
 * statsmodels hands all m + 5 numbers to one bounded optimiser.  Here the
 * initial states are profiled out instead: for fixed (alpha, beta, gamma)
 * the recursions are linear in the initial state x0, so the errors are
 * e = r - F x0, with r the errors from x0 = 0 and column j of F minus the
 * errors of a unit state j on a zero series (one pass each).  The best x0
 * is then a least-squares problem of p = m + 1 unknowns (the level, the
 * trend, and m seasonal states tied to sum 0: shifting every seasonal state
 * up by c and the level down by c changes no prediction, so the sum is not
 * identifiable).  It is solved by the normal equations, scaled to unit
 * diagonal and Cholesky-factored, a column being dropped when its pivot
 * falls below HW_PIVOT_MIN (nearly dependent on the others: its state no
 * longer matters, e.g. the level when alpha is near 1).  The SSE is then
 * recomputed from the residuals, not from the normal equations.  So the
 * optimiser only searches the 1 to 3 smoothing parameters, and the states
 * are exactly optimal for each (with the parameters fixed, our SSE is
 * statsmodels' to 1e-9).  On 120 simulated series the plain search ends
 * at or below statsmodels' SSE on 118 (the two others within 1.2%), and
 * 11% below at best; co2 (502 points, m = 12) takes ~60 ms, against ~95 ms
 * for statsmodels.
 *
 * The smoothing parameters live in the admissible region of Hyndman et
 * al. ("usual" bounds of forecast::ets): 0 <= alpha <= 1, 0 <= beta <= 1
 * (Holt form: 0 <= ETS beta <= alpha), 0 <= gamma <= 1 - alpha.  (statsmodels
 * also asks beta <= alpha of the Holt-form beta, a smaller region.)  They
 * are searched in an unconstrained space, alpha = sigmoid(u1), beta =
 * sigmoid(u2), gamma = (1 - alpha) sigmoid(u3), by Nelder-Mead started
 * from the best HW_NM_STARTS points of a 5-per-parameter grid, each run
 * restarted from its end point until it stops improving.  No randomness:
 * the same series always gives the same model.
 *
 * Trend smoothing (HwOptions.select_beta, on by default): the SSE is often
 * multimodal in beta, and its lowest point can be a beta that chases the
 * last few periods' slope.  So a second search with beta = 0 (a fixed
 * drift) is run, and beta is kept only if it lowers the AIC.  Measured
 * (bench/forecast_reference.py, test_timeseries.c), holdout of two seasons:
 *
 *	- statsmodels' co2 (monthly) and elec_equip, 6 synthetic series: mean
 *	  MASE 0.540 for us, 0.540 for statsmodels; each within 3%; without
 *	  select_beta elec_equip gets a 0.25% lower SSE and a 47% worse MASE.
 *	- 120 series simulated from ETS(A,A,A) with random parameters (strong
 *	  stochastic trends included): geometric mean of the MASE ratio 0.999
 *	  (0.974 without select_beta), mean MASE 0.90 against 0.86 (0.86):
 *	  dropping beta costs on series whose trend really moves.
 *
 * statsmodels 0.13's forecast() takes the season of horizons m, 2m, ...
 * one season too old (it overwrites the last seasonal update); ours follow
 * the textbook formula (Hyndman et al. 2008, eq. 3.1), and agree with
 * statsmodels' at every other horizon and with its final states at all.
 *
 * The series is standardised first ((y - mean) / sd): the smoothing
 * parameters do not change under y -> a y + c, and the states are mapped
 * back afterwards, so values near 1e9 or 1e-9 fit as well as values near 1.
 * The final pass runs on the original values.
 *
 * Long seasons.  The profiled least squares costs O(n p^2) per evaluation;
 * when n (m + 1)^2 exceeds HW_PROFILE_BUDGET (e.g. hourly data with m = 24
 * over a year) the m seasonal states come from statsmodels' 'heuristic'
 * initialisation instead (the centred-moving-average decomposition of the
 * first cycles, Hyndman et al. 2008, section 2.6.1) and only the level and
 * trend are profiled.  states_estimated tells which.
 *
 * Short series: additive Holt-Winters needs two full seasons and m + 6
 * points (m + 4 parameters, two degrees of freedom left); otherwise Holt's
 * linear trend, which needs 6; otherwise simple exponential smoothing,
 * down to 3 points.  The model says which method it is.
 *
 * Prediction intervals: the analytic variance of the class-1 ETS(A,A,A)
 * model (Hyndman et al., 'Forecasting with Exponential Smoothing', table
 * 6.1), with sigma2 = SSE / (n - nparams) as forecast::ets.
 *
 *-------------------------------------------------------------------------
 */
#include "holt_winters.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "insights/timeseries.h"
#include "ml/ml.h"

/* profile the seasonal states while n (m + 1)^2 stays below this */
#define HW_PROFILE_BUDGET		2.5e6

/* relative pivot below which a state is dropped from the least squares */
#define HW_PIVOT_MIN			1e-12

/* Nelder-Mead: starting points, iterations per dimension, tolerances */
#define HW_NM_STARTS			2
#define HW_NM_ITER_PER_DIM		300
#define HW_NM_FTOL				1e-10
#define HW_NM_XTOL				1e-5
#define HW_NM_RESTARTS			3

/* the unconstrained parameters are clamped to sigmoid(+-30) ~ 1e-13 */
#define HW_U_MAX				30.0

/* grid of starting values of each free parameter (as its fraction) */
static const double hw_grid[] = {0.02, 0.1, 0.3, 0.6, 0.9};

#define HW_GRID_N				((int) (sizeof(hw_grid) / sizeof(double)))

/* Everything one fit needs; the series here is the standardised one. */
typedef struct HwFit
{
	const double *z;
	int64		n;
	HwMethod	method;
	int			m;				/* seasonal period, 0 unless HW_ADDITIVE */
	bool		free_season;	/* seasonal states profiled, else sfix */
	double	   *sfix;			/* m heuristic seasonal states */
	int			p;				/* profiled states */
	/*
	 * The p + 1 passes run side by side (independent chains, so the CPU
	 * overlaps them): row t of E holds the error of the data pass at t,
	 * then of each unit-state pass.  L, B, S are their states, S phase by
	 * phase (S[ph * (p + 1) + c]).
	 */
	double	   *E;				/* n x (p + 1) */
	double	   *L;				/* p + 1 */
	double	   *B;				/* p + 1 */
	double	   *S;				/* m x (p + 1) */
	double	   *G;				/* p x p, then p scales and p flags */
	double	   *g;				/* p */
	double	   *x;				/* p: the best initial states */
	double	   *s;				/* m: seasonal states of one pass */
	/* which smoothing parameters are searched, and the fixed values */
	bool		free_a,
				free_b,
				free_g;
	double		fix_a,
				fix_b,
				fix_g;
	int			nfree;
	int64		nevals;
} HwFit;

void
hw_options_default(HwOptions *opt)
{
	opt->period = 0;
	opt->alpha = NAN;
	opt->beta = NAN;
	opt->gamma = NAN;
	opt->select_beta = true;
}

/*
 * One pass of the recursions over n points (y NULL: a series of zeros)
 * from the states *l, *b, s[0..m-1] (s[i]: the season of points t = i mod
 * m), which it leaves at their values after the last point.  err receives
 * the one-step-ahead errors, fitted (if not NULL) the predictions.
 */
static void
hw_run(const double *y, int64 n, HwMethod method, int m, double alpha,
	   double beta, double gamma, double *l, double *b, double *s,
	   double *err, double *fitted)
{
	double		lv = *l;
	double		bv = method == HW_SES ? 0.0 : *b;
	double		ab = method == HW_SES ? 0.0 : alpha * beta;
	int			ph = 0;

	if (method == HW_ADDITIVE)
	{
		for (int64 t = 0; t < n; t++)
		{
			double		sv = s[ph];
			double		pred = lv + bv + sv;
			double		e = (y ? y[t] : 0.0) - pred;

			err[t] = e;
			if (fitted)
				fitted[t] = pred;
			lv = pred - sv + alpha * e;
			bv += ab * e;
			s[ph] = sv + gamma * e;
			if (++ph == m)
				ph = 0;
		}
	}
	else
	{
		for (int64 t = 0; t < n; t++)
		{
			double		pred = lv + bv;
			double		e = (y ? y[t] : 0.0) - pred;

			err[t] = e;
			if (fitted)
				fitted[t] = pred;
			lv = pred + alpha * e;
			bv += ab * e;
		}
	}
	*l = lv;
	*b = bv;
}

/* Initial state of profiled column j (j < 0: the fixed part). */
static void
hw_basis(const HwFit *f, int j, double *l, double *b, double *s)
{
	*l = 0.0;
	*b = 0.0;
	if (f->m > 0)
	{
		if (f->free_season)
			memset(s, 0, sizeof(double) * f->m);
		else
			memcpy(s, f->sfix, sizeof(double) * f->m);
	}
	if (j == 0)
		*l = 1.0;
	else if (j == 1 && f->method != HW_SES)
		*b = 1.0;
	else if (j >= 2 && f->free_season)
	{
		/* seasonal state j - 2 up, the last one down: the sum stays 0 */
		memset(s, 0, sizeof(double) * f->m);
		s[j - 2] = 1.0;
		s[f->m - 1] = -1.0;
	}
}

/*
 * The p + 1 passes at once: the data from the fixed part of the state
 * (column 0 of E) and a zero series from each unit state (columns 1..p).
 */
static void
hw_run_all(HwFit *f, double alpha, double beta, double gamma)
{
	int			P = f->p + 1;
	int			m = f->m;
	double		ab = f->method == HW_SES ? 0.0 : alpha * beta;
	double	   *L = f->L;
	double	   *B = f->B;
	double	   *S = f->S;
	int			ph = 0;

	for (int c = 0; c < P; c++)
	{
		hw_basis(f, c - 1, &L[c], &B[c], f->s);
		for (int i = 0; i < m; i++)
			S[i * P + c] = f->s[i];
	}
	for (int64 t = 0; t < f->n; t++)
	{
		double	   *e = f->E + t * P;
		double	   *sp = S + ph * P;

		if (m > 0)
		{
			for (int c = 0; c < P; c++)
			{
				double		pred = L[c] + B[c] + sp[c];
				double		ec = (c == 0 ? f->z[t] : 0.0) - pred;

				e[c] = ec;
				L[c] = pred - sp[c] + alpha * ec;
				B[c] += ab * ec;
				sp[c] += gamma * ec;
			}
			if (++ph == m)
				ph = 0;
		}
		else
		{
			for (int c = 0; c < P; c++)
			{
				double		pred = L[c] + B[c];
				double		ec = (c == 0 ? f->z[t] : 0.0) - pred;

				e[c] = ec;
				L[c] = pred + alpha * ec;
				B[c] += ab * ec;
			}
		}
	}
}

/*
 * Solve min ||r - F x|| (r column 0 of E, F minus columns 1..p) by the
 * normal equations scaled to unit diagonal, dropping nearly dependent
 * columns (their x is 0).  F'F is accumulated row by row (rank-1 updates,
 * which vectorise), not as p^2 / 2 latency-bound dot products.
 */
static void
hw_least_squares(HwFit *f)
{
	int			p = f->p;
	int			P = p + 1;
	int64		n = f->n;
	double	   *G = f->G;
	double	   *g = f->g;
	double	   *x = f->x;
	double	   *scale = f->G + p * p;	/* p extra doubles after G */
	bool	   *keep = (bool *) (scale + p);

	memset(G, 0, sizeof(double) * p * p);
	memset(g, 0, sizeof(double) * p);
	for (int64 t = 0; t < n; t++)
	{
		const double *row = f->E + t * P + 1;
		double		r = f->E[t * P];

		for (int i = 0; i < p; i++)
		{
			double		fi = row[i];
			double	   *gi = G + i * p;

			g[i] -= fi * r;		/* F = -columns 1..p */
			for (int j = 0; j <= i; j++)
				gi[j] += fi * row[j];
		}
	}
	for (int i = 0; i < p; i++)
		scale[i] = G[i * p + i] > 0.0 ? 1.0 / sqrt(G[i * p + i]) : 0.0;

	/* Cholesky of the scaled lower triangle, in place */
	for (int k = 0; k < p; k++)
	{
		double		piv;

		keep[k] = scale[k] > 0.0;
		if (!keep[k])
			continue;
		piv = G[k * p + k] * scale[k] * scale[k];
		for (int j = 0; j < k; j++)
			if (keep[j])
				piv -= G[k * p + j] * G[k * p + j];
		if (!(piv > HW_PIVOT_MIN))
		{
			keep[k] = false;
			continue;
		}
		piv = sqrt(piv);
		G[k * p + k] = piv;
		for (int i = k + 1; i < p; i++)
		{
			double		v = G[i * p + k] * scale[i] * scale[k];

			for (int j = 0; j < k; j++)
				if (keep[j])
					v -= G[i * p + j] * G[k * p + j];
			G[i * p + k] = v / piv;
		}
	}
	/* L y = D g, then L' x' = y, x = D x' */
	for (int i = 0; i < p; i++)
	{
		double		v = g[i] * scale[i];

		if (!keep[i])
		{
			x[i] = 0.0;
			continue;
		}
		for (int j = 0; j < i; j++)
			if (keep[j])
				v -= G[i * p + j] * x[j];
		x[i] = v / G[i * p + i];
	}
	for (int i = p - 1; i >= 0; i--)
	{
		double		v = x[i];

		if (!keep[i])
			continue;
		for (int j = i + 1; j < p; j++)
			if (keep[j])
				v -= G[j * p + i] * x[j];
		x[i] = v / G[i * p + i];
	}
	for (int i = 0; i < p; i++)
		x[i] *= scale[i];
}

/* SSE at (alpha, beta, gamma) with the best initial states (into f->x). */
static double
hw_profiled_sse(HwFit *f, double alpha, double beta, double gamma)
{
	int			P = f->p + 1;
	double		sse = 0.0;

	f->nevals++;
	if ((f->nevals & 63) == 0)
		ML_CHECK_INTERRUPTS();
	hw_run_all(f, alpha, beta, gamma);
	hw_least_squares(f);
	/* e = r - F x = r + (columns 1..p) x, from the residuals themselves */
	for (int64 t = 0; t < f->n; t++)
	{
		const double *row = f->E + t * P;
		double		e = row[0];

		for (int j = 0; j < f->p; j++)
			e += row[j + 1] * f->x[j];
		sse += e * e;
	}
	return sse;
}

static double
sigmoid(double u)
{
	u = fmax(-HW_U_MAX, fmin(HW_U_MAX, u));
	return 1.0 / (1.0 + exp(-u));
}

/* The smoothing parameters of a point u of the search space. */
static void
hw_map(const HwFit *f, const double *u, double *alpha, double *beta,
	   double *gamma)
{
	int			i = 0;
	double		amax = (f->method == HW_ADDITIVE && !f->free_g) ? 1.0 - f->fix_g : 1.0;

	*alpha = f->free_a ? amax * sigmoid(u[i++]) : f->fix_a;
	*beta = f->method == HW_SES ? 0.0 : (f->free_b ? sigmoid(u[i++]) : f->fix_b);
	if (f->method != HW_ADDITIVE)
		*gamma = 0.0;
	else
		*gamma = f->free_g ? (1.0 - *alpha) * sigmoid(u[i++]) : f->fix_g;
}

static double
hw_objective(HwFit *f, const double *u)
{
	double		a,
				b,
				g;

	hw_map(f, u, &a, &b, &g);
	return hw_profiled_sse(f, a, b, g);
}

/*
 * Nelder-Mead from u (d <= 3 dimensions) with initial steps step; u
 * receives the best point, the return value its objective.
 */
static double
hw_nelder_mead(HwFit *f, double *u, int d, double step)
{
	double		v[4][3],
				fv[4],
				c[3],
				xr[3],
				xe[3],
				xc[3];
	int			maxit = HW_NM_ITER_PER_DIM * d;

	for (int i = 0; i <= d; i++)
	{
		for (int j = 0; j < d; j++)
			v[i][j] = u[j] + (i == j + 1 ? step : 0.0);
		fv[i] = hw_objective(f, v[i]);
	}
	for (int it = 0; it < maxit; it++)
	{
		int			best = 0,
					worst = 0,
					second;
		double		fr,
					size = 0.0;

		for (int i = 1; i <= d; i++)
		{
			if (fv[i] < fv[best])
				best = i;
			if (fv[i] >= fv[worst])
				worst = i;
		}
		if (best == worst)
			worst = best == 0 ? 1 : 0;
		second = best;
		for (int i = 0; i <= d; i++)
			if (i != worst && fv[i] >= fv[second])
				second = i;
		for (int i = 0; i <= d; i++)
			for (int j = 0; j < d; j++)
				size = fmax(size, fabs(v[i][j] - v[best][j]));
		if (fv[worst] - fv[best] <= HW_NM_FTOL * fabs(fv[best]) + 1e-300 &&
			size <= HW_NM_XTOL)
			break;
		if (fv[worst] - fv[best] <= 1e-300 && size <= HW_NM_XTOL * 1e3)
			break;

		for (int j = 0; j < d; j++)
		{
			c[j] = 0.0;
			for (int i = 0; i <= d; i++)
				if (i != worst)
					c[j] += v[i][j];
			c[j] /= d;
			xr[j] = c[j] + (c[j] - v[worst][j]);
		}
		fr = hw_objective(f, xr);
		if (fr < fv[best])
		{
			double		fe;

			for (int j = 0; j < d; j++)
				xe[j] = c[j] + 2.0 * (c[j] - v[worst][j]);
			fe = hw_objective(f, xe);
			if (fe < fr)
			{
				memcpy(v[worst], xe, sizeof(double) * d);
				fv[worst] = fe;
			}
			else
			{
				memcpy(v[worst], xr, sizeof(double) * d);
				fv[worst] = fr;
			}
			continue;
		}
		if (fr < fv[second])
		{
			memcpy(v[worst], xr, sizeof(double) * d);
			fv[worst] = fr;
			continue;
		}
		{
			/* contract: outside if the reflection helped, else inside */
			bool		outside = fr < fv[worst];
			double		fc;

			for (int j = 0; j < d; j++)
				xc[j] = outside ? c[j] + 0.5 * (xr[j] - c[j])
					: c[j] + 0.5 * (v[worst][j] - c[j]);
			fc = hw_objective(f, xc);
			if (fc < (outside ? fr : fv[worst]))
			{
				memcpy(v[worst], xc, sizeof(double) * d);
				fv[worst] = fc;
				continue;
			}
		}
		/* shrink towards the best */
		for (int i = 0; i <= d; i++)
		{
			if (i == best)
				continue;
			for (int j = 0; j < d; j++)
				v[i][j] = v[best][j] + 0.5 * (v[i][j] - v[best][j]);
			fv[i] = hw_objective(f, v[i]);
		}
	}
	{
		int			best = 0;

		for (int i = 1; i <= d; i++)
			if (fv[i] < fv[best])
				best = i;
		memcpy(u, v[best], sizeof(double) * d);
		return fv[best];
	}
}

/* The smoothing parameters with the smallest profiled SSE. */
static void
hw_optimise(HwFit *f, double *alpha, double *beta, double *gamma)
{
	int			d = f->nfree;
	double		start[HW_NM_STARTS][3];
	double		fstart[HW_NM_STARTS];
	int			nstart = 0;
	int			npoints = 1;
	double		best_u[3] = {0, 0, 0};
	double		best_f = INFINITY;

	if (d == 0)
	{
		hw_map(f, best_u, alpha, beta, gamma);
		return;
	}
	for (int i = 0; i < d; i++)
		npoints *= HW_GRID_N;

	/* the grid, keeping the best HW_NM_STARTS points in order */
	for (int pt = 0; pt < npoints; pt++)
	{
		double		u[3];
		double		fu;
		int			code = pt;
		int			pos;

		for (int i = 0; i < d; i++)
		{
			double		v = hw_grid[code % HW_GRID_N];

			u[i] = log(v / (1.0 - v));
			code /= HW_GRID_N;
		}
		fu = hw_objective(f, u);
		for (pos = nstart; pos > 0 && fu < fstart[pos - 1]; pos--)
			;
		if (pos >= HW_NM_STARTS)
			continue;
		if (nstart < HW_NM_STARTS)
			nstart++;
		for (int k = nstart - 1; k > pos; k--)
		{
			memcpy(start[k], start[k - 1], sizeof(start[k]));
			fstart[k] = fstart[k - 1];
		}
		memcpy(start[pos], u, sizeof(start[pos]));
		fstart[pos] = fu;
	}

	/* Nelder-Mead from each, restarted until it stops improving */
	for (int k = 0; k < nstart; k++)
	{
		double		u[3];
		double		fu = fstart[k];

		memcpy(u, start[k], sizeof(u));
		for (int r = 0; r < HW_NM_RESTARTS; r++)
		{
			double		fn = hw_nelder_mead(f, u, d, r == 0 ? 1.0 : 0.25);
			bool		better = fn < fu - 1e-10 * fabs(fu);

			fu = fmin(fu, fn);
			if (!better && r > 0)
				break;
		}
		if (fu < best_f)
		{
			best_f = fu;
			memcpy(best_u, u, sizeof(u));
		}
	}
	hw_map(f, best_u, alpha, beta, gamma);
}

/* AIC of a Gaussian fit with k parameters besides the variance */
static double
hw_aic(double sse, int64 n, int k)
{
	return n * log(sse / n) + 2.0 * (k + 1);
}

/* Initial states (level, trend, seasonal) counted as parameters. */
static int
hw_nstates(const HwFit *f)
{
	return 1 + (f->method != HW_SES ? 1 : 0) + (f->m > 0 ? f->m - 1 : 0);
}

/*
 * The smoothing parameters; with select_beta, the trend smoothing is set
 * to 0 unless it earns its parameter: the fit with beta searched is kept
 * only when its AIC is lower than that of the fit with beta = 0 (whose
 * trend is a fixed drift).  On elec_equip the SSE has a local minimum at
 * beta = 0 and a 0.25% lower one at beta = 0.16, whose slope, chasing the
 * last noisy months, then extrapolates badly (holdout MASE 0.54 against
 * 0.37 at beta = 0).  AICc's small-sample term is not used: with m + 4
 * parameters on a few seasons it swings the choice by whole units.
 */
static void
hw_choose_parameters(HwFit *f, bool select_beta, double *alpha, double *beta,
					 double *gamma)
{
	HwFit		g;
	double		a0,
				b0,
				g0,
				sse,
				sse0;
	int			k;

	hw_optimise(f, alpha, beta, gamma);
	if (!f->free_b || !select_beta)
		return;
	sse = hw_profiled_sse(f, *alpha, *beta, *gamma);
	k = f->nfree + hw_nstates(f);
	g = *f;
	g.free_b = false;
	g.fix_b = 0.0;
	g.nfree--;
	hw_optimise(&g, &a0, &b0, &g0);
	sse0 = hw_profiled_sse(&g, a0, b0, g0);
	f->nevals = g.nevals;
	if (hw_aic(sse0, f->n, k - 1) <= hw_aic(sse, f->n, k))
	{
		*alpha = a0;
		*beta = 0.0;
		*gamma = g0;
		f->free_b = false;
		f->fix_b = 0.0;
		f->nfree--;
	}
}

/*
 * statsmodels' heuristic seasonal states (of the standardised series):
 * the centred moving-average decomposition of the first k cycles.
 */
static bool
hw_heuristic_season(const double *z, int64 n, int m, double *s)
{
	int64		min_obs = 10 + 2 * (m / 2);
	int64		k = n / m < 5 ? n / m : 5;
	int64		len;
	double	   *trend,
			   *seas,
			   *resid;
	char		err[TS_ERRBUF_SIZE];
	bool		ok;

	if (k < (min_obs + m - 1) / m)
		k = (min_obs + m - 1) / m;
	len = k * m < n ? k * m : n;
	trend = am_alloc(sizeof(double) * len);
	seas = am_alloc(sizeof(double) * len);
	resid = am_alloc(sizeof(double) * len);
	ok = ts_decompose(z, len, m, false, trend, seas, resid, s, err);
	am_free(trend);
	am_free(seas);
	am_free(resid);
	return ok;
}

/* Which method the series allows, given the period asked for. */
static HwMethod
hw_choose_method(int64 n, int period)
{
	if (period >= 2 && n >= 2 * (int64) period && n >= (int64) period + 6)
		return HW_ADDITIVE;
	if (n >= 6)
		return HW_HOLT;
	return HW_SES;
}

static bool
hw_check_param(double v, const char *name, char *errbuf)
{
	if (isnan(v) || (v >= 0.0 && v <= 1.0))
		return true;
	snprintf(errbuf, HW_ERRBUF_SIZE, "%s must be between 0 and 1, got %g", name, v);
	return false;
}

HwModel *
hw_fit(const double *y, int64 n, const HwOptions *opt, char *errbuf)
{
	HwFit		f;
	HwModel    *model;
	double		mu = 0.0,
				off = 0.0,
				sd = 0.0;
	double	   *z;
	double		alpha,
				beta,
				gamma,
				l,
				b;
	int			m;

	if (n < 3)
	{
		snprintf(errbuf, HW_ERRBUF_SIZE,
				 "forecasting needs at least 3 points, got %lld", (long long) n);
		return NULL;
	}
	for (int64 t = 0; t < n; t++)
	{
		if (!isfinite(y[t]))
		{
			snprintf(errbuf, HW_ERRBUF_SIZE,
					 "series contains a NaN or infinite value at position %lld",
					 (long long) t + 1);
			return NULL;
		}
	}
	if (opt->period < 0)
	{
		snprintf(errbuf, HW_ERRBUF_SIZE, "period must not be negative, got %d", opt->period);
		return NULL;
	}
	if (!hw_check_param(opt->alpha, "alpha", errbuf) ||
		!hw_check_param(opt->beta, "beta", errbuf) ||
		!hw_check_param(opt->gamma, "gamma", errbuf))
		return NULL;

	/* standardise */
	for (int64 t = 0; t < n; t++)
		mu += y[t];
	mu /= n;
	for (int64 t = 0; t < n; t++)
		off += y[t] - mu;
	mu += off / n;
	for (int64 t = 0; t < n; t++)
		sd += (y[t] - mu) * (y[t] - mu);
	sd = sqrt(sd / n);
	if (!(sd > 0.0) || !isfinite(sd))
		sd = 1.0;				/* constant series: every fit is exact */
	z = am_alloc(sizeof(double) * n);
	for (int64 t = 0; t < n; t++)
		z[t] = (y[t] - mu) / sd;

	memset(&f, 0, sizeof(f));
	f.z = z;
	f.n = n;
	f.method = hw_choose_method(n, opt->period);
	m = f.method == HW_ADDITIVE ? opt->period : 0;
	f.m = m;
	f.free_season = m > 0 && (double) n * (m + 1.0) * (m + 1.0) <= HW_PROFILE_BUDGET;
	if (m > 0 && !f.free_season)
	{
		f.sfix = am_alloc(sizeof(double) * m);
		if (!hw_heuristic_season(z, n, m, f.sfix))
		{
			/* cannot happen: n >= 2 m; fall back to Holt all the same */
			f.method = HW_HOLT;
			f.m = m = 0;
		}
	}
	f.p = 1 + (f.method != HW_SES ? 1 : 0) + (f.free_season ? m - 1 : 0);
	f.free_a = isnan(opt->alpha);
	f.free_b = f.method != HW_SES && isnan(opt->beta);
	f.free_g = f.method == HW_ADDITIVE && isnan(opt->gamma);
	f.fix_a = opt->alpha;
	f.fix_b = opt->beta;
	f.fix_g = opt->gamma;
	f.nfree = f.free_a + f.free_b + f.free_g;
	f.E = am_alloc(sizeof(double) * n * (f.p + 1));
	f.L = am_alloc(sizeof(double) * (f.p + 1));
	f.B = am_alloc(sizeof(double) * (f.p + 1));
	f.S = am_alloc(sizeof(double) * (m > 0 ? m : 1) * (f.p + 1));
	/* G, then p scale factors, then p flags */
	f.G = am_alloc(sizeof(double) * (f.p * f.p + f.p) + sizeof(bool) * f.p + 8);
	f.g = am_alloc(sizeof(double) * f.p);
	f.x = am_alloc(sizeof(double) * f.p);
	f.s = am_alloc(sizeof(double) * (m > 0 ? m : 1));

	hw_choose_parameters(&f, opt->select_beta, &alpha, &beta, &gamma);
	hw_profiled_sse(&f, alpha, beta, gamma);	/* f.x: the states */

	/* the model, in the original units */
	model = am_alloc0(sizeof(HwModel));
	model->method = f.method;
	model->period = m;
	model->n = n;
	model->alpha = alpha;
	model->beta = f.method == HW_SES ? 0.0 : beta;
	model->gamma = f.method == HW_ADDITIVE ? gamma : 0.0;
	model->states_estimated = f.free_season || m == 0;
	model->fitted = am_alloc(sizeof(double) * n);
	model->s0 = am_alloc(sizeof(double) * (m > 0 ? m : 1));
	model->season = am_alloc(sizeof(double) * (m > 0 ? m : 1));
	{
		double		sz[1] = {0};
		double	   *s = m > 0 ? f.s : sz;

		hw_basis(&f, -1, &l, &b, s);
		l += f.x[0];
		if (f.method != HW_SES)
			b += f.x[1];
		if (f.free_season)
		{
			for (int j = 0; j + 1 < m; j++)
			{
				s[j] += f.x[2 + j];
				s[m - 1] -= f.x[2 + j];
			}
		}
		model->l0 = mu + sd * l;
		model->b0 = f.method == HW_SES ? 0.0 : sd * b;
		for (int j = 0; j < m; j++)
			model->s0[j] = sd * s[j];
	}

	/* final pass on the original values */
	l = model->l0;
	b = model->b0;
	if (m > 0)
		memcpy(f.s, model->s0, sizeof(double) * m);
	hw_run(y, n, f.method, m, model->alpha, model->beta, model->gamma,
		   &l, &b, f.s, f.E, model->fitted);
	model->level = l;
	model->trend = f.method == HW_SES ? 0.0 : b;
	for (int j = 0; j < m; j++)
		model->season[j] = f.s[(n + j) % m];
	model->sse = 0.0;
	for (int64 t = 0; t < n; t++)
		model->sse += f.E[t] * f.E[t];
	model->nparams = f.nfree + hw_nstates(&f);
	model->sigma2 = model->sse / (n > model->nparams ? n - model->nparams : n);
	model->aic = model->sse > 0.0
		? n * log(model->sse / n) + 2.0 * (model->nparams + 1)
		: NAN;

	am_free(z);
	am_free(f.E);
	am_free(f.L);
	am_free(f.B);
	am_free(f.S);
	am_free(f.G);
	am_free(f.g);
	am_free(f.x);
	am_free(f.s);
	if (f.sfix)
		am_free(f.sfix);
	return model;
}

bool
hw_forecast(const HwModel *model, int h, double level, double *mean,
			double *lower, double *upper, char *errbuf)
{
	double		z,
				cum = 0.0;
	int			m = model->period;

	if (h < 1)
	{
		snprintf(errbuf, HW_ERRBUF_SIZE, "horizon must be at least 1, got %d", h);
		return false;
	}
	if (!(level > 0.0 && level < 1.0))
	{
		snprintf(errbuf, HW_ERRBUF_SIZE, "level must be between 0 and 1, got %g", level);
		return false;
	}
	z = level == 0.95 ? HW_Z95 : ts_normal_quantile(0.5 + 0.5 * level);
	for (int k = 1; k <= h; k++)
	{
		double		f = model->level;
		double		sd;

		if (model->method != HW_SES)
			f += k * model->trend;
		if (model->method == HW_ADDITIVE)
			f += model->season[(k - 1) % m];
		mean[k - 1] = f;
		/* var_k = sigma2 (1 + sum_{j<k} c_j^2) */
		if (k > 1)
		{
			int			j = k - 1;
			double		cj = model->alpha;

			if (model->method != HW_SES)
				cj += model->alpha * model->beta * j;
			if (model->method == HW_ADDITIVE && j % m == 0)
				cj += model->gamma;
			cum += cj * cj;
		}
		sd = sqrt(model->sigma2 * (1.0 + cum));
		if (lower)
			lower[k - 1] = f - z * sd;
		if (upper)
			upper[k - 1] = f + z * sd;
	}
	return true;
}

void
hw_free(HwModel *model)
{
	if (!model)
		return;
	am_free(model->s0);
	am_free(model->season);
	am_free(model->fitted);
	am_free(model);
}

double
forecast_mase(const double *train, int64 ntrain, const double *actual,
			  const double *forecast, int h, int period)
{
	int			lag = period > 1 ? period : 1;
	double		scale = 0.0,
				err = 0.0;

	if (ntrain <= lag || h < 1)
		return NAN;
	for (int64 t = lag; t < ntrain; t++)
		scale += fabs(train[t] - train[t - lag]);
	scale /= (double) (ntrain - lag);
	for (int k = 0; k < h; k++)
		err += fabs(actual[k] - forecast[k]);
	err /= h;
	return scale > 0.0 ? err / scale : NAN;
}

double
forecast_smape(const double *actual, const double *forecast, int h)
{
	double		s = 0.0;

	if (h < 1)
		return NAN;
	for (int k = 0; k < h; k++)
	{
		double		den = fabs(actual[k]) + fabs(forecast[k]);

		if (den > 0.0)
			s += fabs(actual[k] - forecast[k]) / den;
	}
	return 200.0 * s / h;
}
