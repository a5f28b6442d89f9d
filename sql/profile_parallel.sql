-- automl.profile under parallel query: the plan has a Partial Aggregate and
-- the profile equals the serial one (floating-point sums to 1e-9 relative,
-- sketched quantiles and histograms within their 1% rank error).
SET extra_float_digits = 0;

-- compare two profiles; returns the paths that differ
CREATE FUNCTION pg_temp.profile_diff(a jsonb, b jsonb, path text DEFAULT '')
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	k text;
	i int;
	tol float8;
BEGIN
	IF jsonb_typeof(a) IS DISTINCT FROM jsonb_typeof(b) THEN
		RETURN NEXT path || ' type';
	ELSIF jsonb_typeof(a) = 'object' THEN
		FOR k IN SELECT jsonb_object_keys(a) UNION SELECT jsonb_object_keys(b) LOOP
			CONTINUE WHEN k = 'profiled_at';
			RETURN QUERY SELECT pg_temp.profile_diff(a->k, b->k, path || '.' || k);
		END LOOP;
	ELSIF jsonb_typeof(a) = 'array' THEN
		IF jsonb_array_length(a) <> jsonb_array_length(b) THEN
			RETURN NEXT path || ' length';
		ELSE
			FOR i IN 0 .. jsonb_array_length(a) - 1 LOOP
				RETURN QUERY SELECT pg_temp.profile_diff(a->i, b->i, path || '[' || i || ']');
			END LOOP;
		END IF;
	ELSIF jsonb_typeof(a) = 'number' THEN
		-- sketched parts are approximate: allow their documented error
		tol := CASE WHEN path ~ '(quantiles|histogram)' THEN 0.02 ELSE 1e-9 END;
		IF abs((a#>>'{}')::float8 - (b#>>'{}')::float8) >
		   tol * greatest(abs((a#>>'{}')::float8), abs((b#>>'{}')::float8), CASE WHEN path ~ 'histogram.counts' THEN 3000 ELSE 1e-300 END) THEN
			RETURN NEXT path || ': ' || a::text || ' vs ' || b::text;
		END IF;
	ELSIF a IS DISTINCT FROM b THEN
		RETURN NEXT path || ': ' || a::text || ' vs ' || b::text;
	END IF;
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
CREATE TABLE serial_profile AS SELECT automl.profile('par') AS p;

-- parallel: the same query splits into partial aggregates
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT automl.profile_agg(t, '{}') FROM par t;
CREATE TABLE parallel_profile AS SELECT automl.profile('par') AS p;

SELECT d AS difference
  FROM serial_profile s, parallel_profile q, pg_temp.profile_diff(s.p, q.p) AS d;
SELECT (s.p->>'duplicate_rows')::int AS serial_dups, (q.p->>'duplicate_rows')::int AS parallel_dups,
	   (q.p->>'row_count')::int AS rows
  FROM serial_profile s, parallel_profile q;
