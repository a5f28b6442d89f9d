-- automl.profile: the contract of the profile JSON on a table with every
-- listed type, storage in automl.profiles, get_profile and the report.
CREATE EXTENSION automl;
SET extra_float_digits = 0;

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE sales (
	id        int4 PRIMARY KEY,
	qty       int2,
	big       int8,
	price     float8,
	weight    float4,
	amount    numeric(10,2),
	region    text,
	code      varchar(8),
	grade     char(2),
	feeling   mood,
	paid      boolean,
	sold_on   date,
	sold_at   timestamp,
	sold_atz  timestamptz,
	ref       uuid,
	meta      jsonb
);
INSERT INTO sales
SELECT i,
	   (i % 7)::int2,
	   i::int8 * 1000000000,
	   CASE WHEN i % 10 = 0 THEN NULL ELSE i * 1.5 END,
	   (i % 3)::float4,
	   (i % 50)::numeric / 4,
	   (ARRAY['north', 'south', 'east', 'west'])[1 + i % 4],
	   CASE WHEN i % 2 = 0 THEN 'A' ELSE '' END,
	   'x',
	   (ARRAY['sad', 'ok', 'happy']::mood[])[1 + i % 3],
	   i % 5 <> 0,
	   date '2026-01-01' + i,
	   timestamp '2026-01-01 00:00' + i * interval '1 hour',
	   timestamptz '2026-01-01 00:00+00' + i * interval '1 minute',
	   ('00000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid,
	   jsonb_build_object('k', i % 2)
  FROM generate_series(1, 200) AS i;

SELECT automl.profile('sales') IS NOT NULL AS profiled;
SELECT p->'relation' AS relation, p->'schema' AS schema, p->'row_count' AS row_count,
	   p->'column_count' AS column_count, p->'duplicate_rows' AS duplicate_rows,
	   jsonb_typeof(p->'quality_score') AS score_type,
	   (p->>'quality_score')::float8 BETWEEN 0 AND 1 AS score_in_range,
	   (p->>'profiled_at')::timestamptz = (SELECT profiled_at FROM automl.profiles
										   WHERE relation = 'sales'::regclass) AS profiled_at_stored
  FROM automl.get_profile('sales') AS p;

-- every column, in column order, with its kind's keys
SELECT c->>'name' AS name, c->>'type' AS type, c->'null_count' AS nulls,
	   c->'distinct_count' AS distinct, (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(c) AS k) AS keys
  FROM jsonb_array_elements(automl.get_profile('sales')->'columns') WITH ORDINALITY AS a(c, n)
 ORDER BY n;

-- numeric statistics agree with SQL's own aggregates
SELECT c->>'name' AS name, c->'min' AS min, c->'max' AS max, c->'zeros' AS zeros,
	   c->'negatives' AS negatives, c->'quantiles'->'p50' AS median,
	   jsonb_array_length(c->'histogram'->'bounds') - 1 AS bins,
	   (SELECT sum(x::int8) FROM jsonb_array_elements_text(c->'histogram'->'counts') AS x) AS histogram_total
  FROM jsonb_array_elements(automl.get_profile('sales')->'columns') AS c
 WHERE c ? 'mean';
SELECT abs((c->>'mean')::float8 - (SELECT avg(price) FROM sales)) < 1e-9 AS mean_ok,
	   abs((c->>'stddev')::float8 - (SELECT stddev_samp(price) FROM sales)) < 1e-9 AS stddev_ok,
	   (c->>'null_fraction')::float8 = 0.1 AS null_fraction_ok
  FROM jsonb_array_elements(automl.get_profile('sales')->'columns') AS c
 WHERE c->>'name' = 'price';

-- text, boolean and temporal columns
SELECT c->>'name' AS name, c->'min_length' AS min_len, c->'max_length' AS max_len,
	   c->'mean_length' AS mean_len, c->'empty_count' AS empty, c->'top_values' AS top
  FROM jsonb_array_elements(automl.get_profile('sales')->'columns') AS c
 WHERE c ? 'top_values';
SELECT c->'true_count' AS true_count, c->'false_count' AS false_count
  FROM jsonb_array_elements(automl.get_profile('sales')->'columns') AS c
 WHERE c->>'name' = 'paid';
SELECT c->>'name' AS name, c->>'min' AS min, c->>'max' AS max,
	   jsonb_array_length(c->'histogram'->'counts') AS bins
  FROM jsonb_array_elements(automl.get_profile('sales')->'columns') AS c
 WHERE c->>'type' IN ('date', 'timestamp without time zone', 'timestamp with time zone');

-- issues: each has the four keys and a known type and severity
SELECT i->>'column' AS "column", i->>'issue_type' AS issue_type, i->>'severity' AS severity
  FROM jsonb_array_elements(automl.get_profile('sales')->'issues') AS i
 ORDER BY 2, 1;
SELECT bool_and(i ?& ARRAY['column', 'issue_type', 'severity', 'description']) AS keys_ok,
	   bool_and(i->>'severity' IN ('low', 'medium', 'high')) AS severity_ok,
	   bool_and(i->>'description' ~ '[0-9]') AS descriptions_have_numbers
  FROM jsonb_array_elements(automl.get_profile('sales')->'issues') AS i;

-- storage: one row per run, newest wins, role recorded
INSERT INTO sales SELECT 1000 + id, qty, big, price, weight, amount, region, code, grade, feeling,
	   paid, sold_on, sold_at, sold_atz, ref, meta FROM sales WHERE id <= 5;
SELECT (automl.profile('sales')->>'row_count')::int AS rows_now;
SELECT count(*) AS runs, max(profiled_by) = current_user AS by_me
  FROM automl.profiles WHERE relation = 'sales'::regclass;
SELECT automl.get_profile('sales')->'row_count' AS newest_row_count;
SELECT automl.get_profile('pg_class') IS NULL AS never_profiled_is_null;

-- the HTML report
SELECT r LIKE '<!DOCTYPE html>%' AS is_html, r LIKE '%<svg%' AS has_svg,
	   r LIKE '%sales%' AS names_relation, length(r) > 2000 AS substantial
  FROM automl.profile_report('sales') AS r;

-- the aggregate on its own (what Citus pushes down to shards)
SELECT (automl.profile_agg(s)->>'row_count')::int AS agg_rows FROM sales s WHERE id <= 10;
SELECT automl.profile_agg(s, '{"duplicates": false}')->'duplicate_rows' AS no_dup_count FROM sales s;
-- the column-wise aggregate automl.profile() runs gives the same profile
SELECT automl.profile_agg(s.*) = automl.profile_columns('sales', '{}', s.id, s.qty, s.big, s.price,
		s.weight, s.amount, s.region, s.code, s.grade, s.feeling, s.paid, s.sold_on, s.sold_at,
		s.sold_atz, s.ref, s.meta) AS same_profile
  FROM sales s;
