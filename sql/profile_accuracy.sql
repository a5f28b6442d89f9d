-- automl.profile accuracy: exact counts, NIST StRD NumAcc, quantiles,
-- distinct counts and duplicates against SQL's own answers.
SET extra_float_digits = 0;

-- NIST StRD NumAcc4: 10000000.2, then 10000000.1 / 10000000.3 alternating
-- (1001 values); certified mean 10000000.2, standard deviation 0.1.
CREATE TABLE numacc4 AS
SELECT CASE WHEN i = 0 THEN 10000000.2::float8
			WHEN i % 2 = 1 THEN 10000000.1::float8 ELSE 10000000.3::float8 END AS x
  FROM generate_series(0, 1000) AS i;
SELECT abs((c->>'stddev')::float8 - 0.1) < 1e-7 AS stddev_certified,
	   abs((c->>'mean')::float8 - 10000000.2) < 1e-7 AS mean_certified
  FROM jsonb_array_elements(automl.profile('numacc4')->'columns') AS c;
-- NumAcc1: 10000001, 10000003, 10000002; certified sd 1.0
CREATE TABLE numacc1 (x float8);
INSERT INTO numacc1 VALUES (10000001), (10000003), (10000002);
SELECT (c->>'stddev')::float8 = 1.0 AS numacc1_sd, (c->>'mean')::float8 = 10000002 AS numacc1_mean
  FROM jsonb_array_elements(automl.profile('numacc1')->'columns') AS c;

-- a larger table: 300,000 rows, counts against SQL
SELECT setseed(0.5);
CREATE TABLE acc AS
SELECT i AS id,
	   CASE WHEN random() < 0.1 THEN NULL ELSE (random() * 1000)::int END AS k,
	   CASE WHEN random() < 0.05 THEN NULL ELSE exp(random() * 5) END AS x,
	   'cat' || (random() * 30)::int AS cat
  FROM generate_series(1, 300000) AS i;
INSERT INTO acc SELECT * FROM acc WHERE id <= 1234;	-- 1234 duplicate rows
SELECT automl.profile('acc') IS NOT NULL AS profiled;
WITH p AS (SELECT automl.get_profile('acc') AS p),
	 cols AS (SELECT c FROM p, jsonb_array_elements(p->'columns') AS c)
SELECT (SELECT (p->>'row_count')::int8 = (SELECT count(*) FROM acc) FROM p) AS row_count_exact,
	   (SELECT (p->>'duplicate_rows')::int8 = (SELECT count(*) - count(DISTINCT acc) FROM acc) FROM p) AS duplicates_exact,
	   (SELECT (c->>'null_count')::int8 = (SELECT count(*) FILTER (WHERE k IS NULL) FROM acc) FROM cols WHERE c->>'name' = 'k') AS nulls_exact,
	   (SELECT (c->>'distinct_count')::int8 = (SELECT count(DISTINCT k) FROM acc) FROM cols WHERE c->>'name' = 'k') AS int_distinct_exact,
	   (SELECT (c->>'zeros')::int8 = (SELECT count(*) FILTER (WHERE k = 0) FROM acc) FROM cols WHERE c->>'name' = 'k') AS zeros_exact,
	   (SELECT c->'top_values'->0 = (SELECT jsonb_build_object('value', cat, 'count', count(*)) FROM acc GROUP BY cat ORDER BY count(*) DESC, cat LIMIT 1) FROM cols WHERE c->>'name' = 'cat') AS top_value_exact,
	   (SELECT abs((c->>'stddev')::float8 / (SELECT stddev_samp(x) FROM acc) - 1) < 1e-12 FROM cols WHERE c->>'name' = 'x') AS stddev_matches,
	   (SELECT abs((c->>'skewness')::float8) > 1 FROM cols WHERE c->>'name' = 'x') AS skew_detected;

-- float distinct counts past the exact limit: HyperLogLog within 2%,
-- exact on request
SELECT abs((c->>'distinct_count')::float8 / (SELECT count(DISTINCT x) FROM acc) - 1) < 0.02 AS hll_within_2pct,
	   (c->>'distinct_exact')::boolean AS exact
  FROM jsonb_array_elements(automl.get_profile('acc')->'columns') AS c WHERE c->>'name' = 'x';
SELECT (c->>'distinct_count')::int8 = (SELECT count(DISTINCT x) FROM acc) AS exact_option_exact,
	   (c->>'distinct_exact')::boolean AS exact
  FROM jsonb_array_elements(automl.profile('acc', '{"exact": true}')->'columns') AS c WHERE c->>'name' = 'x';

-- quantiles within 1% rank error: the rank of each reported quantile
CREATE TABLE ranks AS
SELECT q.key AS level, (q.value)::float8 AS v
  FROM jsonb_array_elements(automl.get_profile('acc')->'columns') AS c,
	   jsonb_each_text(c->'quantiles') AS q
 WHERE c->>'name' = 'x';
SELECT level,
	   abs((SELECT count(*) FROM acc WHERE x <= v)::float8 / (SELECT count(x) FROM acc)
		   - substr(level, 2)::float8 / 100) < 0.01 AS rank_within_1pct
  FROM ranks ORDER BY level;

-- on small data the quantiles are exact: equal to percentile_cont
CREATE TABLE small AS SELECT (i * 7919) % 1000 / 10.0 AS v FROM generate_series(1, 500) AS i;
SELECT q.key, (q.value)::float8 = (SELECT percentile_cont(substr(q.key, 2)::float8 / 100) WITHIN GROUP (ORDER BY v) FROM small) AS equals_percentile_cont
  FROM jsonb_array_elements(automl.profile('small')->'columns') AS c, jsonb_each_text(c->'quantiles') AS q
 ORDER BY 1;

-- correlations come from the same scan
CREATE TABLE corr_t AS
SELECT x, 3 * x + 1 + (i % 7) * 0.01 AS y, (i * 7919) % 101 AS z
  FROM (SELECT i, i * 0.5 AS x FROM generate_series(1, 5000) AS i) s;
SELECT i->>'column' AS col, i->>'related_column' AS related, i->>'issue_type' AS issue
  FROM jsonb_array_elements(automl.profile('corr_t')->'issues') AS i
 WHERE i->>'issue_type' = 'high_correlation';
SELECT abs((c->>'pearson_r')::float8 - (SELECT corr(x, y) FROM corr_t)) < 1e-12 AS r_matches_corr
  FROM jsonb_array_elements(automl.get_profile('corr_t')->'correlations') AS c;

-- issue rules fire on the data that should trigger them
CREATE TABLE issues_t AS
SELECT i AS id,
	   CASE WHEN i % 10 < 6 THEN NULL ELSE i END AS mostly_null,
	   CASE WHEN i % 10 = 0 THEN NULL ELSE 1 END AS some_null,
	   7 AS const,
	   CASE WHEN i % 50 = 0 THEN 'b' ELSE 'a' END AS lopsided,
	   CASE WHEN i = 500 THEN 1e6 ELSE (i % 100)::float8 END AS spike,
	   CASE WHEN i = 3 THEN 'Infinity'::float8 ELSE i END AS inf,
	   md5(i::text) AS hash_text,
	   md5((i * 2 / 3)::text) AS many_texts
  FROM generate_series(1, 1000) AS i;
SELECT i->>'column' AS col, i->>'issue_type' AS issue, i->>'severity' AS severity, i->>'description' AS description
  FROM jsonb_array_elements(automl.profile('issues_t')->'issues') AS i ORDER BY 1, 2;
SELECT automl.get_profile('issues_t')->'quality_score' AS quality_score;
-- the table-level duplicates issue, with the exact count in its sentence
SELECT i->>'severity' AS severity, i->>'description' AS description
  FROM jsonb_array_elements(automl.get_profile('acc')->'issues') AS i
 WHERE i->>'issue_type' = 'duplicates';

-- past 8,192 distinct values a number's distinct count is a HyperLogLog
-- estimate (text stays exact to 65,536, its top values are shown); an
-- identifier is still recognised, on the estimate
CREATE TABLE ids AS
SELECT i AS id, i / 2 AS pairs, 'user' || i AS name FROM generate_series(1, 20000) AS i;
SELECT c->>'name' AS name, (c->>'distinct_exact')::boolean AS exact,
	   abs((c->>'distinct_count')::float8 / CASE c->>'name' WHEN 'pairs' THEN 10001 ELSE 20000 END - 1) < 0.02 AS within_2pct
  FROM jsonb_array_elements(automl.profile('ids')->'columns') AS c;
SELECT i->>'column' AS col, i->>'description' AS description
  FROM jsonb_array_elements(automl.get_profile('ids')->'issues') AS i
 WHERE i->>'issue_type' = 'unique' ORDER BY 1;
