-- automl.profile under parallel query: the plan has a Partial Aggregate, the
-- workers really run, and the profile equals the serial one.
SET extra_float_digits = 0;

-- Compare two profiles; returns the paths that differ.  Exact parts must be
-- equal (floating-point sums to 1e-9 relative); the sketched parts may
-- differ by their documented rank error: 1% of the rows for each of the two
-- cumulative ranks behind a histogram count.  Quantiles are checked against
-- the data itself below (a rank bound, which value differences can't show).
CREATE FUNCTION pg_temp.profile_diff(a jsonb, b jsonb, path text DEFAULT '',
									 n float8 DEFAULT NULL)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	k text;
	i int;
	x float8;
	y float8;
	tol float8;
BEGIN
	n := coalesce(n, (a->>'row_count')::float8);
	IF jsonb_typeof(a) IS DISTINCT FROM jsonb_typeof(b) THEN
		RETURN NEXT path || ' type';
	ELSIF jsonb_typeof(a) = 'object' THEN
		FOR k IN SELECT jsonb_object_keys(a) UNION SELECT jsonb_object_keys(b) LOOP
			-- issues and the score are compared below: some rest on sketches
			CONTINUE WHEN k IN ('profiled_at', 'issues', 'quality_score');
			RETURN QUERY SELECT pg_temp.profile_diff(a->k, b->k, path || '.' || k, n);
		END LOOP;
	ELSIF jsonb_typeof(a) = 'array' THEN
		IF jsonb_array_length(a) <> jsonb_array_length(b) THEN
			RETURN NEXT path || ' length';
		ELSE
			FOR i IN 0 .. jsonb_array_length(a) - 1 LOOP
				RETURN QUERY SELECT pg_temp.profile_diff(a->i, b->i, path || '[' || i || ']', n);
			END LOOP;
		END IF;
	ELSIF path ~ 'quantiles' THEN
		RETURN;
	ELSIF jsonb_typeof(a) = 'number' THEN
		x := (a#>>'{}')::float8;
		y := (b#>>'{}')::float8;
		tol := CASE
			WHEN path ~ 'histogram\.counts' THEN 0.02 * n
			ELSE 1e-9 * greatest(abs(x), abs(y), 1) END;
		IF abs(x - y) > tol THEN
			RETURN NEXT path || ': ' || a::text || ' vs ' || b::text;
		END IF;
	ELSIF a IS DISTINCT FROM b THEN
		RETURN NEXT path || ': ' || a::text || ' vs ' || b::text;
	END IF;
END $$;

-- whether value v answers quantile q of column c of par within 1% rank error:
-- fewer than (q + 0.01) n values below it, at least (q - 0.01) n up to it
CREATE FUNCTION pg_temp.quantile_ok(c text, q float8, v float8) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	lt float8;
	le float8;
	n float8;
BEGIN
	EXECUTE format('SELECT count(*) FILTER (WHERE %1$I < $1), count(*) FILTER (WHERE %1$I <= $1), count(%1$I) FROM par', c)
		INTO lt, le, n USING v;
	RETURN lt <= (q + 0.01) * n AND le >= (q - 0.01) * n;
END $$;

-- how many parallel workers a query really launched
CREATE FUNCTION pg_temp.workers_launched(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	plan json;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || q INTO plan;
	RETURN coalesce((jsonb_path_query_first(plan::jsonb, '$.**."Workers Launched"'))::int, 0);
END $$;

SELECT setseed(0.25);
CREATE TABLE par AS
SELECT i AS id, random() * 100 AS x, (random() * 50)::int AS k, 'g' || (i % 13) AS g,
	   random() < 0.3 AS flag, timestamptz '2026-01-01' + i * interval '1 minute' AS at,
	   CASE WHEN i % 17 = 0 THEN NULL ELSE random() END AS maybe
  FROM generate_series(1, 150000) AS i;
INSERT INTO par SELECT * FROM par WHERE id % 1000 = 0;
ANALYZE par;

-- serial
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT automl.profile_agg(t, '{}') FROM par t;
SELECT pg_temp.workers_launched($$SELECT automl.profile_agg(t, '{}') FROM par t$$) AS workers_launched;
CREATE TABLE serial_profile AS SELECT automl.profile('par') AS p;

-- parallel: the same query splits into partial aggregates.  At least one
-- worker must run; how many get a slot depends on what else the cluster
-- runs at that moment, so the count itself is not compared.
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT automl.profile_agg(t, '{}') FROM par t;
SELECT pg_temp.workers_launched($$SELECT automl.profile_agg(t, '{}') FROM par t$$) >= 1 AS workers_launched;
SELECT pg_temp.workers_launched($$SELECT automl.profile_columns('par', '{}', t.id, t.x, t.k, t.g, t.flag, t.at, t.maybe) FROM par t$$) >= 1 AS columns_workers_launched;
CREATE TABLE parallel_profile AS SELECT automl.profile('par') AS p;

SELECT d AS difference
  FROM serial_profile s, parallel_profile q, pg_temp.profile_diff(s.p, q.p) AS d;
-- Issues read from exact counts are the same; those read from sketches
-- (outlier fences from quantiles, distinct and mode estimates) may flip at
-- their threshold when the workers' sketches merge in another order, and
-- the quality score moves with them, within a few points.
CREATE FUNCTION pg_temp.exact_issues(p jsonb) RETURNS text[] LANGUAGE sql AS $$
	SELECT array_agg(t ORDER BY t)
	  FROM (SELECT i->>'issue_type' || ' ' || coalesce(i->>'column', '') AS t
			  FROM jsonb_array_elements(p->'issues') i
			 WHERE i->>'issue_type' NOT IN ('outliers', 'unique', 'imbalance', 'high_cardinality')) z
$$;
SELECT pg_temp.exact_issues(s.p) IS NOT DISTINCT FROM pg_temp.exact_issues(q.p) AS exact_issues_equal,
	   cardinality(pg_temp.exact_issues(s.p)) > 0 AS some_exact_issues,
	   abs((s.p->>'quality_score')::float8 - (q.p->>'quality_score')::float8) < 0.05 AS scores_close
  FROM serial_profile s, parallel_profile q;
SELECT (s.p->>'duplicate_rows')::int AS serial_dups, (q.p->>'duplicate_rows')::int AS parallel_dups,
	   (q.p->>'row_count')::int AS rows
  FROM serial_profile s, parallel_profile q;
SELECT x.name, bool_and(pg_temp.quantile_ok(x.name, substr(q.key, 2)::float8 / 100, q.value::float8)) AS quantiles_within_1pct
  FROM (SELECT 'serial' AS run, p FROM serial_profile UNION ALL SELECT 'parallel', p FROM parallel_profile) r,
	   jsonb_array_elements(r.p->'columns') AS c, jsonb_each_text(c->'quantiles') AS q,
	   LATERAL (SELECT c->>'name' AS name) x
 WHERE jsonb_typeof(c->'quantiles') = 'object'
 GROUP BY x.name ORDER BY x.name;
