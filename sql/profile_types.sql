-- automl.profile on edge inputs: empty tables, all-NULL columns, NaN and
-- infinities, one row, dropped columns, views, partitions, odd names.
SET extra_float_digits = 0;

-- empty table: row_count 0, nulls where a statistic is undefined
CREATE TABLE empty_t (a float8, b text, c boolean, d timestamptz);
SELECT p->'row_count' AS rows, p->'duplicate_rows' AS dups, p->'column_count' AS cols,
	   jsonb_path_query_array(p, '$.columns[*].name') AS names,
	   p->'columns'->0->'mean' AS mean, p->'columns'->0->'quantiles' AS quantiles,
	   p->'columns'->0->'null_fraction' AS null_fraction, p->'columns'->1->'top_values' AS top,
	   jsonb_path_query_array(p, '$.issues[*].issue_type') AS issues
  FROM automl.profile('empty_t') AS p;

-- all-NULL columns and a one-row table
CREATE TABLE nulls_t (a float8, b text, c int4);
INSERT INTO nulls_t SELECT NULL, NULL, NULL FROM generate_series(1, 10);
SELECT c->>'name' AS name, c->'null_fraction' AS nf, c->'distinct_count' AS dc, c->'min' AS min,
	   c->'mean' AS mean, c->'stddev' AS sd, c->'histogram' AS hist
  FROM jsonb_array_elements(automl.profile('nulls_t')->'columns') AS c;
SELECT jsonb_path_query_array(automl.get_profile('nulls_t'), '$.issues[*] ? (@.issue_type == "high_nulls").column') AS high_nulls;

CREATE TABLE one_t (a float8, b text);
INSERT INTO one_t VALUES (42, 'only');
SELECT c->>'name' AS name, c->'mean' AS mean, c->'stddev' AS sd, c->'skewness' AS skew,
	   c->'quantiles'->'p99' AS p99, c->'histogram' AS hist
  FROM jsonb_array_elements(automl.profile('one_t')->'columns') AS c;

-- NaN and infinities are counted, never written as JSON literals
CREATE TABLE odd_t (x float8, y numeric, d date, t timestamptz);
INSERT INTO odd_t VALUES
	('NaN', 'NaN', 'infinity', '-infinity'),
	('Infinity', 'Infinity', '2026-01-01', '2026-01-01'),
	('-Infinity', '-Infinity', '-infinity', 'infinity'),
	(1, 1, '2026-01-02', '2026-01-02'),
	(2, 1e300, '2026-01-03', '2026-01-03'),
	(-0.0, -1e-300, NULL, NULL);
SELECT c->>'name' AS name, c->'nan_count' AS nan, c->'inf_count' AS inf, c->'min' AS min,
	   c->'max' AS max, c->'zeros' AS zeros, c->'negatives' AS neg
  FROM jsonb_array_elements(automl.profile('odd_t')->'columns') AS c;
-- the stored text parses as strict JSON (json, not only jsonb)
SELECT automl.get_profile('odd_t')::text::json IS NOT NULL AS valid_json,
	   automl.get_profile('odd_t')::text !~ '(NaN|Infinity)[,}\]]' AS no_nan_literals;
SELECT jsonb_path_query_array(automl.get_profile('odd_t'), '$.issues[*].issue_type') AS issues;

-- lengths count characters, not bytes (ASCII fast path and multibyte text)
CREATE TABLE mb_t (s text);
INSERT INTO mb_t VALUES ('日本語'), ('abcdefghé'), ('plain ascii text'), ('héllo');
SELECT c->'min_length' AS min_len, c->'max_length' AS max_len, c->'mean_length' AS mean_len
  FROM jsonb_array_elements(automl.profile('mb_t')->'columns') AS c;

-- a finite numeric beyond the double range is an extreme value, not infinite
CREATE TABLE bignum_t (v numeric);
INSERT INTO bignum_t VALUES (1e400), (-1e400), ('Infinity'), (1);
SELECT c->'inf_count' AS inf, (c->>'min')::float8 = -1.7976931348623157e308 AS min_clamped,
	   (c->>'max')::float8 = 1.7976931348623157e308 AS max_clamped
  FROM jsonb_array_elements(automl.profile('bignum_t')->'columns') AS c;

-- huge and tiny values keep their stddev finite or null, never an error
CREATE TABLE huge_t (x float8);
INSERT INTO huge_t VALUES (1e308), (-1e308), (1e308), (5e-324);
SELECT c->'mean' AS mean, c->'stddev' AS sd, c->'max' AS max
  FROM jsonb_array_elements(automl.profile('huge_t')->'columns') AS c;

-- dropped columns are skipped, hostile names are quoted
CREATE TABLE "we;ird ""names""" ("select" int, "a""b" text, "ünï cödé" float8, dropped int);
ALTER TABLE "we;ird ""names""" DROP COLUMN dropped;
INSERT INTO "we;ird ""names""" VALUES (1, 'x', 1.5), (2, 'y', 2.5);
SELECT p->'relation' AS relation, jsonb_path_query_array(p, '$.columns[*].name') AS names
  FROM automl.profile('"we;ird ""names"""') AS p;

-- views, materialized views, partitioned tables and other schemas
CREATE SCHEMA "Other Schema";
CREATE TABLE "Other Schema".t (a int);
INSERT INTO "Other Schema".t SELECT generate_series(1, 5);
SELECT p->'relation' AS relation, p->'schema' AS schema, p->'row_count' AS rows
  FROM automl.profile('"Other Schema".t') AS p;
CREATE VIEW v AS SELECT a, a * 2 AS b FROM "Other Schema".t;
SELECT automl.profile('v')->'row_count' AS view_rows;
CREATE MATERIALIZED VIEW mv AS SELECT * FROM v;
SELECT automl.profile('mv')->'row_count' AS matview_rows;
CREATE TABLE parted (k int, v text) PARTITION BY RANGE (k);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (10) TO (20);
INSERT INTO parted SELECT i, 'v' || (i % 3) FROM generate_series(0, 19) AS i;
SELECT automl.profile('parted')->'row_count' AS partitioned_rows;

-- wider than a function's 100 arguments: profiled through the row value
SELECT format('CREATE TABLE wide_t AS SELECT %s FROM generate_series(1, 3) AS i',
			  string_agg(format('i * %s AS c%s', n, n), ', '))
  FROM generate_series(1, 120) AS n \gexec
SELECT p->'column_count' AS cols, p->'row_count' AS rows, p->'columns'->119->>'name' AS last
  FROM automl.profile('wide_t') AS p;

-- types without a hash opclass (json, point) still get null and distinct counts
CREATE TABLE other_t (j json, p point, arr int[], iv interval);
INSERT INTO other_t VALUES ('{"a":1}', '(1,2)', '{1,2}', '1 day'), ('{"a":1}', '(1,2)', '{1,2}', '1 day'),
	('[1]', '(3,4)', NULL, '24 hours');
SELECT c->>'name' AS name, c->>'type' AS type, c->'distinct_count' AS dc, c->'null_count' AS nc
  FROM jsonb_array_elements(automl.profile('other_t')->'columns') AS c;
SELECT automl.get_profile('other_t')->'duplicate_rows' AS dups;

-- options change what is computed
SELECT p->'duplicate_rows' AS dups, p->'correlations' AS corr, p->'columns'->0->'histogram'->'counts' AS counts
  FROM automl.profile('"Other Schema".t', '{"duplicates": false, "correlations": false, "histogram_bins": 2}') AS p;
SELECT jsonb_array_length(automl.profile('sales', '{"top_values": 2}')->'columns'->6->'top_values') AS two_top;
