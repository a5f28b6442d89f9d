# Bad input across the SQL surface with automl preloaded (issue 8): the
# heaviest calls of sql/robustness.sql (embedded below: test/run copies
# test/t alone to a temporary directory), and the whole file when the
# repository is reachable (run from a checkout, or AUTOML_ROOT set); the
# background job functions with bad input, whose jobs must end failed with
# an error, never stay queued or running; every model automl stored must
# decode again; the server stays up and its log shows no crashed backend;
# an import of an endless file and its job must honour statement_timeout
# and cancel_job.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use IPC::Run;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('robustness');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'automl'
automl.max_workers = 2
automl.max_jobs_per_role = 1000
restart_after_crash = on
});
$node->start;

# The harness: rob.try runs one call in a subtransaction and records 'ok'
# or its SQLSTATE (as sql/robustness.sql does).
my $harness = q{
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS automl;
CREATE SCHEMA rob;
CREATE TABLE rob.outcome (call text, outcome text);
CREATE PROCEDURE rob.try(call text) LANGUAGE plpgsql AS $$
DECLARE
	state text;
BEGIN
	BEGIN
		EXECUTE call;
		state := 'ok';
	EXCEPTION
		WHEN query_canceled THEN
			state := '57014';
		WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
	END;
	INSERT INTO rob.outcome VALUES (call, state);
END $$;
};

# Fixtures: NaN, infinities and 1e308; a 1,600-column table; all NULL;
# empty; huge numerics; 1 MB texts; a dropped column.
my $fixtures = q{
CREATE TABLE rob.good AS
SELECT i AS id, (i % 10)::float8 AS x, (i % 7)::float8 AS z, 'c' || (i % 3) AS cat,
	   (i % 2 = 0) AS flag, date '2024-01-01' + i AS d,
	   (i % 10) * 2.0 + (i % 7)::float8 AS y, CASE WHEN i % 10 < 5 THEN 'lo' ELSE 'hi' END AS label
  FROM generate_series(1, 200) i;
CREATE TABLE rob.empty (LIKE rob.good);
CREATE TABLE rob.all_null AS SELECT (NULL::rob.good).* FROM generate_series(1, 50);
CREATE TABLE rob.special AS
SELECT i AS id,
	   (ARRAY['NaN', 'Infinity', '-Infinity', '1e308', '-1e308', '0', '1', '2', '3', '4'])[i % 10 + 1]::float8 AS x,
	   (i % 7)::float8 AS z, 'c' || (i % 3) AS cat, (i % 2 = 0) AS flag,
	   CASE i % 17 WHEN 0 THEN date 'infinity' WHEN 1 THEN date '-infinity' ELSE date '2024-01-01' + i END AS d,
	   CASE WHEN i % 11 = 0 THEN 'NaN'::float8 WHEN i % 13 = 0 THEN 'Infinity'::float8 ELSE (i % 5)::float8 END AS y,
	   CASE WHEN i % 10 < 5 THEN 'lo' ELSE 'hi' END AS label,
	   CASE i WHEN 50 THEN timestamptz 'infinity' ELSE timestamptz '2024-01-01 00:00+00' + i * interval '1 day' END AS t
  FROM generate_series(1, 100) i;
CREATE TABLE rob.huge_num AS
SELECT i AS id, CASE i % 4 WHEN 0 THEN 1e1000::numeric WHEN 1 THEN 'NaN'::numeric
						  WHEN 2 THEN 'Infinity'::numeric ELSE i END AS n, date '2024-01-01' + i AS t
  FROM generate_series(1, 40) i;
CREATE TABLE rob.huge_text AS SELECT i AS id, repeat(chr(97 + i), 1024 * 1024) AS t, i::float8 AS y FROM generate_series(1, 4) i;
DO $$
BEGIN
	EXECUTE 'CREATE TABLE rob.wide (' ||
		(SELECT string_agg(format('c%s real', i), ', ' ORDER BY i) FROM generate_series(1, 1600) i) || ')';
	EXECUTE 'INSERT INTO rob.wide SELECT ' ||
		(SELECT string_agg(format('((r * %s) %% 17)::real', i), ', ' ORDER BY i) FROM generate_series(1, 1600) i) ||
		' FROM generate_series(1, 30) r';
END $$;
CREATE TABLE rob.dropped AS SELECT date '2024-01-01' + i AS d, i::text AS gone, (i % 4)::float8 AS y FROM generate_series(1, 50) i;
ALTER TABLE rob.dropped DROP COLUMN gone;
SELECT count(*) FROM automl.train('rob_num', 'rob.good', 'y', 'regression', 'ridge', '2 s',
								  '{"exclude": ["id", "label", "cat", "d"]}');
SELECT count(*) FROM automl.train('rob_cls', 'rob.good', 'label', 'classification', 'gradient_boosting', '2 s',
								  '{"exclude": ["id", "y"], "hyperparams": {"n_estimators": 5}}');
SELECT automl.train_detector('rob_det', 'rob.good', ARRAY['x', 'z']) > 0;
};

# The heaviest calls of sql/robustness.sql, and those that found bugs.
my @calls = (
	q{SELECT automl.profile('rob.wide')},
	q{SELECT automl.profile('rob.special', '{"exact": true}')},
	q{SELECT automl.profile('rob.huge_num')},
	q{SELECT automl.profile('rob.huge_text')},
	q{SELECT automl.profile('rob.all_null')},
	q{SELECT automl.profile('rob.empty')},
	q{SELECT automl.profile('rob.good', '{"top_values": 1e308}')},
	q{SELECT automl.profile_report('rob.wide')},
	q{SELECT automl.profile_agg(r) FROM rob.special r},
	q{SELECT automl.profile_agg(r) FROM rob.wide r},
	q{SELECT automl.profile_columns('rob.good', '{}', x) FROM rob.good},
	q{SELECT * FROM automl.train('rob_t', 'rob.wide', 'c1600', 'auto', 'auto', '2 s')},
	q{SELECT * FROM automl.train('rob_t', 'rob.special', 'y', 'regression', 'knn', '2 s')},
	q{SELECT * FROM automl.train('rob_t', 'rob.special', 'label', 'classification', 'gradient_boosting', '2 s')},
	q{SELECT * FROM automl.train('rob_t', 'rob.special', 'label', 'auto', 'auto', '2 s', '{"metric": "roc_auc"}')},
	q{SELECT * FROM automl.train('rob_t', 'rob.all_null', 'y', 'auto', 'auto', '2 s')},
	q{SELECT * FROM automl.train('rob_t', 'rob.empty', 'y', 'auto', 'auto', '2 s')},
	q{SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'regression', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": 100000}}')},
	q{SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'regression', 'ridge', '-1 s')},
	q{SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'regression', 'ridge', '100 years', '[]')},
	q{SELECT * FROM automl.train('rob_t', 0, 'y', 'auto', 'ridge', '2 s')},
	q{SELECT automl.predict('rob_num', r) FROM rob.special r},
	q{SELECT automl.predict('rob_num', ARRAY['NaN', 'Infinity', '-Infinity']::float8[])},
	q{SELECT automl.predict('rob_num', ARRAY[1e308, -1e308, 1e308]::float8[])},
	q{SELECT automl.predict('rob_num', '{"x": 1e1000, "z": "NaN", "flag": null}'::jsonb)},
	q{SELECT automl.predict('rob_num', array_fill(1::float8, ARRAY[100000]))},
	q{SELECT automl.predict_proba('rob_cls', r) FROM rob.special r},
	q{SELECT automl.explain('rob_cls', r) FROM rob.special r},
	q{SELECT automl.anomaly_explanation('rob_det', r) FROM rob.special r},
	q{SELECT automl.is_anomaly('rob_det', ARRAY['NaN', 'Infinity']::float8[])},
	q{SELECT automl.evaluate('rob_cls', 'rob.special')},
	q{SELECT automl.drift('rob_num', 'rob.special')},
	q{SELECT automl.drift('rob_num', 0)},
	q{SELECT automl.evaluate('rob_num', 0)},
	q{SELECT automl.import_model('rob_imp', 'garbage')},
	q{SELECT automl.import_model('rob_imp', decode(repeat('00', 1048576), 'hex'))},
	q{SELECT automl.import_model('rob_imp', substr(automl.export_model('rob_cls'), 1, 100))},
	q{SELECT automl.detect_anomalies('rob.wide')},
	q{SELECT automl.detect_anomalies('rob.special', ARRAY['x', 'z'], 'mahalanobis')},
	q{SELECT automl.detect_anomalies('rob.special', ARRAY['z'], 'seasonal', '{"time_column": "t"}')},
	q{SELECT automl.detect_anomalies(0)},
	q{SELECT automl.train_detector('rob_d', 'rob.wide', (SELECT array_agg('c' || i) FROM generate_series(1, 1600) i))},
	q{SELECT automl.train_detector('rob_d', 'rob.special', ARRAY['x', 'y'], 'isolation_forest')},
	q{SELECT automl.train_detector('rob_d', 0, ARRAY['x'])},
	q{SELECT automl.forecast('rob.special', 't', 'z', 3)},
	q{SELECT automl.forecast('rob.good', 'd', 'y', 100000)},
	q{SELECT automl.forecast('rob.good', 'd', 'y', 3, '{"frequency": "1 microsecond"}')},
	q{SELECT automl.forecast(0, 'd', 'y', 3)},
	q{SELECT automl.insights('rob.special')},
	q{SELECT automl.insights('rob.wide')},
	q{SELECT automl.insights('rob.dropped')},
	q{SELECT automl.insights(0)},
	q{SELECT automl.import_csv('rob.i1', (SELECT string_agg('c' || i, ',') FROM generate_series(1, 1601) i) || E'\n' || repeat('1,', 1600) || '1')},
	q{SELECT automl.import_csv('rob.i2', E'x\n"' || repeat('y', 1048576) || '"')},
	q{SELECT automl.import_csv('rob.i3', chr(1) || chr(2), '{"delimiter": "ab"}')},
	q{SELECT automl.import_json('rob.i4', repeat('[', 1001) || repeat(']', 1001))},
	q{SELECT automl.import_json('rob.i5', '[' || repeat('{"a": 1}, ', 50000) || '{"a": 2}]', '{"flatten": true}')},
	q{SELECT automl.import_csv_file('rob.i6', '/dev/null')},
	q{SELECT automl.import_json_file('rob.i7', '/')},
	q{SELECT automl.import_csv_file('rob.i8', repeat('/x', 3000))});

# Outcomes in database $db that are not 'ok' or a proper SQLSTATE (an
# XX000 internal_error is never one for user input), as lines for diag.
sub bad_outcomes
{
	my ($db) = @_;
	return $node->safe_psql($db, q{
SELECT left(call, 200) || ' => ' || outcome FROM rob.outcome
 WHERE outcome !~ '^(ok|[0-9A-Z]{5})$' OR outcome = 'XX000' ORDER BY call COLLATE "C"});
}

sub outcome_counts
{
	my ($db) = @_;
	return $node->safe_psql($db,
		q{SELECT string_agg(outcome || ': ' || n, ', ' ORDER BY outcome)
			FROM (SELECT outcome, count(*) AS n FROM rob.outcome GROUP BY outcome) s});
}

# Lines of the server log (from byte $from) that tell of a crashed backend;
# SIGKILLs listed in @$killed (pids this test sent) are not crashes.
sub crash_lines
{
	my ($from, $killed) = @_;
	my $log = slurp_file($node->logfile, $from);
	my @lines = grep { /terminated by signal|server process .* was terminated/ } split /\n/, $log;
	my %ours = map { $_ => 1 } @{ $killed // [] };
	return grep { !(/\(PID (\d+)\) was terminated by signal 9/ && $ours{$1}) } @lines;
}

# Polls $query until it prints $expected, at most $seconds; true if it did.
sub poll_until
{
	my ($db, $query, $expected, $seconds) = @_;
	my $deadline = time() + $seconds;
	while (time() < $deadline)
	{
		my ($ret, $out) = $node->psql($db, $query);
		return 1 if $ret == 0 && $out eq $expected;
		usleep(100_000);
	}
	return 0;
}

# ---------------------------------------------------------------------
# 1. The embedded calls
# ---------------------------------------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE rob');
$node->safe_psql('rob', $harness . $fixtures);
my $script = "SET statement_timeout = '60s';\n";
for my $call (@calls)
{
	(my $quoted = $call) =~ s/'/''/g;
	$script .= "CALL rob.try('$quoted');\n";
}
$node->psql('rob', $script, on_error_stop => 0);
is($node->safe_psql('rob', 'SELECT count(*) FROM rob.outcome'), scalar(@calls), 'every embedded call recorded an outcome');
note 'embedded outcomes: ' . outcome_counts('rob');
my $bad = bad_outcomes('rob');
is($bad, '', 'embedded calls: a result or a proper SQLSTATE, never XX000');
diag $bad if $bad ne '';

# ---------------------------------------------------------------------
# 2. The whole of sql/robustness.sql, when the repository is reachable
# ---------------------------------------------------------------------
my ($file) = grep { -r $_ } (
	(defined $ENV{AUTOML_ROOT} ? ("$ENV{AUTOML_ROOT}/sql/robustness.sql") : ()),
	dirname(abs_path(__FILE__)) . '/../../sql/robustness.sql');
SKIP:
{
	skip 'sql/robustness.sql is not reachable from here (set AUTOML_ROOT)', 3 unless defined $file;
	my $sql = slurp_file($file);
	# keep the outcomes: leave out the clean-up at the end of the file
	$sql =~ s/^-- the server is still up.*//ms;
	$node->safe_psql('postgres', 'CREATE DATABASE rob_full');
	my ($ret, $out, $err) = $node->psql('rob_full', $sql, on_error_stop => 0, timeout => 600);
	like($node->safe_psql('rob_full', 'SELECT count(*) FROM rob.outcome'), qr/^[1-9][0-9]{2,}$/,
		'sql/robustness.sql ran through');
	note 'sql/robustness.sql outcomes: ' . outcome_counts('rob_full');
	my $bad_full = bad_outcomes('rob_full');
	is($bad_full, '', 'sql/robustness.sql: a result or a proper SQLSTATE, never XX000');
	diag $bad_full if $bad_full ne '';
	is($node->safe_psql('rob_full', 'SELECT 1'), '1', 'the server is up after sql/robustness.sql');
}

# ---------------------------------------------------------------------
# 3. Background jobs with bad input: refused at once with a proper
# SQLSTATE, or queued and then failed with an error
# ---------------------------------------------------------------------
my @async = (
	q{SELECT automl.train_async(NULL, 'rob.good', 'y')},
	q{SELECT automl.train_async('rob_a', NULL, 'y')},
	q{SELECT automl.train_async('rob_a', 'rob.good', NULL)},
	q{SELECT automl.train_async('rob_a', 'rob.good', 'y', NULL, NULL, NULL, NULL)},
	q{SELECT automl.train_async('rob_a', 'rob.good', 'nope')},
	q{SELECT automl.train_async('rob_a', 'rob.good', 'y', 'clustering')},
	q{SELECT automl.train_async('rob_a', 'rob.good', 'y', 'regression', 'nope')},
	q{SELECT automl.train_async('rob_a', 'rob.good', 'y', time_budget => '-1 s')},
	q{SELECT automl.train_async('rob_a', 'rob.good', 'y', options => '[]')},
	q{SELECT automl.train_async('rob_a', 'rob.good', 'y', options => '{"k": null}')},
	q{SELECT automl.train_async('rob_a', 'rob.empty', 'y')},
	q{SELECT automl.train_async('rob_a', 'rob.all_null', 'y')},
	q{SELECT automl.train_async('rob_a', 'rob.special', 'label', time_budget => '100 years')},
	q{SELECT automl.train_async('rob_a', 'rob.wide', 'c1', 'regression', 'ridge', '2 s')},
	q{SELECT automl.train_async('rob_a', 0, 'y')},
	q{SELECT automl.train_async('', 'rob.good', 'y')},
	q{SELECT automl.profile_async(NULL)},
	q{SELECT automl.profile_async(0)},
	q{SELECT automl.profile_async('rob.wide')},
	q{SELECT automl.profile_async('rob.special', '"x"')},
	q{SELECT automl.profile_async('rob.good', '{"top_values": -1}')},
	q{SELECT automl.import_async(NULL, 'rob.j1', '/dev/null')},
	q{SELECT automl.import_async('csv', NULL, '/dev/null')},
	q{SELECT automl.import_async('csv', 'rob.j1', NULL)},
	q{SELECT automl.import_async('xml', 'rob.j1', '/dev/null')},
	q{SELECT automl.import_async('csv', 'rob.j2', '/dev/null')},
	q{SELECT automl.import_async('json', 'rob.j3', '/nonexistent/file.json')},
	q{SELECT automl.import_async('ndjson', 'rob.j4', '/')},
	q{SELECT automl.import_async('csv', 'rob.j5', 'PG_VERSION', '[]')},
	q{SELECT automl.import_async('csv', '', 'PG_VERSION')},
	q{SELECT automl.import_async('csv', 'rob.good', 'PG_VERSION')},
	q{SELECT automl._job_submit('train', '[]')},
	q{SELECT automl._job_submit('profile', '{"relation": "rob.nope", "relation_oid": 0}')},
	q{SELECT automl._job_submit('import', '{"format": 1, "path": null}')},
	q{SELECT automl._job_submit(NULL, NULL)},
	q{INSERT INTO automl.jobs (kind, args) VALUES ('train', '"garbage"')},
	q{INSERT INTO automl.jobs (kind, args) VALUES ('profile', '{}')},
	q{INSERT INTO automl.jobs (kind, args) VALUES ('import', '{"format": "csv", "table_name": "rob.j6", "path": "/dev/null", "options": []}')},
	q{SELECT automl.wait_job(NULL)},
	q{SELECT automl.wait_job(-1, '-1 s')},
	q{SELECT automl.cancel_job(NULL)},
	q{SELECT automl.cancel_job(-1)},
	q{SELECT automl._job_stop(-1, 'nope')});
$script = '';
for my $call (@async)
{
	(my $quoted = $call) =~ s/'/''/g;
	# each its own transaction: a queued job starts when it commits
	$script .= "CALL rob.try('$quoted');\n";
}
$node->psql('rob', $script, on_error_stop => 0);
my $bad_async = $node->safe_psql('rob', q{
SELECT call || ' => ' || outcome FROM rob.outcome
 WHERE (call LIKE '%async%' OR call LIKE '%job%') AND (outcome !~ '^(ok|[0-9A-Z]{5})$' OR outcome = 'XX000')});
is($bad_async, '', 'the job functions refuse bad input with a proper SQLSTATE');
diag $bad_async if $bad_async ne '';
note 'job submission outcomes: ' . $node->safe_psql('rob', q{
SELECT string_agg(outcome || ': ' || n, ', ' ORDER BY outcome)
  FROM (SELECT outcome, count(*) AS n FROM rob.outcome
		 WHERE call LIKE '%async%' OR call LIKE '%job%' GROUP BY outcome) s});

# every job ends (here and those sql/robustness.sql queued); a failed one
# says why
for my $db ('rob', (defined $file ? ('rob_full') : ()))
{
	ok(poll_until($db, q{SELECT count(*) FROM automl.jobs WHERE status IN ('queued', 'running')}, '0', 180),
		"$db: every job ended (none queued or running)")
	  or diag $node->safe_psql($db, q{SELECT job_id, kind, status, args FROM automl.jobs WHERE status IN ('queued', 'running')});
	is($node->safe_psql($db, q{SELECT count(*) FROM automl.jobs WHERE status = 'failed' AND coalesce(error, '') = ''}),
		'0', "$db: every failed job has an error");
	is($node->safe_psql($db, q{SELECT count(*) FROM automl.jobs WHERE error ILIKE '%internal error%' OR error ILIKE '%cache lookup failed%'
								   OR error ILIKE '%could not open relation with OID%'}),
		'0', "$db: no job failed with an internal error");
	note "$db jobs:\n" . $node->safe_psql($db, q{
SELECT string_agg(kind || ' ' || status || coalesce(': ' || left(error, 100), ''), E'\n' ORDER BY job_id) FROM automl.jobs});
}
cmp_ok($node->safe_psql('rob', q{SELECT count(*) FROM automl.jobs WHERE status = 'failed'}), '>=', 5,
	'the jobs of bad input failed');

# ---------------------------------------------------------------------
# 4. Every model version automl stored decodes again (import_model
# rebuilds it from its image)
# ---------------------------------------------------------------------
for my $db ('rob', (defined $file ? ('rob_full') : ()))
{
	$node->safe_psql($db, q{
DO $$
DECLARE
	m record;
BEGIN
	FOR m IN SELECT model_name, version FROM automl.models WHERE model_name NOT LIKE 'rob_reimport%' ORDER BY model_id LOOP
		CALL rob.try(format('SELECT automl.import_model(''rob_reimport'', model) FROM automl.models WHERE model_name = %L AND version = %s /* reimport */',
							m.model_name, m.version));
	END LOOP;
END $$});
	my $undecodable = $node->safe_psql($db, q{
SELECT call || ' => ' || outcome FROM rob.outcome WHERE call LIKE '%/* reimport */' AND outcome <> 'ok'});
	is($undecodable, '', "$db: every stored model decodes");
	diag $undecodable if $undecodable ne '';
}

# ---------------------------------------------------------------------
# 4b. The same call gives the same answer whatever the session did before:
# mahalanobis on rows whose covariance overflows (two columns of +-1e308),
# first in a new session, then after a failed fit on 1,600 columns
# ---------------------------------------------------------------------
$node->safe_psql('rob', q{CREATE TABLE rob.overflow AS SELECT (-1e308)::float8 AS x, 1e308::float8 AS y FROM generate_series(1, 8)});
$node->psql('rob', q{
CALL rob.try($$SELECT count(*) FROM automl.detect_anomalies('rob.overflow', NULL, 'mahalanobis') /* first */$$);
CALL rob.try($$SELECT count(*) FROM automl.detect_anomalies('rob.wide', NULL, 'mahalanobis') /* between */$$);
CALL rob.try($$SELECT count(*) FROM automl.detect_anomalies('rob.overflow', NULL, 'mahalanobis') /* again */$$);
});
my $first = $node->safe_psql('rob', q{SELECT outcome FROM rob.outcome WHERE call LIKE '%/* first */'});
my $again = $node->safe_psql('rob', q{SELECT outcome FROM rob.outcome WHERE call LIKE '%/* again */'});
is($again, $first, 'detect_anomalies(mahalanobis) on overflowing data does not depend on what ran before');

# ---------------------------------------------------------------------
# 5. The server is up; no backend crashed
# ---------------------------------------------------------------------
is($node->safe_psql('rob', 'SELECT 1'), '1', 'the server is still up');
my @crashes = crash_lines(0);
is(scalar(@crashes), 0, 'the server log shows no crashed backend');
diag join("\n", @crashes) if @crashes;
my $log_size = -s $node->logfile;
my @killed;

# ---------------------------------------------------------------------
# 6. An endless file (/dev/zero: no newline, ever): the import must honour
# statement_timeout, and its job cancel_job; a backend that does not is
# killed so that the test goes on
# ---------------------------------------------------------------------
# Runs $query in the background (application_name $app); true if its
# backend is gone within $seconds, else SIGKILLs it and returns false.
sub ends_within
{
	my ($query, $app, $seconds) = @_;
	my ($stdout, $stderr) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('rob') . " application_name=$app", '-c', $query ],
		'>', \$stdout, '2>', \$stderr);
	poll_until('rob', "SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = '$app'", 't', 10);
	my $ended = poll_until('rob', "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app'", '0', $seconds);
	if (!$ended)
	{
		my $pid = $node->safe_psql('rob', "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'");
		if ($pid =~ /^\d+$/)
		{
			push @killed, $pid;
			kill 'KILL', $pid;
		}
	}
	$h->finish;
	poll_until('rob', 'SELECT 1', '1', 60);
	note "$app: $stderr" if $stderr ne '';
	return $ended;
}

ok(ends_within(q{SET statement_timeout = '2s'; SELECT automl.import_csv_file('rob.zero_csv', '/dev/zero')}, 'rob_zero_csv', 30),
	'import_csv_file of an endless file honours statement_timeout');
ok(ends_within(q{SET statement_timeout = '2s'; SELECT automl.import_json_file('rob.zero_json', '/dev/zero')}, 'rob_zero_json', 30),
	'import_json_file of an endless file honours statement_timeout');

my $job = $node->safe_psql('rob', q{SELECT automl.import_async('csv', 'rob.zero_job', '/dev/zero')});
poll_until('rob', "SELECT status FROM automl.jobs WHERE job_id = $job", 'running', 30);
$node->safe_psql('rob', "SELECT automl.cancel_job($job)");
my $ended = poll_until('rob', "SELECT status IN ('cancelled', 'failed') FROM automl.jobs WHERE job_id = $job", 't', 30);
ok($ended, 'cancel_job stops the import job of an endless file');
if (!$ended)
{
	my $pid = $node->safe_psql('rob', "SELECT worker_pid FROM automl.jobs WHERE job_id = $job");
	if ($pid =~ /^\d+$/)
	{
		push @killed, $pid;
		kill 'KILL', $pid;
	}
	ok(poll_until('rob', "SELECT status FROM automl.jobs WHERE job_id = $job", 'failed', 60),
		'the killed import job ends failed');
}

is($node->safe_psql('rob', 'SELECT 1'), '1', 'the server is up at the end');
@crashes = crash_lines($log_size, \@killed);
is(scalar(@crashes), 0, 'no backend crashed (but for those this test killed)');
diag join("\n", @crashes) if @crashes;

$node->stop;
done_testing();
