-- bench/gen.sql: the deterministic synthetic table of the benchmark.
--
--   psql -X -v rows=1000000 -v seed=42 -f bench/gen.sql
--
-- Every value is a function of (seed, k) through hashint8extended, computed
-- in one SQL statement (no random(), no parallel plan): the same seed and row
-- count give the same table, byte for byte, in the same physical order.
-- k is the row number i, except for ~2% of rows (past the first 1000) that
-- copy an earlier row i-1-(0..999): those are the exact duplicate rows.
--
-- 15 columns: 8 float8, 2 int4, 3 text, 1 boolean, 1 timestamptz, chosen so
-- that the profile has something to say: NULLs (1% to 60%), skew (lognormal,
-- exponential, a squared exponent), outliers (0.1% and 0.05% far values), a
-- low-cardinality text (12 categories, one dominant), a high-cardinality
-- text (~800k distinct of 1M), empty strings, two strongly correlated floats
-- (r ~ 0.99) and a negatively correlated one (r ~ -0.6).
\set ON_ERROR_STOP on
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;

-- uniform in [0, 1): 53 bits of the seeded 64-bit hash of (k, stream c)
CREATE FUNCTION pg_temp.bench_u(k bigint, c int, seed bigint) RETURNS float8
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN (hashint8extended(k * 64 + c, seed) & 9007199254740991)::float8 / 9007199254740992.0;
-- standard normal by Box-Muller from streams c and c+1
CREATE FUNCTION pg_temp.bench_n(k bigint, c int, seed bigint) RETURNS float8
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN sqrt(-2.0 * ln(1.0 - pg_temp.bench_u(k, c, seed)))
		* cos(2.0 * pi() * pg_temp.bench_u(k, c + 1, seed));

DROP TABLE IF EXISTS automl_bench;
CREATE TABLE automl_bench (
	f_normal    float8,       -- N(100, 15), 1% NULL
	f_corr      float8,       -- 2 * f_normal + N(0, 5): r ~ 0.99 with f_normal
	f_anticorr  float8,       -- 50 - 0.6 * (f_normal - 100) + N(0, 12): r ~ -0.6
	f_lognormal float8,       -- exp(N(3, 1)): right-skewed, 5% NULL
	f_exp       float8,       -- exponential, mean 10, rounded to cents
	f_uniform   float8,       -- U(0, 1000) with 0.1% outliers around 1e6
	f_outlier   float8,       -- N(0, 1) with 0.05% values at +-1000
	f_sparse    float8,       -- 60% NULL, 10% zeros, else N(5, 2)
	i_age       int4,         -- 18..87 uniform, 3% NULL
	i_count     int4,         -- floor(exp(10 u^2)): 1..22026, heavily skewed, 2% NULL
	t_category  text,         -- 12 categories, skewed (the first holds ~45%)
	t_customer  text,         -- 'user<n>@example.com', n < 2e6: ~80% distinct
	t_comment   text,         -- 20% NULL, 5% empty, else ~20k phrases
	b_flag      boolean,      -- 30% true, 1% NULL
	ts_event    timestamptz   -- 2023, to the second, 0.5% NULL
);

INSERT INTO automl_bench
SELECT
	CASE WHEN pg_temp.bench_u(k, 1, s) < 0.01 THEN NULL ELSE 100 + 15 * z END,
	2 * (100 + 15 * z) + 5 * pg_temp.bench_n(k, 4, s),
	50 - 0.6 * (15 * z) + 12 * pg_temp.bench_n(k, 6, s),
	CASE WHEN pg_temp.bench_u(k, 10, s) < 0.05 THEN NULL
		ELSE exp(3 + pg_temp.bench_n(k, 8, s)) END,
	round(-1000 * ln(1 - pg_temp.bench_u(k, 11, s))) / 100,
	CASE WHEN pg_temp.bench_u(k, 13, s) < 0.001 THEN 1e6 * (1 + pg_temp.bench_u(k, 14, s))
		ELSE 1000 * pg_temp.bench_u(k, 12, s) END,
	CASE WHEN pg_temp.bench_u(k, 16, s) < 0.0005
		THEN CASE WHEN pg_temp.bench_u(k, 17, s) < 0.5 THEN -1000 ELSE 1000 END
		ELSE pg_temp.bench_n(k, 18, s) END,
	CASE WHEN pg_temp.bench_u(k, 20, s) < 0.6 THEN NULL
		WHEN pg_temp.bench_u(k, 20, s) < 0.7 THEN 0
		ELSE 5 + 2 * pg_temp.bench_n(k, 21, s) END,
	CASE WHEN pg_temp.bench_u(k, 23, s) < 0.03 THEN NULL
		ELSE 18 + floor(70 * pg_temp.bench_u(k, 24, s))::int4 END,
	CASE WHEN pg_temp.bench_u(k, 25, s) < 0.02 THEN NULL
		ELSE floor(exp(10 * pg_temp.bench_u(k, 26, s) ^ 2))::int4 END,
	(ARRAY['electronics', 'books', 'clothing', 'home', 'garden', 'toys',
		'sports', 'beauty', 'grocery', 'automotive', 'music', 'office'])
		[1 + floor(12 * pg_temp.bench_u(k, 27, s) ^ 3)::int],
	'user' || floor(2000000 * pg_temp.bench_u(k, 28, s))::int || '@example.com',
	CASE WHEN pg_temp.bench_u(k, 29, s) < 0.20 THEN NULL
		WHEN pg_temp.bench_u(k, 29, s) < 0.25 THEN ''
		ELSE (ARRAY['late delivery', 'damaged box', 'wrong size', 'great product',
			'refund requested', 'gift', 'repeat customer', 'call back'])
			[1 + floor(8 * pg_temp.bench_u(k, 30, s))::int]
			|| ' #' || floor(2500 * pg_temp.bench_u(k, 31, s))::int END,
	CASE WHEN pg_temp.bench_u(k, 32, s) < 0.01 THEN NULL
		ELSE pg_temp.bench_u(k, 33, s) < 0.3 END,
	CASE WHEN pg_temp.bench_u(k, 34, s) < 0.005 THEN NULL
		ELSE timestamptz '2023-01-01 00:00:00+00'
			+ floor(31536000 * pg_temp.bench_u(k, 35, s)) * interval '1 second' END
FROM generate_series(1, :rows) AS g(i),
	LATERAL (SELECT :seed::bigint AS s) AS p,
	LATERAL (SELECT CASE WHEN i > 1000 AND pg_temp.bench_u(i, 62, s) < 0.02
		THEN i - 1 - floor(1000 * pg_temp.bench_u(i, 63, s))::bigint
		ELSE i END AS k) AS d,
	LATERAL (SELECT pg_temp.bench_n(k, 2, s) AS z) AS v;

VACUUM (FREEZE, ANALYZE) automl_bench;
