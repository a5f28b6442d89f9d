-- bench/train_gen.sql: the deterministic tables of the training benchmark
-- (bench/train.py).
--
--   psql -X -v rows=1000000 -v clf_rows=100000 -v test_rows=20000 \
--        -v score_rows=1000000 -v seed=42 [-v tables=reg,clf,test,score] \
--        -f bench/train_gen.sql
--
-- Four tables with the same 20 float8 features x01..x20 and a target y:
--
--   automl_train_reg       rows       y float8: linear in the features + noise
--   automl_train_clf       clf_rows   y int4 0/1: non-linear in the features
--   automl_train_clf_test  test_rows  held-out rows of the same distribution
--   automl_train_score     score_rows the same distribution, for batch scoring
--                                     of the classifier
--
-- tables (default all) names those to (re)make, of reg, clf, test, score;
-- the others are left alone, so that a run of part of the benchmark makes
-- only what it needs.  The sizes must still all be given: the classifier's
-- tables take consecutive ranges of k, so each one's rows depend on the
-- sizes of those before it.
--
-- Every value is a function of (seed, k) through hashint8extended, computed
-- in SQL (no random(), no parallel plan): the same seed and row counts give
-- the same tables, in the same physical order.  Row k of each table uses
-- its own range of k (the classifier's tables continue one another's
-- ranges), so no row is repeated between them.
--
-- Features: z1..z21 are independent standard normals (Box-Muller, both
-- outputs of each pair of uniforms);
--   x01 = 1 + z1,   x_j = j + (1 + j % 4) * (z_j + 0.3 z_{j-1})   (j >= 2)
-- so means, scales and neighbour correlations differ between columns.
-- Regression target: y = 2 + sum beta_j x_j + 0.5 z21, with beta_j =
-- (-1)^(j % 5) (1 + j % 5) / 10 (-0.2, 0.3, -0.4, 0.5, ...) and four
-- irrelevant features (beta = 0 for j = 5, 10, 15, 20).  Binary target: y = [f(z) + 0.5 L > 0] with L standard
-- logistic noise and f mixing linear terms, products, a sine, a step and a
-- square (see below): about half the rows are positive, a linear model
-- gets ~75% right and boosted trees ~86%.
\set ON_ERROR_STOP on
SET max_parallel_workers_per_gather = 0;
SET client_min_messages = warning;
-- Memoize nodes over the per-row layers below never hit (every key is new)
SET enable_memoize = off;

-- Uniform in [0, 1) with 32 bits: the low word of the seeded hash of k, the
-- stream c folded into the seed.  Not the 53-bit k * 64 + c encoding of
-- bench/gen.sql: with it, streams of one row and consecutive rows of one
-- stream are correlated (up to |r| = 0.36 and 0.18 measured on 200k rows,
-- enough to bias a least-squares fit), as the high word of the one-word
-- Jenkins hash behind hashint8extended mixes poorly; this encoding measured
-- |r| < 0.01 across 23 streams and at lags 1 and 2.
CREATE FUNCTION pg_temp.train_u(k bigint, c int, seed bigint) RETURNS float8
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN (hashint8extended(k, seed * 64 + c) & 4294967295)::float8 / 4294967296.0;

-- n rows, k = k0 + 1 .. k0 + n: the features and both targets.  Not STRICT
-- and SQL: the planner inlines it into the INSERT (no tuplestore); the
-- OFFSET 0 keep each layer from being pulled up and its values computed
-- once per use.
CREATE FUNCTION pg_temp.train_rows(k0 bigint, n bigint, s bigint)
	RETURNS TABLE (x01 float8, x02 float8, x03 float8, x04 float8, x05 float8,
				   x06 float8, x07 float8, x08 float8, x09 float8, x10 float8,
				   x11 float8, x12 float8, x13 float8, x14 float8, x15 float8,
				   x16 float8, x17 float8, x18 float8, x19 float8, x20 float8,
				   y_reg float8, y_clf int4)
	LANGUAGE sql IMMUTABLE
AS $$
SELECT x.*,
	2.0 - 0.2 * x01 + 0.3 * x02 - 0.4 * x03 + 0.5 * x04
		- 0.2 * x06 + 0.3 * x07 - 0.4 * x08 + 0.5 * x09
		- 0.2 * x11 + 0.3 * x12 - 0.4 * x13 + 0.5 * x14
		- 0.2 * x16 + 0.3 * x17 - 0.4 * x18 + 0.5 * x19
		+ 0.5 * z.z21,
	(0.9 * z1 - 0.7 * z2 + 0.8 * z3 * z4 + 1.2 * sin(1.5 * z5)
		+ CASE WHEN z6 > 0.3 THEN 1.0 ELSE -0.6 END
		- 0.4 * (z7 * z7 - 1.0) + 0.5 * z8 + 0.6 * z9 * z10
		+ 0.3 * abs(z11) - 0.24
		+ 0.5 * ln(z.u22 / (1.0 - z.u22)) > 0)::int4
FROM generate_series(k0 + 1, k0 + n) AS g(k),
	LATERAL (SELECT
		sqrt(-2.0 * ln(1.0 - pg_temp.train_u(g.k, 0, s))) AS r0,
		2.0 * pi() * pg_temp.train_u(g.k, 1, s) AS t0,
		sqrt(-2.0 * ln(1.0 - pg_temp.train_u(g.k, 2, s))) AS r1,
		2.0 * pi() * pg_temp.train_u(g.k, 3, s) AS t1,
		sqrt(-2.0 * ln(1.0 - pg_temp.train_u(g.k, 4, s))) AS r2,
		2.0 * pi() * pg_temp.train_u(g.k, 5, s) AS t2,
		sqrt(-2.0 * ln(1.0 - pg_temp.train_u(g.k, 6, s))) AS r3,
		2.0 * pi() * pg_temp.train_u(g.k, 7, s) AS t3,
		sqrt(-2.0 * ln(1.0 - pg_temp.train_u(g.k, 8, s))) AS r4,
		2.0 * pi() * pg_temp.train_u(g.k, 9, s) AS t4,
		sqrt(-2.0 * ln(1.0 - pg_temp.train_u(g.k, 10, s))) AS r5,
		2.0 * pi() * pg_temp.train_u(g.k, 11, s) AS t5,
		sqrt(-2.0 * ln(1.0 - pg_temp.train_u(g.k, 12, s))) AS r6,
		2.0 * pi() * pg_temp.train_u(g.k, 13, s) AS t6,
		sqrt(-2.0 * ln(1.0 - pg_temp.train_u(g.k, 14, s))) AS r7,
		2.0 * pi() * pg_temp.train_u(g.k, 15, s) AS t7,
		sqrt(-2.0 * ln(1.0 - pg_temp.train_u(g.k, 16, s))) AS r8,
		2.0 * pi() * pg_temp.train_u(g.k, 17, s) AS t8,
		sqrt(-2.0 * ln(1.0 - pg_temp.train_u(g.k, 18, s))) AS r9,
		2.0 * pi() * pg_temp.train_u(g.k, 19, s) AS t9,
		sqrt(-2.0 * ln(1.0 - pg_temp.train_u(g.k, 20, s))) AS r10,
		2.0 * pi() * pg_temp.train_u(g.k, 21, s) AS t10,
		pg_temp.train_u(g.k, 22, s) AS u22
		OFFSET 0) AS a,
	LATERAL (SELECT
		r0 * cos(t0) AS z1, r0 * sin(t0) AS z2,
		r1 * cos(t1) AS z3, r1 * sin(t1) AS z4,
		r2 * cos(t2) AS z5, r2 * sin(t2) AS z6,
		r3 * cos(t3) AS z7, r3 * sin(t3) AS z8,
		r4 * cos(t4) AS z9, r4 * sin(t4) AS z10,
		r5 * cos(t5) AS z11, r5 * sin(t5) AS z12,
		r6 * cos(t6) AS z13, r6 * sin(t6) AS z14,
		r7 * cos(t7) AS z15, r7 * sin(t7) AS z16,
		r8 * cos(t8) AS z17, r8 * sin(t8) AS z18,
		r9 * cos(t9) AS z19, r9 * sin(t9) AS z20,
		r10 * cos(t10) AS z21,
		-- the open interval keeps the logit finite
		greatest(u22, 1e-12) AS u22
		OFFSET 0) AS z,
	LATERAL (SELECT
		1.0 + z1 AS x01,
		2.0 + 3.0 * (z2 + 0.3 * z1) AS x02,
		3.0 + 4.0 * (z3 + 0.3 * z2) AS x03,
		4.0 + 1.0 * (z4 + 0.3 * z3) AS x04,
		5.0 + 2.0 * (z5 + 0.3 * z4) AS x05,
		6.0 + 3.0 * (z6 + 0.3 * z5) AS x06,
		7.0 + 4.0 * (z7 + 0.3 * z6) AS x07,
		8.0 + 1.0 * (z8 + 0.3 * z7) AS x08,
		9.0 + 2.0 * (z9 + 0.3 * z8) AS x09,
		10.0 + 3.0 * (z10 + 0.3 * z9) AS x10,
		11.0 + 4.0 * (z11 + 0.3 * z10) AS x11,
		12.0 + 1.0 * (z12 + 0.3 * z11) AS x12,
		13.0 + 2.0 * (z13 + 0.3 * z12) AS x13,
		14.0 + 3.0 * (z14 + 0.3 * z13) AS x14,
		15.0 + 4.0 * (z15 + 0.3 * z14) AS x15,
		16.0 + 1.0 * (z16 + 0.3 * z15) AS x16,
		17.0 + 2.0 * (z17 + 0.3 * z16) AS x17,
		18.0 + 3.0 * (z18 + 0.3 * z17) AS x18,
		19.0 + 4.0 * (z19 + 0.3 * z18) AS x19,
		20.0 + 1.0 * (z20 + 0.3 * z19) AS x20
		OFFSET 0) AS x
$$;

-- which tables to make
\if :{?tables}
\else
\set tables all
\endif
SELECT :'tables' = 'all' OR 'reg' = ANY (t) AS make_reg,
	:'tables' = 'all' OR 'clf' = ANY (t) AS make_clf,
	:'tables' = 'all' OR 'test' = ANY (t) AS make_test,
	:'tables' = 'all' OR 'score' = ANY (t) AS make_score
FROM string_to_array(:'tables', ',') AS t \gset

\if :make_reg
DROP TABLE IF EXISTS automl_train_reg;
CREATE TABLE automl_train_reg AS
	SELECT x01, x02, x03, x04, x05, x06, x07, x08, x09, x10,
		x11, x12, x13, x14, x15, x16, x17, x18, x19, x20, y_reg AS y
	FROM pg_temp.train_rows(0, :rows, :seed);
VACUUM (FREEZE, ANALYZE) automl_train_reg;
\endif

-- the classifier's rows: k from 2^40 on, training then held-out then scoring
\if :make_clf
DROP TABLE IF EXISTS automl_train_clf;
CREATE TABLE automl_train_clf AS
	SELECT x01, x02, x03, x04, x05, x06, x07, x08, x09, x10,
		x11, x12, x13, x14, x15, x16, x17, x18, x19, x20, y_clf AS y
	FROM pg_temp.train_rows(1099511627776, :clf_rows, :seed);
VACUUM (FREEZE, ANALYZE) automl_train_clf;
\endif

\if :make_test
DROP TABLE IF EXISTS automl_train_clf_test;
CREATE TABLE automl_train_clf_test AS
	SELECT x01, x02, x03, x04, x05, x06, x07, x08, x09, x10,
		x11, x12, x13, x14, x15, x16, x17, x18, x19, x20, y_clf AS y
	FROM pg_temp.train_rows(1099511627776 + :clf_rows, :test_rows, :seed);
VACUUM (FREEZE, ANALYZE) automl_train_clf_test;
\endif

\if :make_score
DROP TABLE IF EXISTS automl_train_score;
CREATE TABLE automl_train_score AS
	SELECT x01, x02, x03, x04, x05, x06, x07, x08, x09, x10,
		x11, x12, x13, x14, x15, x16, x17, x18, x19, x20, y_clf AS y
	FROM pg_temp.train_rows(1099511627776 + :clf_rows + :test_rows, :score_rows, :seed);
VACUUM (FREEZE, ANALYZE) automl_train_score;
\endif
