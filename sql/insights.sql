-- automl.insights: anomalies, trends, recommendations and a summary.
SET extra_float_digits = 0;
SET client_min_messages = warning;
SELECT setseed(0.8);

CREATE TABLE shop_sales AS
SELECT i AS id, date '2024-01-01' + (i / 20) AS day,
	   (ARRAY['north', 'south', 'east', 'west'])[1 + i % 4] AS region,
	   100 + i / 50.0 + CASE WHEN i % 4 = 3 THEN 60 ELSE 0 END + 20 * random() AS amount,
	   1 + (random() * 5)::int AS quantity,
	   CASE WHEN random() < 0.62 THEN NULL ELSE random() * 0.3 END AS discount
  FROM generate_series(1, 6000) i;
ALTER TABLE shop_sales ADD PRIMARY KEY (id), ADD COLUMN price float8;
UPDATE shop_sales SET price = amount / quantity + random();
UPDATE shop_sales SET amount = 25000 WHERE id = 4242;
-- the west region's sales collapse in the last weeks
UPDATE shop_sales SET amount = amount * 0.3 WHERE region = 'west' AND day >= date '2024-09-20';

CREATE TEMP TABLE ins AS SELECT automl.insights('shop_sales') AS j;
SELECT jsonb_typeof(j->'anomalies') AS anomalies, jsonb_typeof(j->'trends') AS trends,
	   jsonb_typeof(j->'recommendations') AS recommendations, jsonb_typeof(j->'summary') AS summary,
	   j->>'time_column' AS time_column, j->'rows' AS rows
  FROM ins;
-- the strongest anomaly is the 25,000 sale
SELECT a->'row_key' AS row_key, a->>'column_name' AS column_name, a->>'severity' AS severity
  FROM ins, jsonb_array_elements(j->'anomalies') WITH ORDINALITY e(a, n) WHERE n = 1;
-- at least 3 trends, each with the keys the dashboard reads
SELECT jsonb_array_length(j->'trends') >= 3 AS three_or_more,
	   bool_and(t ?& ARRAY['kind', 'columns', 'description', 'strength', 'evidence']) AS complete,
	   bool_and((t->>'strength')::float8 BETWEEN 0 AND 1) AS strengths
  FROM ins, jsonb_array_elements(j->'trends') t GROUP BY j;
SELECT DISTINCT t->>'kind' AS kind FROM ins, jsonb_array_elements(j->'trends') t ORDER BY 1;
-- amount rises over time; it differs by region; price falls with quantity
SELECT t->>'description' LIKE 'the average amount rises by % per week %' AS amount_trend
  FROM ins, jsonb_array_elements(j->'trends') t
 WHERE t->>'kind' = 'trend' AND t->'columns'->>0 = 'amount';
SELECT t->>'description' LIKE 'amount differs by region: region = ''west'' averages %' AS by_region
  FROM ins, jsonb_array_elements(j->'trends') t
 WHERE t->>'kind' = 'segment' AND t->'columns' = '["amount", "region"]';
SELECT (t->'evidence'->>'r')::float8 < -0.5 AS quantity_price,
	   t->>'description' LIKE 'quantity and price move in opposite directions (r = -0.%)' AS sentence
  FROM ins, jsonb_array_elements(j->'trends') t
 WHERE t->>'kind' = 'correlation' AND t->'columns' = '["quantity", "price"]';
-- recommendations: the NULL-heavy column and the west's fall
SELECT r LIKE 'discount is 6_% NULL: impute or drop it before training' AS nulls
  FROM ins, jsonb_array_elements_text(j->'recommendations') r WHERE r LIKE 'discount%';
SELECT r LIKE 'amount fell %, driven by region = ''west'': look into it' AS shift
  FROM ins, jsonb_array_elements_text(j->'recommendations') r WHERE r LIKE 'amount fell%';
SELECT j->>'summary' LIKE 'public.shop_sales has 6,000 rows and 7 columns (4 numeric, 1 categorical, one time column). %' AS summary
  FROM ins;
-- deterministic
SELECT automl.insights('shop_sales') = (SELECT j FROM ins) AS same;
-- key drivers of a target
SELECT t->>'kind' AS kind, t->'columns' AS columns
  FROM jsonb_array_elements(automl.insights('shop_sales', '{"target": "amount"}')->'trends') t
 WHERE t->>'kind' = 'driver';

-- no time column: at least 3 numeric columns still give 3 trends
CREATE TABLE plain AS SELECT i AS id, i * 2.0 AS a, sin(i) AS b, i % 7 AS c FROM generate_series(1, 500) i;
SELECT jsonb_array_length(automl.insights('plain')->'trends') >= 3 AS three, automl.insights('plain')->'time_column' AS time_column;
-- nothing to say still says something actionable
CREATE TABLE tiny AS SELECT 1 AS id, 'x'::text AS label;
SELECT jsonb_array_length(automl.insights('tiny')->'recommendations') >= 1 AS some_advice;

-- errors
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT pg_temp.error_of($$SELECT automl.insights('shop_sales', '{"colour": 1}')$$);
SELECT pg_temp.error_of($$SELECT automl.insights('shop_sales', '{"target": "region"}')$$);
SELECT pg_temp.error_of($$SELECT automl.insights('shop_sales', '{"time_column": "nope"}')$$);
SELECT pg_temp.error_of($$SELECT automl.insights('shop_sales', '{"time_column": "region"}')$$);
SELECT pg_temp.error_of($$SELECT automl.insights(NULL)$$);
SELECT pg_temp.error_of($$SELECT automl.insights('shop_sales', '[1]')$$);
