# Models across sessions: a backend caches a decoded model and keeps using
# it row after row without reading automl.models again, yet sees another
# session's deploy, rollback and drop at its next statement after they
# commit (never before); cancel stops a long training; a backend killed
# while training leaves no half-written model.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('models');
$node->init;
$node->append_conf('postgresql.conf', qq{
restart_after_crash = on
});
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION automl;
CREATE TABLE two AS SELECT i::float8 AS x, 2.0 * i AS y FROM generate_series(1, 200) i;
CREATE TABLE three AS SELECT i::float8 AS x, 3.0 * i AS y FROM generate_series(1, 200) i;
CREATE TABLE rows AS SELECT (i % 50)::float8 AS x FROM generate_series(1, 10000) i;
SELECT version FROM automl.train('m', 'two', 'y', 'regression', 'linear_regression');
SELECT version FROM automl.train('m', 'three', 'y', 'regression', 'linear_regression',
								 options => '{"deploy": "never"}');
CREATE TABLE big AS SELECT i::float8 AS a, (i % 13)::float8 AS b, (i % 7)::float8 AS y
  FROM generate_series(1, 300000) i;
});

my $a = $node->background_psql('postgres', on_error_stop => 0);
my $predict = q{SELECT round(automl.predict('m', ARRAY[10.0]::float8[])::numeric, 6)};

is($a->query_safe($predict), '20.000000', 'session A predicts with version 1');

# Scans of automl.models so far, once session A has flushed its statistics.
sub models_scans
{
	$a->query_safe('SELECT pg_stat_force_next_flush()');
	usleep(200_000);
	return $node->safe_psql('postgres', q{
		SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_user_tables
		 WHERE relid = 'automl.models'::regclass});
}

# scoring 10,000 rows with the cached model never reads automl.models
my $before = models_scans();
is($a->query_safe(q{SELECT sum(automl.predict('m', r.*)) FROM rows r}), '490000',
	'session A scores 10,000 rows');
is(models_scans() - $before, 0, 'a cached model is scored without reading automl.models');

# scoring does not grow the backend's memory with the rows scored
my $mem_sql = q{SELECT sum(total_bytes) FROM pg_backend_memory_contexts};
$a->query_safe(q{SELECT sum(automl.predict('m', r.*)) FROM rows r});
my $mem_before = $a->query_safe($mem_sql);
$a->query_safe(q{SELECT sum(automl.predict('m', r.*)) FROM rows r, generate_series(1, 30)});
my $mem_after = $a->query_safe($mem_sql);
cmp_ok($mem_after - $mem_before, '<', 256 * 1024,
	"scoring 300,000 more rows leaves the backend's memory as it was ($mem_before -> $mem_after bytes)");

# a deploy in another session is invisible until it commits
my $b = $node->background_psql('postgres');
$b->query_safe(q{BEGIN; SELECT automl.deploy('m', 2);});
is($a->query_safe($predict), '20.000000', 'an uncommitted deploy is not seen');
$b->query_safe('COMMIT');
is($a->query_safe($predict), '30.000000', 'session A sees the deploy of version 2 at once');

$node->safe_psql('postgres', q{SELECT automl.deploy('m', 'rollback')});
is($a->query_safe($predict), '20.000000', 'and the rollback to version 1');

# a third version trained elsewhere with deploy 'always'
$node->safe_psql('postgres', q{
CREATE TABLE four AS SELECT i::float8 AS x, 4.0 * i AS y FROM generate_series(1, 200) i;
SELECT version FROM automl.train('m', 'four', 'y', 'regression', 'linear_regression',
								 options => '{"deploy": "always"}');
});
is($a->query_safe($predict), '40.000000', 'and a newly trained deployed version');

# a model_id keeps naming its version through all of this
my $id1 = $node->safe_psql('postgres', q{SELECT model_id FROM automl.models WHERE model_name = 'm' AND version = 1});
is($a->query_safe("SELECT round(automl.predict($id1, ARRAY[10.0]::float8[])::numeric, 6)"),
	'20.000000', 'predict by model_id uses exactly that version');

# a model exported here predicts identically on another server
my $other = PostgreSQL::Test::Cluster->new('other');
$other->init;
$other->start;
$other->safe_psql('postgres', 'CREATE EXTENSION automl');
$node->safe_psql('postgres', q{
CREATE TABLE mixed AS
SELECT i::float8 AS x, (ARRAY['red', 'green', 'blue'])[1 + i % 3] AS colour, i % 4 = 0 AS flag,
	   date '2026-01-01' + i AS day, CASE WHEN i % 7 = 0 THEN NULL ELSE i % 11 END AS n,
	   (i % 3 = 0 OR i % 11 = 1) AS y
  FROM generate_series(1, 600) i;
SELECT version FROM automl.train('mixed', 'mixed', 'y', 'classification', 'random_forest');
});
my $image = $node->safe_psql('postgres', q{SELECT encode(automl.export_model('mixed'), 'base64')});
$image =~ s/\s+//g;
$other->safe_psql('postgres', qq{
SELECT automl.import_model('mixed', decode('$image', 'base64'));
CREATE TABLE mixed AS
SELECT i::float8 AS x, (ARRAY['red', 'green', 'blue'])[1 + i % 3] AS colour, i % 4 = 0 AS flag,
	   date '2026-01-01' + i AS day, CASE WHEN i % 7 = 0 THEN NULL ELSE i % 11 END AS n,
	   (i % 3 = 0 OR i % 11 = 1) AS y
  FROM generate_series(1, 600) i;
});
my $scores_sql = q{SELECT string_agg(array_to_string(automl.predict_proba('mixed', m.*), ','), ';' ORDER BY x) FROM mixed m};
is($other->safe_psql('postgres', $scores_sql), $node->safe_psql('postgres', $scores_sql),
	'an imported model gives the same probabilities on another server, to the last bit');
$other->stop;

# dropping the model reaches the cache too
$node->safe_psql('postgres', q{SELECT automl.drop_model('m')});
my ($ret, $stdout, $stderr) = $node->psql('postgres', $predict);
like($stderr, qr/model "m" does not exist/, 'a fresh session sees the drop');
$a->query($predict);
like($a->{stderr}, qr/model "m" does not exist/, 'session A sees the drop');
$a->quit;
$b->quit;

# an AutoML search reports progress while it runs and keeps to its budget
{
	my $t0 = time();
	my ($ret, $out, $err) = $node->psql('postgres', q{
		SELECT metrics->'search'->>'stopped' FROM automl.train('searched', 'big', 'y',
			'classification', time_budget => '8 seconds')});
	my $elapsed = time() - $t0;
	is($ret, 0, 'a search on 300,000 rows succeeds');
	like($err, qr/NOTICE:  automl search: \d+ trials, best accuracy [0-9.]+ \(\w+\), \d+ s left/,
		'it reports progress while it runs');
	like($err, qr/NOTICE:  automl search: \d+ trials, best accuracy [0-9.]+ \(\w+\)$/m,
		'and once at the end');
	cmp_ok($elapsed, '<', 8 + 15, sprintf('an 8-second budget returns in %.1f s', $elapsed));
	note "search stopped by: $out";
}

# cancel stops a long training within a second
my $train_long = q{SELECT * FROM automl.train('long', 'big', 'y', 'regression', 'gradient_boosting',
	options => '{"hyperparams": {"n_estimators": 100000}}')};
my $c = $node->background_psql('postgres', on_error_stop => 0);
$c->{stdin} .= "$train_long;\n";
$c->{run}->pump_nb();
$node->poll_query_until('postgres', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	 WHERE query LIKE '%automl.train(''long''%' AND state = 'active' AND backend_type = 'client backend'})
  or die 'the training never started';
usleep(300_000);
my $start = time();
$node->safe_psql('postgres', q{
	SELECT pg_cancel_backend(pid) FROM pg_stat_activity
	 WHERE query LIKE '%automl.train(''long''%' AND state = 'active' AND backend_type = 'client backend'});
$node->poll_query_until('postgres', q{
	SELECT count(*) = 0 FROM pg_stat_activity
	 WHERE query LIKE '%automl.train(''long''%' AND state = 'active' AND backend_type = 'client backend'})
  or die 'the training did not stop';
my $elapsed = time() - $start;
ok($elapsed < 1.0, sprintf('cancel stops training within a second (%.0f ms)', 1000 * $elapsed));
$c->quit;

# kill -9 of a training backend: the server restarts, no model is half-written
my $d = $node->background_psql('postgres', on_error_stop => 0);
$d->{stdin} .= "$train_long;\n";
$d->{run}->pump_nb();
$node->poll_query_until('postgres', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	 WHERE query LIKE '%automl.train(''long''%' AND state = 'active' AND backend_type = 'client backend'})
  or die 'the training never started';
my $pid = $node->safe_psql('postgres', q{
	SELECT pid FROM pg_stat_activity
	 WHERE query LIKE '%automl.train(''long''%' AND state = 'active' AND backend_type = 'client backend'});
my $log_offset = -s $node->logfile;
kill 'KILL', $pid;
eval { $d->quit };
# until the postmaster has noticed and restarted
$node->wait_for_log(qr/database system is ready to accept connections/, $log_offset);
$node->poll_query_until('postgres', 'SELECT true') or die 'the server did not come back';
is($node->safe_psql('postgres', q{SELECT count(*) FROM automl.models WHERE model_name = 'long'}),
	'0', 'no half-written model after a crash during training');
is($node->safe_psql('postgres', q{SELECT string_agg(model_name || ' v' || version, ', ' ORDER BY model_name) FROM automl.models}),
	'mixed v1, searched v1', 'the registry is intact: the models stored before the crash');

$node->stop;
done_testing();
