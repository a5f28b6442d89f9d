# Imports from server files: import_async runs an import as a background
# job with progress by bytes read, as the role that submitted it (which
# needs pg_read_server_files, as COPY FROM a file); kill -9 of the job's
# worker and an immediate shutdown in the middle of an import leave no
# table, no rows and no automl.datasets record; two sessions importing into
# the same new table: one wins, the other gets an error and loads nothing;
# one session's import is invisible to the others until it commits.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Spec;
use IPC::Run;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('import');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'automl'
automl.max_workers = 2
restart_after_crash = on
});
$node->start;

my $dir = File::Spec->rel2abs($node->basedir);
my $rows = 4000;

# A CSV of $rows wide rows (a file of about 1 MB: COPY is fed 64 kB at a
# time, so progress moves in steps).
my $csv = "$dir/wide.csv";
open(my $fh, '>', $csv) or die "$csv: $!";
print $fh "id,label,amount,day,note\n";
for my $i (1 .. $rows)
{
	printf $fh "%d,%s,%.2f,2024-%02d-%02d,\"%s\"\n", $i, ('a', 'b', 'c')[ $i % 3 ], $i / 7,
	  1 + $i % 12, 1 + $i % 28, 'x' x 220;
}
close $fh;

$node->safe_psql('postgres', q{
CREATE EXTENSION automl;
CREATE ROLE loader LOGIN;
CREATE ROLE nofiles LOGIN;
GRANT pg_read_server_files TO loader;
GRANT automl_analyst TO loader, nofiles;
GRANT CREATE ON SCHEMA public TO loader, nofiles;
-- appending to "slow" takes about 4 s: a trigger sleeps 1 ms a row
CREATE TABLE slow (id int, label text, amount numeric, day date, note text);
CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$;
CREATE TRIGGER slow_down BEFORE INSERT ON slow FOR EACH ROW EXECUTE FUNCTION slow_down();
ALTER TABLE slow OWNER TO loader;
});

sub sql
{
	my ($query, $user) = @_;
	return $node->safe_psql('postgres', $query,
		defined $user ? (connstr => $node->connstr('postgres') . " user=$user") : ());
}

sub poll_until
{
	my ($query, $expected, $seconds) = @_;
	my $deadline = time() + $seconds;
	my ($ret, $out, $err);
	while (time() < $deadline)
	{
		($ret, $out, $err) = $node->psql('postgres', $query);
		return 1 if $ret == 0 && $out eq $expected;
		usleep(50_000);
	}
	diag "poll_until timed out: $query\nexpected: $expected\ngot: " . ($out // '') . "\nstderr: " . ($err // '');
	return 0;
}

sub job
{
	my ($id, $fields) = @_;
	return sql("SELECT $fields FROM automl.jobs WHERE job_id = $id");
}

# ---------------------------------------------------------------------
# 1. import_async: a job, run as the submitting role, with progress
# ---------------------------------------------------------------------
{
	my $t0 = time();
	my $id = sql(qq{SELECT automl.import_async('csv', 'imported', '$csv')}, 'loader');
	cmp_ok(time() - $t0, '<', 2, 'import_async returns at once');
	is(sql("SELECT status FROM automl.wait_job($id, '60 s')"), 'succeeded', 'the import job succeeds');
	is(sql('SELECT count(*) FROM imported'), $rows, 'every row is loaded');
	is(sql(q{SELECT tableowner FROM pg_tables WHERE tablename = 'imported'}), 'loader',
		'the table belongs to the role that submitted the job');
	is(sql(q{SELECT imported_by || ' ' || rows || ' ' || format FROM automl.datasets WHERE "table" = 'public.imported'}),
		"loader $rows csv", 'automl.datasets records the import in that role\'s name');
	is(job($id, q{result->>'rows'}), $rows, 'the job\'s result is the import\'s');
	is(job($id, q{(SELECT string_agg(c->>'type', ',') FROM jsonb_array_elements(result->'columns') c)}),
		'integer,text,numeric,date,text', 'with the inferred types');
	is(job($id, 'progress'), '100', 'progress ends at 100');

	# progress moves while a slow import runs
	my $slow = sql(qq{SELECT automl.import_async('csv', 'slow', '$csv', '{"create": false}')}, 'loader');
	my %seen;
	my $deadline = time() + 60;
	while (time() < $deadline)
	{
		my ($status, $progress) = split /\|/, job($slow, 'status, progress');
		$seen{$progress} = 1 if $status eq 'running';
		last if $status ne 'running' && $status ne 'queued';
		usleep(100_000);
	}
	my @between = grep { $_ > 0 && $_ < 100 } keys %seen;
	ok(@between >= 1, 'progress between 0 and 100 seen while the import ran: ' . join(',', sort { $a <=> $b } keys %seen));
	is(job($slow, 'status'), 'succeeded', 'the slow import succeeds');
	is(sql('SELECT count(*) FROM slow'), $rows, 'and appends every row');

	# the file privilege is checked when submitting and when running
	my ($ret, $out, $err) = $node->psql('postgres', qq{SELECT automl.import_async('csv', 'x', '$csv')},
		connstr => $node->connstr('postgres') . ' user=nofiles');
	like($err, qr/permission denied to import from a file/, 'a role without pg_read_server_files cannot submit');
	sql('TRUNCATE slow');
}

# ---------------------------------------------------------------------
# 2. kill -9 of the job's worker in the middle of an import
# ---------------------------------------------------------------------
{
	my $imports = sql('SELECT count(*) FROM automl.datasets');
	my $id = sql(qq{SELECT automl.import_async('csv', 'slow', '$csv', '{"create": false}')}, 'loader');
	poll_until("SELECT progress > 0 FROM automl.jobs WHERE job_id = $id", 't', 60)
	  or die 'the import never started';
	my $pid = job($id, 'worker_pid');
	my $log_offset = -s $node->logfile;
	kill 'KILL', $pid;
	$node->wait_for_log(qr/database system is ready to accept connections/, $log_offset);
	ok(poll_until("SELECT status FROM automl.jobs WHERE job_id = $id", 'failed', 60),
		'after kill -9 of its worker the import job failed');
	is(sql('SELECT count(*) FROM slow'), '0', 'no row of the killed import is in the table');
	is(sql('SELECT count(*) FROM automl.datasets'), $imports, 'and automl.datasets has no record of it');
}

# ---------------------------------------------------------------------
# 3. an immediate shutdown in the middle of an import
# ---------------------------------------------------------------------
{
	my $id = sql(qq{SELECT automl.import_async('csv', 'slow', '$csv', '{"create": false}')}, 'loader');
	poll_until("SELECT progress > 0 FROM automl.jobs WHERE job_id = $id", 't', 60)
	  or die 'the import never started';
	$node->stop('immediate');
	$node->start;
	ok(poll_until("SELECT status FROM automl.jobs WHERE job_id = $id", 'failed', 60),
		'after an immediate shutdown the import job failed');
	is(sql('SELECT count(*) FROM slow'), '0', 'and none of its rows survived');
}

# ---------------------------------------------------------------------
# 4. two sessions import into the same new table at once
# ---------------------------------------------------------------------
{
	my $small = "$dir/small.csv";
	open(my $sf, '>', $small) or die "$small: $!";
	print $sf "a,b\n";
	print $sf "$_,x$_\n" for 1 .. 1000;
	close $sf;

	# the first holds its new table uncommitted for 3 s; the second blocks
	# on it, then fails when the first commits
	my ($out1, $err1, $out2, $err2) = ('', '', '', '');
	my $h1 = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', 'BEGIN', '-c',
		  qq{SELECT automl.import_csv_file('same', '$small')->'rows'}, '-c', 'SELECT pg_sleep(3)', '-c', 'COMMIT' ],
		'>', \$out1, '2>', \$err1);
	poll_until(q{SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(3)' AND wait_event = 'PgSleep'}, '1', 30)
	  or die 'the first import did not get to its sleep';
	is(sql(q{SELECT to_regclass('public.same') IS NULL}), 't',
		'an uncommitted import is invisible to other sessions');
	my $h2 = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
		  qq{SELECT automl.import_csv_file('same', '$small')->'rows'} ],
		'>', \$out2, '2>', \$err2);
	$h1->finish;
	$h2->finish;
	like($out1, qr/^1000$/m, 'the first import loads its rows');
	like($err2, qr/already exists|duplicate key value/, 'the second gets an error: ' . $err2);
	is(sql('SELECT count(*) FROM same'), '1000', 'the table has the rows of one import only');
	is(sql(q{SELECT count(*) FROM automl.datasets WHERE "table" = 'public.same'}), '1',
		'and one import is recorded');
}

$node->stop;
done_testing();
