-- The automl demo: a small sales table, profiled inside the server.
\pset pager off
CREATE EXTENSION automl;

SELECT setseed(0.42);
CREATE TABLE sales AS
SELECT i AS id,
       (ARRAY['north','south','east','west'])[1 + (random() * 3)::int] AS region,
       CASE WHEN random() < 0.08 THEN NULL ELSE round((50 + random() * 950)::numeric, 2) END AS amount,
       1 + (random() * 9)::int AS quantity,
       random() < 0.7 AS paid,
       timestamptz '2026-01-01' + (random() * 300) * interval '1 day' AS sold_at
  FROM generate_series(1, 10000) AS i;
-- a few extreme values and an exact duplicate, as real data has
UPDATE sales SET amount = 98120 WHERE id IN (17, 4242);
INSERT INTO sales SELECT * FROM sales WHERE id = 7;

\echo '== automl.profile(''sales'') =='
SELECT jsonb_pretty(automl.profile('sales'));

\echo '== the issues it found =='
SELECT i->>'severity' AS severity, i->>'column' AS "column", i->>'issue_type' AS issue,
       i->>'description' AS description
  FROM jsonb_array_elements(automl.get_profile('sales')->'issues') AS i;
SELECT automl.get_profile('sales')->'quality_score' AS quality_score;

\echo '== the HTML report =='
\pset format unaligned
\pset tuples_only on
\o /tmp/automl_sales_report.html
SELECT automl.profile_report('sales');
\o
\pset format aligned
\pset tuples_only off
\echo 'wrote /tmp/automl_sales_report.html: open it in a browser'
