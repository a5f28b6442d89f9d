# Chaos: kill -9 of a backend in the middle of a training and in the middle
# of an import, an immediate shutdown while a job trains and a session
# imports, then a clean restart.  After each: the server comes back, the
# committed models are all there and every one of them decodes and
# predicts, no model exists half-made (none of the killed work), at most one
# version per name is deployed, no job stays 'running', and the imports
# left no table rows and no automl.datasets record.
use strict;
use warnings;

use File::Spec;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('chaos');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'automl'
restart_after_crash = on
});
$node->start;

my $dir = File::Spec->rel2abs($node->basedir);
my $csv = "$dir/rows.csv";
open(my $fh, '>', $csv) or die "$csv: $!";
print $fh "id,x,note\n";
printf $fh "%d,%.3f,%s\n", $_, $_ / 3, 'n' x 40 for 1 .. 3000;
close $fh;

$node->safe_psql('postgres', q{
CREATE EXTENSION automl;
CREATE TABLE base AS SELECT i, (i % 7)::float8 AS x, (i % 5)::float8 AS z, (i % 3 = 0) AS y
  FROM generate_series(1, 3000) i;
-- a training of "slow" takes seconds: its scan sleeps a little per row
CREATE VIEW slow AS SELECT i, x, z, y FROM base, LATERAL (SELECT pg_sleep(0.002 + 0 * i)) s;
-- an import into "sink" takes seconds: a trigger sleeps a little per row
CREATE TABLE sink (id int, x numeric, note text);
CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN PERFORM pg_sleep(0.002); RETURN NEW; END $$;
CREATE TRIGGER slow_down BEFORE INSERT ON sink FOR EACH ROW EXECUTE FUNCTION slow_down();
});
# committed models that must survive everything
$node->safe_psql('postgres', qq{
SELECT automl.train('keep_$_', 'base', 'y', algorithm => 'logistic_regression', options => '{"exclude": ["i"]}')
} ) for 1 .. 3;
$node->safe_psql('postgres', q{SELECT automl.import_csv('kept_import', E'a,b\n1,2\n')});

sub sql { return $node->safe_psql('postgres', $_[0]); }

sub poll_until
{
	my ($query, $expected, $seconds) = @_;
	my $deadline = time() + $seconds;
	my ($ret, $out, $err);
	while (time() < $deadline)
	{
		($ret, $out, $err) = $node->psql('postgres', $query);
		return 1 if $ret == 0 && $out eq $expected;
		usleep(100_000);
	}
	diag "poll_until timed out: $query\nexpected: $expected\ngot: " . ($out // '') . "\nstderr: " . ($err // '');
	return 0;
}

# Starts $query in a background psql; returns the harness.
sub start_session
{
	my ($query) = @_;
	my ($out, $err) = ('', '');
	return IPC::Run::start([ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', $query ],
		'>', \$out, '2>', \$err);
}

# The pid of the backend running a query like $pattern, once it runs.
sub backend_of
{
	my ($pattern) = @_;
	poll_until(qq{SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE '$pattern' AND state = 'active'}, 't', 60)
	  or die "no backend runs $pattern";
	usleep(500_000);
	return sql(qq{SELECT pid FROM pg_stat_activity WHERE query LIKE '$pattern' AND state = 'active' LIMIT 1});
}

sub kill_and_wait
{
	my ($pid) = @_;
	my $offset = -s $node->logfile;
	kill 'KILL', $pid;
	$node->wait_for_log(qr/database system is ready to accept connections/, $offset);
	$node->poll_query_until('postgres', 'SELECT true') or die 'the server did not come back';
}

# The registry and the jobs are consistent; $when names the moment.
sub check_consistent
{
	my ($when) = @_;
	is(sql(q{SELECT string_agg(model_name, ',' ORDER BY model_name) FROM automl.models WHERE model_name LIKE 'keep\_%'}),
		'keep_1,keep_2,keep_3', "$when: the committed models are all there");
	is(sql(q{SELECT count(*) FROM automl.models m, LATERAL (SELECT * FROM base WHERE i = 1) b
			  WHERE automl.predict(m.model_id, b) IS NULL}), '0',
		"$when: every stored model decodes and predicts");
	is(sql(q{SELECT count(*) FROM automl.models WHERE model_name LIKE 'chaos%'}), '0',
		"$when: no model of the killed work exists");
	is(sql(q{SELECT count(*) FROM (SELECT model_name FROM automl.models WHERE deployed
			  GROUP BY model_name HAVING count(*) > 1) d}), '0', "$when: at most one deployed version per name");
	ok(poll_until(q{SELECT count(*) FROM automl.jobs WHERE status IN ('running', 'queued')}, '0', 60),
		"$when: no job is left running or queued");
	is(sql('SELECT count(*) FROM sink'), '0', "$when: the killed import left no rows");
	is(sql(q{SELECT string_agg("table", ',') FROM automl.datasets}), 'public.kept_import',
		"$when: automl.datasets holds the committed import only");
	is(sql('SELECT count(*) FROM kept_import'), '1', "$when: the committed import's table is intact");
}

# 1. kill -9 of a backend in the middle of automl.train
{
	my $h = start_session(q{SELECT automl.train('chaos_train', 'slow', 'y', algorithm => 'logistic_regression', options => '{"exclude": ["i"]}')});
	kill_and_wait(backend_of('SELECT automl.train(%chaos_train%'));
	$h->finish;
	check_consistent('after kill -9 mid-training');
}

# 2. kill -9 of a backend in the middle of an import
{
	my $h = start_session(qq{SELECT automl.import_csv_file('sink', '$csv', '{"create": false}')});
	kill_and_wait(backend_of('SELECT automl.import_csv_file(%'));
	$h->finish;
	check_consistent('after kill -9 mid-import');
}

# 3. an immediate shutdown while a job trains and a session imports
{
	my $job = sql(q{SELECT automl.train_async('chaos_job', 'slow', 'y', algorithm => 'logistic_regression', options => '{"exclude": ["i"]}')});
	poll_until("SELECT status FROM automl.jobs WHERE job_id = $job", 'running', 60) or die 'the job never ran';
	my $h = start_session(qq{SELECT automl.import_csv_file('sink', '$csv', '{"create": false}')});
	backend_of('SELECT automl.import_csv_file(%');
	$node->stop('immediate');
	$h->finish;
	$node->start;
	ok(poll_until("SELECT status FROM automl.jobs WHERE job_id = $job", 'failed', 60),
		'after an immediate shutdown the training job failed');
	check_consistent('after an immediate shutdown');
}

# 4. a clean restart
{
	$node->restart;
	check_consistent('after a restart');
	# and the server still works: a new model and a new import
	sql(q{SELECT automl.train('after_all', 'base', 'y', algorithm => 'logistic_regression', options => '{"exclude": ["i"]}')});
	is(sql(q{SELECT deployed FROM automl.models WHERE model_name = 'after_all'}), 't', 'training works after it all');
}

$node->stop;
done_testing();
