# Monitoring: automl.stats counts calls, time, errors and rows of the automl
# C functions in shared memory.  profile, train and predict over a table
# (predict over 1000 rows is 1000 calls), a set-returning function (one
# call, its rows), failing calls (errors), a parallel query (the workers'
# calls are included), a transaction reading its own counts, sessions
# adding up, a background job's call, automl.track_stats off,
# reset_stats(), and a restart that starts from zero.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('stats');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'automl'
max_worker_processes = 16
max_parallel_workers = 8
});
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION automl;
CREATE TABLE t1k AS
SELECT i AS id, (i % 7)::float8 AS x, (i % 3)::float8 * 2 + (i % 7) AS y, i % 5 = 0 AS flag
  FROM generate_series(1, 1000) i;
CREATE TABLE t20k AS
SELECT i AS id, (i % 7)::float8 AS x, (i % 3)::float8 * 2 + (i % 7) AS y, i % 5 = 0 AS flag
  FROM generate_series(1, 20000) i;
ANALYZE t1k, t20k;
});

# Runs $query in a new session and returns its output; dies on an error.
sub sql
{
	my ($query) = @_;
	return $node->safe_psql('postgres', $query);
}

# The given columns of automl.stats for function $name ('' if no row).
sub stat_of
{
	my ($name, $cols) = @_;
	$cols //= 'calls, errors, rows';
	return sql("SELECT $cols FROM automl.stats WHERE function = 'automl.$name'");
}

# ---------------------------------------------------------------------
# 1. profile, train, predict: calls, times and rows make sense
# ---------------------------------------------------------------------
sql('SELECT automl.reset_stats()');
is(sql(q{SELECT count(*) FROM automl.stats WHERE calls > 0 OR errors > 0 OR rows > 0}), '0',
	'nothing counted after reset_stats()');

sql(q{SELECT automl.profile('t1k') IS NOT NULL});
is(stat_of('profile'), '1|0|0', 'profile: one call, no error');
is(stat_of('profile', 'total_ms > 0 AND max_ms = total_ms AND mean_ms = total_ms'), 't',
	'profile: its time is total, mean and max');
is(stat_of('profile_columns_transfn', 'calls'), '1000',
	'the aggregate inside profile: one transition call a row');

sql(q{SELECT model_id FROM automl.train('lin', 't1k', 'y', 'regression', 'linear_regression',
	options => '{"exclude": ["id"]}')});
is(stat_of('train'), '1|0|0', 'train: one call');

is(sql(q{SELECT count(automl.predict('lin', t.*)) FROM t1k t}), '1000', 'predicted 1000 rows');
is(stat_of('predict'), '1000|0|0', 'predict over 1000 rows: 1000 calls');
is(stat_of('predict', 'total_ms > 0 AND max_ms >= mean_ms AND abs(mean_ms * calls - total_ms) < 1e-6'),
	't', 'predict: total, mean and max are consistent');
is(stat_of('predict', 'max_ms <= (SELECT total_ms FROM automl.stats WHERE function = \'automl.predict\')'),
	't', 'predict: max within total');

# the overloads share the name's row
sql(q{SELECT automl.predict('lin', '{"x": 1, "flag": false}'::jsonb)});
is(stat_of('predict', 'calls'), '1001', 'the jsonb overload counts under automl.predict');

# only C functions of automl, and not the ones behind the view
is(sql(q{SELECT count(*) FROM automl.stats WHERE function NOT LIKE 'automl.%'
		  OR function IN ('automl._stats', 'automl.reset_stats', 'automl.train_async')}),
	'0', 'only automl C functions are listed, not the view\'s own');

# ---------------------------------------------------------------------
# 2. a set-returning function: one call, rows = rows returned
# ---------------------------------------------------------------------
my $found = sql(q{SELECT count(*) FROM automl.detect_anomalies('t1k', ARRAY['y'], 'robust_zscore',
	'{"threshold": 1}')});
cmp_ok($found, '>', 0, 'detect_anomalies returned rows');
is(stat_of('detect_anomalies'), "1|0|$found", 'detect_anomalies: one call, rows = rows returned');

# ---------------------------------------------------------------------
# 3. errors are counted, as calls
# ---------------------------------------------------------------------
my ($ret) = $node->psql('postgres', q{SELECT automl.predict('no_such_model', t.*) FROM t1k t});
isnt($ret, 0, 'predict with an unknown model fails');
is(stat_of('predict', 'calls, errors'), '1002|1', 'the failed predict is a call and an error');

($ret) = $node->psql('postgres', q{SELECT * FROM automl.train('bad', 't1k', 'no_such_column')});
isnt($ret, 0, 'train on an unknown target fails');
is(stat_of('train', 'calls, errors'), '2|1', 'the failed train is a call and an error');

# an error caught by a PL/pgSQL block is counted too; the block goes on
is(sql(q{DO $$
BEGIN
	PERFORM automl.predict('no_such_model', '{}'::jsonb);
EXCEPTION WHEN OTHERS THEN
	PERFORM automl.predict('lin', '{"x": 2, "flag": true}'::jsonb);
END $$;
SELECT calls, errors FROM automl.stats WHERE function = 'automl.predict'}), '1004|2',
	'an error caught in PL/pgSQL, then a call in the handler');

# ---------------------------------------------------------------------
# 4. a parallel query: the workers' calls are included
# ---------------------------------------------------------------------
sql('SELECT automl.reset_stats()');
my $parallel = q{SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
};
my $plan = sql($parallel . q{EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF)
	SELECT sum(automl.predict('lin', t.*)) FROM t20k t});
like($plan, qr/Workers Launched: [12]/, 'the predict query ran in parallel workers');
unlike($plan, qr/Workers Launched: 0/, 'at least one worker launched');
is(stat_of('predict'), '20000|0|0',
	'predict in parallel workers (the leader not participating): every row counted');
is(sql($parallel . q{SELECT count(*) FILTER (WHERE automl.predict('lin', t.*) IS NOT NULL) FROM t20k t}),
	'20000', 'the parallel predict returns a value for every row');
is(stat_of('predict', 'calls'), '40000', 'and counts them again');

# ---------------------------------------------------------------------
# 5. a transaction sees its own counts; sessions add up
# ---------------------------------------------------------------------
sql('SELECT automl.reset_stats()');
is(sql(q{BEGIN;
SELECT count(automl.predict('lin', t.*)) FROM t1k t;
SELECT calls FROM automl.stats WHERE function = 'automl.predict';
COMMIT;}), "1000\n1000", 'counts of the running transaction are visible to it');

my @sessions = map { $node->background_psql('postgres') } 1 .. 3;
$_->query_safe(q{SELECT count(automl.predict('lin', t.*)) FROM t1k t}) for @sessions;
is(stat_of('predict', 'calls'), '4000', 'three more sessions add up');
$_->quit for @sessions;
is(stat_of('predict', 'calls'), '4000', 'and stay after the sessions end');

# a background job's calls are counted in its worker
my $job = sql(q{SELECT automl.train_async('lin_job', 't1k', 'y', 'regression', 'linear_regression',
	options => '{"exclude": ["id"]}')});
is(sql("SELECT status FROM automl.wait_job($job, '120 s')"), 'succeeded', 'a training job ran');
is(stat_of('train', 'calls, errors'), '1|0', 'the job\'s train call is counted');

# ---------------------------------------------------------------------
# 6. automl.track_stats: a server setting; off, nothing is counted
# ---------------------------------------------------------------------
($ret, my $out, my $err) = $node->psql('postgres', 'SET automl.track_stats = off');
like($err, qr/cannot be changed now/, 'automl.track_stats cannot be SET in a session');
$node->safe_psql('postgres', 'ALTER SYSTEM SET automl.track_stats = off');
$node->reload;
$node->poll_query_until('postgres', 'SHOW automl.track_stats', 'off')
  or die 'automl.track_stats never became off';
sql(q{SELECT count(automl.predict('lin', t.*)) FROM t1k t});
is(stat_of('predict', 'calls'), '4000', 'off: predict not counted');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET automl.track_stats');
$node->reload;
$node->poll_query_until('postgres', 'SHOW automl.track_stats', 'on')
  or die 'automl.track_stats never became on';
sql(q{SELECT count(automl.predict('lin', t.*)) FROM t1k t});
is(stat_of('predict', 'calls'), '5000', 'on again: counted');

# ---------------------------------------------------------------------
# 7. reset_stats() zeroes every entry; a restart starts from zero
# ---------------------------------------------------------------------
sql('SELECT automl.reset_stats()');
is(sql(q{SELECT count(*), sum(calls), sum(errors), sum(rows), sum(total_ms), max(max_ms), max(mean_ms)
		   FROM automl.stats}) =~ s/^\d+\|//r, '0|0|0|0|0|0', 'reset_stats() zeroes every counter');
cmp_ok(sql('SELECT count(*) FROM automl.stats'), '>=', 5, 'the functions stay listed, at zero');

sql(q{SELECT count(automl.predict('lin', t.*)) FROM t1k t});
is(stat_of('predict', 'calls'), '1000', 'counting goes on after a reset');

$node->restart;
is(sql('SELECT count(*) FROM automl.stats'), '0', 'after a restart: no entries');
sql(q{SELECT count(automl.predict('lin', t.*)) FROM t1k t});
is(stat_of('predict'), '1000|0|0', 'and counting starts from zero');

# ---------------------------------------------------------------------
# no backend crashed
# ---------------------------------------------------------------------
$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no backend crashed');

done_testing();
