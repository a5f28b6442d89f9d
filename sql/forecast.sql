-- automl.forecast: Holt-Winters over a relation's time series.
SET extra_float_digits = 0;
SET client_min_messages = warning;
SELECT setseed(0.5);

-- monthly sales: trend + yearly season + a little noise, stamped on the 1st
CREATE TABLE monthly AS
SELECT (date '2018-01-01' + (i || ' months')::interval)::date AS month,
	   1000 + 10 * i + 100 * sin(2 * pi() * i / 12) + 5 * (random() - 0.5) AS sales
  FROM generate_series(0, 71) i;

SELECT ts::date, round(forecast::numeric / 10) * 10 AS forecast_rounded,
	   lower < forecast AND forecast < upper AS interval_around
  FROM automl.forecast('monthly', 'month', 'sales', 12);
-- close to the pattern that generated the data (it continues from i = 72)
SELECT max(abs(f.forecast - (1000 + 10 * (71 + k) + 100 * sin(2 * pi() * (71 + k) / 12)))) < 20 AS accurate
  FROM (SELECT row_number() OVER (ORDER BY ts) AS k, forecast FROM automl.forecast('monthly', 'month', 'sales', 12)) f;
-- wider intervals further ahead, and at a higher level
SELECT bool_and(w2 >= w1 - 1e-9) AS widening
  FROM (SELECT upper - lower AS w2, lag(upper - lower) OVER (ORDER BY ts) AS w1
		  FROM automl.forecast('monthly', 'month', 'sales', 12)) s WHERE w1 IS NOT NULL;
SELECT (SELECT avg(upper - lower) FROM automl.forecast('monthly', 'month', 'sales', 6, '{"level": 0.99}')) >
	   (SELECT avg(upper - lower) FROM automl.forecast('monthly', 'month', 'sales', 6)) AS wider_at_99;

-- several rows per day are summed (or averaged); missing days interpolated
CREATE TABLE events AS
SELECT timestamptz '2024-01-01 00:00+00' + (i * interval '6 hours') AS at, 1.0 + (i % 4) AS qty
  FROM generate_series(0, 400) i WHERE i % 37 <> 5;
SELECT ts, round(forecast::numeric, 1) FROM automl.forecast('events', 'at', 'qty', 2, '{"frequency": "1 day"}');
SELECT round(forecast::numeric, 1) FROM automl.forecast('events', 'at', 'qty', 1, '{"frequency": "1 day", "aggregate": "avg"}');

-- errors
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('monthly', 'nope', 'sales', 3)$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('monthly', 'month', 'nope', 3)$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('monthly', 'sales', 'sales', 3)$$);
CREATE TABLE labelled AS SELECT date '2024-01-01' + i AS d, 'x'::text AS label FROM generate_series(1, 10) i;
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('labelled', 'd', 'label', 3)$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('monthly', 'month', 'sales', 0)$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('monthly', 'month', 'sales', NULL)$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('monthly', 'month', 'sales', 3, '{"level": 1.5}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('monthly', 'month', 'sales', 3, '{"aggregate": "max"}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('monthly', 'month', 'sales', 3, '{"frequency": "1 second"}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('monthly', 'month', 'sales', 3, '{"frequency": "-1 day"}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('monthly', 'month', 'sales', 3, '{"colour": 1}')$$);
CREATE TABLE two_rows AS SELECT date '2024-01-01' + i AS d, i::float8 AS v FROM generate_series(1, 2) i;
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('two_rows', 'd', 'v', 3)$$);
CREATE TABLE same_day AS SELECT date '2024-01-01' AS d, i::float8 AS v FROM generate_series(1, 5) i;
SELECT pg_temp.error_of($$SELECT * FROM automl.forecast('same_day', 'd', 'v', 3)$$);
-- a constant series forecasts itself
CREATE TABLE flat_days AS SELECT date '2024-01-01' + i AS d, 7.0 AS v FROM generate_series(1, 30) i;
SELECT DISTINCT round(forecast::numeric, 6) FROM automl.forecast('flat_days', 'd', 'v', 5);
