# automl.profile across sessions: cancel and statement_timeout stop a long
# profile within a second (serial and parallel), concurrent profiles of one
# table both land, get_profile is an index look-up, and a backend crash
# during a profile leaves the stored profiles intact.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('profile');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 8
max_parallel_workers = 4
shared_buffers = 256MB
restart_after_crash = on
});
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION automl;
CREATE TABLE big AS
SELECT i AS id, (i::int8 * 7919 % 100003) / 7.0 AS x, md5(i::text) AS t,
	   i % 3 = 0 AS flag, timestamptz '2026-01-01' + i * interval '1 second' AS at
  FROM generate_series(1, 3000000) AS i;
ANALYZE big;
CREATE TABLE small AS SELECT i AS id, 'v' || (i % 10) AS v FROM generate_series(1, 1000) AS i;
});

# The pid of the backend running automl.profile, once it is running.
sub profile_pid
{
	my $pid;
	$node->poll_query_until('postgres', q{
		SELECT count(*) = 1 FROM pg_stat_activity
		 WHERE query LIKE 'SELECT automl.profile(%' AND state = 'active'
		   AND backend_type = 'client backend'})
	  or die "the profile never started";
	$pid = $node->safe_psql('postgres', q{
		SELECT pid FROM pg_stat_activity
		 WHERE query LIKE 'SELECT automl.profile(%' AND state = 'active'
		   AND backend_type = 'client backend'});
	return $pid;
}

# Seconds from now until backend $pid is no longer active.
sub seconds_until_idle
{
	my ($pid, $start) = @_;
	for (my $i = 0; $i < 3000; $i++)
	{
		my $state = $node->safe_psql('postgres',
			"SELECT coalesce((SELECT state FROM pg_stat_activity WHERE pid = $pid), 'gone')");
		return time() - $start if $state ne 'active';
		usleep(5_000);
	}
	return 999;
}

# Cancel a running profile with pg_cancel_backend and time how long it takes
# to stop; $workers is max_parallel_workers_per_gather for the session.
sub cancel_profile
{
	my ($workers) = @_;
	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	$bg->query_safe("SET max_parallel_workers_per_gather = $workers");
	$bg->query_safe("SET parallel_setup_cost = 0");
	$bg->{stdin} .= "SELECT automl.profile('big', '{\"exact\": true}');\n";
	$bg->{run}->pump_nb();
	my $pid = profile_pid();
	usleep(300_000);			# well inside the scan
	my $start = time();
	$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
	my $elapsed = seconds_until_idle($pid, $start);
	my ($out, $ret) = $bg->query('SELECT 1');
	like($bg->{stderr}, qr/canceling statement due to user request/,
		"workers=$workers: the profile reports the cancel");
	cmp_ok($elapsed, '<', 1.0,
		"workers=$workers: cancel stops the profile within a second");
	note sprintf("workers=%d: stopped %.3f s after pg_cancel_backend", $workers, $elapsed);
	$bg->quit;
}

cancel_profile(0);
cancel_profile(2);
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'parallel worker'}),
	'0', 'no parallel worker outlives the cancel');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM automl.profiles WHERE relation = 'big'::regclass"),
	'0', 'a cancelled profile stores nothing');

# statement_timeout is a cancel too
my $start = time();
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	"SET statement_timeout = '300ms'; SELECT automl.profile('big', '{\"exact\": true}')");
my $elapsed = time() - $start;
like($stderr, qr/canceling statement due to statement timeout/,
	'statement_timeout stops a profile');
cmp_ok($elapsed, '<', 1.3, 'statement_timeout of 300 ms is honoured within a second');

# two sessions profiling one table at once: both runs are stored
my $a = $node->background_psql('postgres');
my $b = $node->background_psql('postgres');
$a->{stdin} .= "SELECT automl.profile('small')->'row_count';\n";
$b->{stdin} .= "SELECT automl.profile('small')->'row_count';\n";
$a->{run}->pump_nb();
$b->{run}->pump_nb();
$a->query_safe('SELECT 1');
$b->query_safe('SELECT 1');
$a->quit;
$b->quit;
is($node->safe_psql('postgres',
	"SELECT count(*) FROM automl.profiles WHERE relation = 'small'::regclass"),
	'2', 'concurrent profiles of one table are both stored');
is($node->safe_psql('postgres', "SELECT automl.get_profile('small')->'row_count'"),
	'1000', 'get_profile returns the newest of them');

# get_profile is an index look-up even with many stored profiles
$node->safe_psql('postgres', q{
INSERT INTO automl.profiles (relation, profiled_at, profile)
SELECT 'small'::regclass, now() - i * interval '1 minute', '{"row_count": 0}'
  FROM generate_series(1, 50000) AS i;
ANALYZE automl.profiles;
});
# the plan of the query inside get_profile, as auto_explain logs it
my $log_offset = -s $node->logfile;
$node->safe_psql('postgres', q{
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SELECT automl.get_profile('small');
});
ok($node->log_contains(qr/Index Scan using profiles_relation_newest/, $log_offset),
	'get_profile reads the newest profile through the index');
my $t0 = time();
$node->safe_psql('postgres', "SELECT automl.get_profile('small')") for 1 .. 20;
note sprintf("get_profile with 50,000 stored profiles: %.1f ms per call (psql included)",
	(time() - $t0) * 1000 / 20);

# a backend killed mid-profile: the server restarts, stored profiles survive
my $victim = $node->background_psql('postgres', on_error_stop => 0);
$victim->{stdin} .= "SELECT automl.profile('big', '{\"exact\": true}');\n";
$victim->{run}->pump_nb();
my $pid = profile_pid();
my $log_offset = -s $node->logfile;
kill 'KILL', $pid;
# until the postmaster has noticed and restarted (a query right after the
# kill may still reach the old processes)
$node->wait_for_log(qr/database system is ready to accept connections/, $log_offset);
$node->poll_query_until('postgres', 'SELECT true') or die "server did not come back";
eval { $victim->quit; };
is($node->safe_psql('postgres', "SELECT automl.get_profile('small')->'row_count'"),
	'1000', 'profiles committed before the crash survive it');
is($node->safe_psql('postgres', "SELECT automl.profile('small')->'row_count'"),
	'1000', 'profiling works again after the restart');

$node->stop;
done_testing();
