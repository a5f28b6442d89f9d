-- The automl demo: a CSV file imported into a typed table, profiled, then
-- models trained on it and used for predictions, all inside the server.
\pset pager off
CREATE EXTENSION automl;

-- Start from a file: test/data/sales.csv (10,000 sales with a few extreme
-- amounts, missing values and a duplicate row, as real data has).  psql
-- reads it on the client and automl.import_csv infers the column types and
-- creates the table (automl.import_csv_file reads a file on the server).
\set sales_csv `cat test/data/sales.csv`
\echo '== automl.import_csv(''sales'', <test/data/sales.csv>) =='
SELECT r->>'table' AS "table", r->'rows' AS rows, r->'rejected' AS rejected,
       (SELECT string_agg(c->>'name' || ' ' || (c->>'type'), ', ')
          FROM jsonb_array_elements(r->'columns') c) AS columns
  FROM automl.import_csv('sales', :'sales_csv') AS r;

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

\echo '== train: will a sale be paid? (algorithm ''auto'': a search of 20 seconds at most) =='
SELECT model_name, version, task, algorithm, deployed,
       round((metrics->>'accuracy')::numeric, 3) AS accuracy,
       round((metrics->>'roc_auc')::numeric, 3) AS roc_auc,
       metrics->'search'->'trials' AS trials
  FROM automl.train('paid', 'sales', 'paid', time_budget => '20 seconds',
                    options => '{"exclude": ["id"]}');

\echo '== the same training as a background job: submitted at once, then waited for =='
SELECT automl.train_async('paid_nightly', 'sales', 'paid', algorithm => 'gradient_boosting',
                          options => '{"exclude": ["id"]}') AS job_id \gset
SELECT job_id, kind, status, submitted_by FROM automl.jobs WHERE job_id = :job_id;
SELECT job_id, status, progress, result->>'version' AS version,
       round((result->'metrics'->>'accuracy')::numeric, 3) AS accuracy,
       round(extract(epoch FROM finished_at - started_at)::numeric, 1) AS seconds
  FROM automl.wait_job(:job_id);

\echo '== the search''s leaderboard =='
SELECT rank, trial, algorithm, round(score::numeric, 4) AS accuracy,
       round(fit_seconds::numeric, 2) AS seconds, status
  FROM automl.leaderboard('paid') LIMIT 8;

\echo '== train: how much is a sale? (ridge regression, on a view without the outliers) =='
CREATE VIEW usual_sales AS SELECT * FROM sales WHERE amount < 10000;
SELECT model_name, version, task, algorithm,
       round((metrics->>'r2')::numeric, 3) AS r2, round((metrics->>'rmse')::numeric, 1) AS rmse
  FROM automl.train('amount', 'usual_sales', 'amount', 'regression', 'ridge',
                    options => '{"exclude": ["id"]}');

\echo '== predict for new rows, matched by column name =='
SELECT s.id, s.region, s.amount,
       automl.predict_label('paid', s.*) AS will_pay,
       round((automl.predict_proba('paid', s.*))[2]::numeric, 3) AS p_paid,
       round(automl.predict('amount', s.*)::numeric, 2) AS predicted_amount
  FROM sales s ORDER BY s.id LIMIT 5;

\echo '== and from JSON, as an application would send it =='
SELECT automl.predict_label('paid', '{"region": "north", "amount": 120.5, "quantity": 3,
                                      "sold_at": "2026-06-01T10:00:00Z"}'::jsonb) AS will_pay;

\echo '== what drives the model =='
SELECT feature, round(importance::numeric, 3) AS importance FROM automl.feature_importance('paid');

\echo '== why sale 3 is predicted as it is (contributions to the log-odds of paying) =='
SELECT feature, value, round(contribution::numeric, 3) AS contribution
  FROM automl.explain('paid', (SELECT s FROM sales s WHERE id = 3));

\echo '== next month''s sales: bigger orders; which features drifted? =='
CREATE TABLE next_month AS
SELECT id, region, quantity + 3 AS quantity, amount * 1.4 AS amount, paid, sold_at + interval '30 days' AS sold_at
  FROM sales;
SELECT feature, round(psi::numeric, 3) AS psi, round(ks::numeric, 3) AS ks, drifted
  FROM automl.drift('paid', 'next_month');

\echo '== the model report =='
\pset format unaligned
\pset tuples_only on
\o /tmp/automl_paid_model.html
SELECT automl.model_report('paid');
\o
\pset format aligned
\pset tuples_only off
\echo 'wrote /tmp/automl_paid_model.html: open it in a browser'

\echo '== the registry =='
SELECT model_id, model_name, version, algorithm, train_rows, round(training_seconds::numeric, 2) AS seconds,
       size_bytes, deployed
  FROM automl.models ORDER BY model_id;

\echo '== anomalies: the values that do not fit, with a sentence each =='
SELECT row_key, column_name, value, severity, explanation
  FROM automl.detect_anomalies('sales', ARRAY['amount']) LIMIT 5;

\echo '== a stored detector scores new rows one at a time (for a trigger) =='
SELECT automl.train_detector('amounts', 'sales', ARRAY['amount', 'quantity']) > 0 AS stored;
SELECT automl.is_anomaly('amounts', '{"amount": 5000, "quantity": 2}'::jsonb) AS big_small_order,
       automl.anomaly_explanation('amounts', (SELECT s FROM sales s WHERE id = 17)) AS sale_17;

\echo '== insights: what stands out, for a dashboard or a manager =='
SELECT t->>'kind' AS kind, round((t->>'strength')::numeric, 2) AS strength, t->>'description' AS description
  FROM jsonb_array_elements(automl.insights('sales')->'trends') t LIMIT 8;
SELECT r AS recommendation FROM jsonb_array_elements_text(automl.insights('sales')->'recommendations') r;
SELECT automl.insights('sales')->>'summary' AS summary;

\echo '== a forecast of the weekly amount =='
SELECT ts::date AS week, round(forecast::numeric) AS forecast, round(lower::numeric) AS lower,
       round(upper::numeric) AS upper
  FROM automl.forecast('sales', 'sold_at', 'amount', 4, '{"frequency": "1 week"}');
