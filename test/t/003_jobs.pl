# Background jobs: train_async and profile_async return at once and their
# jobs run in background workers; many sessions submit at once; at most
# automl.max_workers jobs run, the rest start in job_id order; cancel of a
# queued and of a running job; the per-role limit; a job runs with the
# rights of the role that submitted it; wait_job's timeout and
# automl.max_training_time; NOTIFY on automl_jobs; kill -9 of a job worker
# and an immediate shutdown leave no job 'running' and no half-made model,
# and the queued jobs run after the restart.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('jobs');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'automl'
automl.max_workers = 2
restart_after_crash = on
});
$node->start;

# "slow" takes some seconds to scan (pg_sleep once a row: the LATERAL
# subquery refers to the row, so it is not evaluated only once), and
# training reads its relation once; the fit itself is fast.
$node->safe_psql('postgres', q{
CREATE EXTENSION automl;
CREATE TABLE base AS SELECT i, (i % 7)::float8 AS x, (i % 3 = 0) AS y FROM generate_series(1, 3000) i;
CREATE VIEW slow AS SELECT i, x, y FROM base, LATERAL (SELECT pg_sleep(0.002 + 0 * i)) s;
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
GRANT automl_analyst TO alice, bob;
GRANT SELECT ON base, slow TO bob;
CREATE TABLE secret AS SELECT * FROM base;
REVOKE ALL ON secret FROM PUBLIC;
CREATE TABLE alice_data AS SELECT * FROM base;
ALTER TABLE alice_data OWNER TO alice;
});

my $train_args = q{'y', algorithm => 'logistic_regression', options => '{"exclude": ["i"]}'};

# Runs $sql (as $user if given) and returns its output; dies on an error.
sub sql
{
	my ($query, $user) = @_;
	return $node->safe_psql('postgres', $query,
		defined $user ? (connstr => $node->connstr('postgres') . " user=$user") : ());
}

# Submits a training job of $rel under $name and returns its job_id.
sub submit
{
	my ($name, $rel, $user) = @_;
	return sql(qq{SELECT automl.train_async('$name', '$rel', $train_args)}, $user);
}

# Fields of job $id (an SQL list of expressions over automl.jobs).
sub job
{
	my ($id, $fields) = @_;
	return sql("SELECT $fields FROM automl.jobs WHERE job_id = $id");
}

# wait_job($id) and the given fields of the row it returns.
sub wait_job
{
	my ($id, $fields, $user) = @_;
	$fields //= 'status';
	return sql("SELECT $fields FROM automl.wait_job($id, '150 s')", $user);
}

# Polls $query until it prints $expected (errors, e.g. while the server
# restarts, only retry), at most $seconds; true if it did.
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
	diag "poll_until timed out: $query\nexpected: $expected\ngot: "
	  . ($out // '') . "\nstderr: " . ($err // '');
	return 0;
}

# Sets (or with undef resets) a GUC with ALTER SYSTEM and reloads; waits
# until new sessions see $shown, then a moment for the background workers.
sub set_guc
{
	my ($name, $value, $shown) = @_;
	sql(defined $value ? "ALTER SYSTEM SET $name = $value" : "ALTER SYSTEM RESET $name");
	$node->reload;
	poll_until("SHOW $name", $shown, 30) or die "$name never became $shown";
	usleep(500_000);
}

# Waits until no job is queued or running.
sub wait_idle
{
	poll_until(q{SELECT count(*) FROM automl.jobs WHERE status IN ('queued', 'running')}, '0', 150)
	  or die 'jobs are still queued or running';
}

sub models_named
{
	my ($name) = @_;
	return sql("SELECT count(*) FROM automl.models WHERE model_name = '$name'");
}

# ---------------------------------------------------------------------
# 1. train_async and profile_async return at once; wait_job gives the outcome
# ---------------------------------------------------------------------
{
	my $t0 = time();
	my $out = sql(qq{
		SELECT automl.train_async('fast1', 'base', $train_args) AS job_id \\gset
		SELECT :job_id, status FROM automl.jobs WHERE job_id = :job_id});
	my $elapsed = time() - $t0;
	my ($id, $status) = split /\|/, $out;
	like($id, qr/^\d+$/, 'train_async returns a job_id');
	cmp_ok($elapsed, '<', 1.0, sprintf('train_async returns at once (%.0f ms with psql)', 1000 * $elapsed));
	like($status, qr/^(queued|running)$/, "right after train_async the job is not finished yet ($status)");

	is(wait_job($id, q{status, progress, result->>'version', result->>'model_name'}),
		'succeeded|100|1|fast1', 'wait_job: the fast training succeeded, progress 100, version 1');
	is(job($id, q{result ?& array['model_id', 'model_name', 'version', 'task', 'algorithm', 'metrics', 'deployed']
				  AND result->>'task' = 'classification' AND result->>'algorithm' = 'logistic_regression'
				  AND kind = 'train' AND submitted_by = 'postgres' AND error IS NULL
				  AND submitted_at <= started_at AND started_at <= finished_at}),
		't', 'the job row: result is the row train returns, with the timestamps in order');
	is(sql(qq{SELECT count(*) FROM automl.models m, automl.jobs j
			   WHERE j.job_id = $id AND m.model_name = 'fast1' AND m.version = 1
				 AND m.model_id = (j.result->>'model_id')::bigint}),
		'1', 'automl.models has version 1 of fast1, the model_id of the result');

	# the job waits for the submitting transaction to commit
	$out = sql(q{
		BEGIN;
		SELECT automl.train_async('uncommitted', 'base', 'y', algorithm => 'logistic_regression') AS job_id \gset
		SELECT pg_sleep(1);
		SELECT status, started_at IS NULL FROM automl.jobs WHERE job_id = :job_id;
		ROLLBACK;
		SELECT count(*) FROM automl.jobs WHERE job_id = :job_id;});
	is($out, "\nqueued|t\n0", 'a job does not start before its transaction commits, and a rollback drops it');

	$t0 = time();
	my $pid = sql(q{SELECT automl.profile_async('base')});
	$elapsed = time() - $t0;
	cmp_ok($elapsed, '<', 1.0, sprintf('profile_async returns at once (%.0f ms with psql)', 1000 * $elapsed));
	is(wait_job($pid, q{status, progress, kind, jsonb_array_length(result->'columns')}),
		'succeeded|100|profile|3', 'wait_job: the profile job succeeded, its result is the profile');
	is(sql(q{SELECT count(*) FROM automl.profiles WHERE relation = 'base'::regclass}),
		'1', 'automl.profiles has the profile of base');

	# an AutoML search reports its progress; other sessions see it grow
	sql(q{CREATE TABLE big AS SELECT i::float8 AS a, (i % 13)::float8 AS b, (i % 7)::float8 AS y
			FROM generate_series(1, 300000) i});
	my $sid = sql(q{SELECT automl.train_async('searched', 'big', 'y', 'classification', time_budget => '6 seconds')});
	my @seen;
	my $deadline = time() + 60;
	while (time() < $deadline)
	{
		my ($status, $progress) = split /\|/, job($sid, 'status, progress');
		last unless $status =~ /^(queued|running)$/;
		push @seen, $progress if $status eq 'running' && (!@seen || $seen[-1] != $progress);
		usleep(200_000);
	}
	note 'progress seen while the search ran: ' . join(' ', @seen);
	ok((grep { $_ > 0 && $_ < 100 } @seen), 'the progress of a running job is visible while it runs');
	is(join(',', @seen), join(',', sort { $a <=> $b } @seen), 'and it only grows');
	is(wait_job($sid, 'status, progress'), 'succeeded|100', 'the search job succeeds with progress 100');
}

# ---------------------------------------------------------------------
# 2. many submissions at once
# ---------------------------------------------------------------------
{
	my @sessions;
	for my $s (1 .. 4)
	{
		my $input = join '', map { qq{SELECT automl.train_async('many_${s}_$_', 'base', $train_args);\n} } 1 .. 2;
		my ($out, $err) = ('', '');
		my $h = IPC::Run::start(
			[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres') ],
			'<', \$input, '>', \$out, '2>', \$err);
		push @sessions, [ $h, \$out, \$err ];
	}
	my @ids;
	my $all_ok = 1;
	for my $s (@sessions)
	{
		my ($h, $out, $err) = @$s;
		$h->finish;
		if ($h->result != 0)
		{
			$all_ok = 0;
			diag "a submitting session failed: $$err";
		}
		push @ids, split /\n/, $$out;
	}
	ok($all_ok, '4 concurrent sessions submit 2 jobs each');
	my %distinct = map { $_ => 1 } @ids;
	is(scalar(keys %distinct), 8, '8 distinct job_ids: ' . join(',', sort { $a <=> $b } @ids));
	wait_job($_) for @ids;
	is(sql('SELECT count(*) FROM automl.jobs WHERE status = \'succeeded\' AND job_id IN (' . join(',', @ids) . ')'),
		'8', 'all 8 jobs succeeded');
	is(sql(q{SELECT count(*) FROM automl.models WHERE model_name LIKE 'many\_%' AND version = 1}),
		'8', 'and made 8 models');
}

# ---------------------------------------------------------------------
# 3. at most automl.max_workers jobs run; the rest start in job_id order
# ---------------------------------------------------------------------
{
	my @ids = split /\n/, sql(join '', map { qq{SELECT automl.train_async('fifo_$_', 'slow', $train_args);\n} } 1 .. 5);
	my $list = join ',', @ids;
	my ($max, $bad_progress, $samples, %progress) = (0, 0, 0);
	my $deadline = time() + 150;
	while (time() < $deadline)
	{
		my ($running, $pending, $progress_ok, $progress) = split /\|/, sql(qq{
			SELECT count(*) FILTER (WHERE status = 'running'),
				   count(*) FILTER (WHERE status IN ('queued', 'running') AND job_id IN ($list)),
				   coalesce(bool_and(progress BETWEEN 0 AND 100), true),
				   coalesce(max(progress) FILTER (WHERE status = 'running'), 0)
			  FROM automl.jobs});
		$samples++;
		$max = $running if $running > $max;
		$bad_progress++ if $progress_ok ne 't';
		$progress{$progress} = 1;
		last if $pending == 0;
		usleep(200_000);
	}
	note "$samples samples of the running jobs; progress of running jobs seen: " . join(' ', sort { $a <=> $b } keys %progress);
	cmp_ok($max, '<=', 2, "with max_workers = 2 at most 2 jobs run at once (at most $max seen)");
	is($max, 2, 'and 2 run at once');
	is($bad_progress, 0, 'progress stays within 0..100');
	is(sql("SELECT count(*) FROM automl.jobs WHERE status = 'succeeded' AND job_id IN ($list)"),
		'5', 'the 5 slow jobs succeeded');
	is(sql("SELECT string_agg(job_id::text, ',' ORDER BY started_at, job_id) FROM automl.jobs WHERE job_id IN ($list)"),
		$list, 'they started in job_id order');
	# when each job started, at most one other had started and not finished
	is(sql(qq{SELECT max((SELECT count(*) FROM automl.jobs o
						   WHERE o.job_id IN ($list) AND o.started_at <= j.started_at
							 AND o.finished_at > j.started_at))
				FROM automl.jobs j WHERE j.job_id IN ($list)}),
		'2', 'by started_at and finished_at too, never more than 2 ran at once');
}

# ---------------------------------------------------------------------
# 4. cancel
# ---------------------------------------------------------------------
{
	my ($c1, $c2, $c3) = split /\n/, sql(join '', map { qq{SELECT automl.train_async('cancel_$_', 'slow', $train_args);\n} } 1 .. 3);
	poll_until(qq{SELECT string_agg(status, ',' ORDER BY job_id) FROM automl.jobs WHERE job_id IN ($c1, $c2, $c3)},
		'running,running,queued', 60)
	  or die 'the first two jobs never ran';

	is(sql("SELECT automl.cancel_job($c3)"), 't', 'cancel_job of a queued job returns true');
	is(job($c3, 'status, started_at IS NULL'), 'cancelled|t', 'the queued job is cancelled at once');

	my $wpid = job($c1, 'worker_pid');
	like($wpid, qr/^\d+$/, 'a running job has its worker_pid');
	is(sql("SELECT backend_type FROM pg_stat_activity WHERE pid = $wpid"), 'automl job',
		'the worker is an "automl job" process');
	my $t0 = time();
	is(sql("SELECT automl.cancel_job($c1)"), 't', 'cancel_job of a running job returns true');
	is(sql("SELECT status FROM automl.wait_job($c1, '10 s')"), 'cancelled', 'the running job ends cancelled');
	my $elapsed = time() - $t0;
	cmp_ok($elapsed, '<', 5.0, sprintf('within a few seconds (%.1f s)', $elapsed));
	ok(poll_until("SELECT count(*) FROM pg_stat_activity WHERE pid = $wpid", '0', 10),
		'its worker process exits');
	is(models_named('cancel_1'), '0', 'a cancelled training makes no model');

	is(sql("SELECT automl.cancel_job($c2)"), 't', 'cancel_job of the other running job');
	is(wait_job($c2), 'cancelled', 'it ends cancelled too');
	wait_idle();
	usleep(500_000);
	is(job($c3, 'status, started_at IS NULL'), 'cancelled|t', 'the cancelled queued job never started');
	is(models_named('cancel_2') + models_named('cancel_3'), 0, 'no model of the other cancelled jobs');

	my $done = sql(q{SELECT min(job_id) FROM automl.jobs WHERE status = 'succeeded'});
	is(sql("SELECT automl.cancel_job($done)"), 'f', 'cancel_job of a succeeded job returns false');
	is(sql("SELECT automl.cancel_job($c3)"), 'f', 'cancel_job of a cancelled job returns false');
	is(sql('SELECT automl.cancel_job(987654321)'), 'f', 'cancel_job of an unknown job returns false');
	is(job($done, 'status'), 'succeeded', 'and the succeeded job stays succeeded');

	my ($ret, $out, $err) = $node->psql('postgres', q{SELECT * FROM automl.wait_job(987654321)},
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	like($err, qr/42704/, 'wait_job of an unknown job: SQLSTATE 42704');
}

# ---------------------------------------------------------------------
# 5. the per-role limit
# ---------------------------------------------------------------------
{
	set_guc('automl.max_jobs_per_role', 2, '2');
	my $b1 = submit('bob_1', 'slow', 'bob');
	my $b2 = submit('bob_2', 'slow', 'bob');
	my ($ret, $out, $err) = $node->psql('postgres',
		qq{SELECT automl.train_async('bob_3', 'slow', $train_args)},
		connstr => $node->connstr('postgres') . ' user=bob',
		on_error_stop => 0,
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	like($err, qr/ERROR:  53400/, 'a third queued or running job of a role: SQLSTATE 53400');
	like($err, qr/HINT:/, 'with a hint');
	is(sql(q{SELECT count(*) FROM automl.jobs WHERE args::text LIKE '%bob_3%'}), '0', 'and no job is made');

	my $a1 = submit('alice_during_bob', 'alice_data', 'alice');
	like($a1, qr/^\d+$/, 'another role may still submit');

	is(sql("SELECT automl.cancel_job($b1)"), 't', 'bob cancels one');
	wait_job($b1);
	my $b3 = submit('bob_3', 'slow', 'bob');
	like($b3, qr/^\d+$/, 'then bob may submit again');
	sql("SELECT automl.cancel_job($_)") for ($b2, $b3);
	wait_idle();
	is(job($a1, 'status'), 'succeeded', "alice's job ran");
	set_guc('automl.max_jobs_per_role', undef, '10');
}

# ---------------------------------------------------------------------
# 6. a job runs as the role that submitted it
# ---------------------------------------------------------------------
{
	my $denied = submit('alice_secret', 'secret', 'alice');
	like($denied, qr/^\d+$/, 'alice may submit a training on a table she cannot read');
	is(wait_job($denied, 'status', 'alice'), 'failed', 'but her job fails');
	like(job($denied, 'error'), qr/permission denied/, 'with "permission denied"');
	is(job($denied, 'submitted_by'), 'alice', 'submitted_by is alice');
	is(models_named('alice_secret'), '0', 'and no model is made');

	my $own = submit('alice_own', 'alice_data', 'alice');
	is(wait_job($own, 'status', 'alice'), 'succeeded', "alice's job on her own table succeeds");
	is(sql(q{SELECT created_by FROM automl.models WHERE model_name = 'alice_own'}), 'alice',
		'and its model is made by alice');
}

# ---------------------------------------------------------------------
# 7. wait_job's timeout; automl.max_training_time
# ---------------------------------------------------------------------
{
	my $id = submit('waited', 'slow');
	my $t0 = time();
	my $status = sql("SELECT status FROM automl.wait_job($id, '1 second')");
	my $elapsed = time() - $t0;
	like($status, qr/^(queued|running)$/, "wait_job with a 1 second timeout returns the unfinished job ($status)");
	cmp_ok($elapsed, '<', 3.0, sprintf('after about a second (%.1f s)', $elapsed));
	sql("SELECT automl.cancel_job($id)");
	wait_job($id);

	set_guc('automl.max_training_time', 2, '2s');
	$id = submit('too_long', 'slow');
	is(wait_job($id), 'failed', 'with max_training_time = 2 a slow job fails');
	like(job($id, 'error'), qr/max_training_time|statement timeout/, 'naming the limit: ' . job($id, 'error'));
	is(models_named('too_long'), '0', 'and makes no model');
	set_guc('automl.max_training_time', undef, '30min');
}

# ---------------------------------------------------------------------
# 8. NOTIFY automl_jobs, seen by a libpq client
# ---------------------------------------------------------------------
{
	my $input = qq{
LISTEN automl_jobs;
SELECT automl.train_async('notified', 'base', $train_args) AS job_id \\gset
SELECT 'job ' || :job_id;
SELECT status FROM automl.wait_job(:job_id, '60 s');
SELECT pg_sleep(0.5);
SELECT 1;
};
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres') ],
		'<', \$input, '>', \$out, '2>', \$err);
	is($?, 0, 'psql LISTENs, submits and waits');
	my ($id) = $out =~ /^job (\d+)$/m;
	ok(defined $id, 'the job was submitted');
	$id //= -1;
	my @statuses;
	for my $payload ($out =~ /^Asynchronous notification "automl_jobs" with payload "(.*)" received from server process with PID \d+\.$/mg)
	{
		next unless $payload =~ /"job_id"\s*:\s*$id\b/;
		my ($s) = $payload =~ /"status"\s*:\s*"(\w+)"/;
		push @statuses, $s // '?';
		like($payload, qr/"progress"\s*:\s*[0-9.]+/, "the payload has the progress: $payload");
	}
	ok((grep { $_ eq 'succeeded' } @statuses), 'a notification with "status": "succeeded" arrives for the job')
	  or diag "psql printed:\n$out\n$err";
	my @seen;
	for my $s (@statuses) { push @seen, $s unless @seen && $seen[-1] eq $s; }
	is(join(',', @seen), 'queued,running,succeeded', 'notifications of each status change, in order');
}

# ---------------------------------------------------------------------
# 9. kill -9 of a job worker
# ---------------------------------------------------------------------
{
	set_guc('automl.max_workers', 1, '1');
	my $killed = submit('killed', 'slow');
	my $after = submit('after_kill', 'base');
	poll_until(qq{SELECT status = 'running' AND worker_pid IS NOT NULL FROM automl.jobs WHERE job_id = $killed}, 't', 60)
	  or die 'the job never ran';
	is(job($after, 'status'), 'queued', 'with max_workers = 1 the second job waits');
	my $wpid = job($killed, 'worker_pid');
	usleep(500_000);
	my $log_offset = -s $node->logfile;
	kill 'KILL', $wpid;
	# until the postmaster has noticed and restarted
	$node->wait_for_log(qr/database system is ready to accept connections/, $log_offset);
	$node->poll_query_until('postgres', 'SELECT true') or die 'the server did not come back';
	my $t0 = time();
	ok(poll_until("SELECT status <> 'running' FROM automl.jobs WHERE job_id = $killed", 't', 60),
		'after kill -9 of its worker the job is no longer running');
	note sprintf('%.1f s after the server accepted connections again', time() - $t0);
	is(job($killed, 'status'), 'failed', 'the killed job failed');
	like(job($killed, 'error'), qr/restart|worker.*(exit|stop|die|crash|terminat)/i,
		'its error says the worker exited or the server restarted: ' . job($killed, 'error'));
	is(models_named('killed'), '0', 'no model of the killed job');
	is(wait_job($after), 'succeeded', 'the queued job runs after the restart');
	is(models_named('after_kill'), '1', 'and makes its model');
}

# ---------------------------------------------------------------------
# 10. immediate shutdown
# ---------------------------------------------------------------------
{
	my $stopped = submit('stopped', 'slow');
	my $after = submit('after_stop', 'base');
	poll_until(qq{SELECT status = 'running' AND worker_pid IS NOT NULL FROM automl.jobs WHERE job_id = $stopped}, 't', 60)
	  or die 'the job never ran';
	is(job($after, 'status'), 'queued', 'a job queued behind the running one');
	usleep(500_000);
	$node->stop('immediate');
	$node->start;
	my $t0 = time();
	ok(poll_until("SELECT status <> 'running' FROM automl.jobs WHERE job_id = $stopped", 't', 60),
		'after an immediate shutdown the running job is no longer running');
	my $elapsed = time() - $t0;
	cmp_ok($elapsed, '<', 10, sprintf('within a few seconds of the start (%.1f s)', $elapsed));
	is(job($stopped, 'status'), 'failed', 'it failed');
	like(job($stopped, 'error'), qr/restart|worker.*(exit|stop|die|crash|terminat)/i,
		'its error says the server restarted: ' . job($stopped, 'error'));
	is(models_named('stopped'), '0', 'no model of the stopped job');
	is(wait_job($after), 'succeeded', 'the job queued before the stop runs after the start');
	is(sql(q{SELECT count(*) FROM automl.jobs WHERE status IN ('queued', 'running')}), '0',
		'no job is left queued or running');
	set_guc('automl.max_workers', undef, '2');
}

$node->stop;
done_testing();
