# Clients of automl: pg_cron schedules train_async every minute and the
# jobs it submits run as the cron job's role; an ODBC client (psqlODBC
# through unixODBC's isql) reads the model registry and predicts.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('clients');
$node->init;
my $host = $node->host;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'automl,pg_cron'
cron.database_name = 'postgres'
cron.host = '$host'
});
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION pg_cron;
CREATE EXTENSION automl;
CREATE TABLE base AS SELECT i, (i % 7)::float8 AS x, (i % 3 = 0) AS y FROM generate_series(1, 3000) i;
});

# ---------------------------------------------------------------------
# pg_cron submits a training job every minute
# ---------------------------------------------------------------------
{
	my $t0 = time();
	like($node->safe_psql('postgres', q{
		SELECT cron.schedule('retrain', '* * * * *',
			$$SELECT automl.train_async('cronmodel', 'base', 'y', algorithm => 'logistic_regression', options => '{"exclude": ["i"]}')$$)}),
		qr/^\d+$/, 'pg_cron schedules train_async every minute');
	my $user = $node->safe_psql('postgres', q{SELECT username FROM cron.job WHERE jobname = 'retrain'});

	my $versions = 0;
	while (time() - $t0 < 150)
	{
		$versions = $node->safe_psql('postgres',
			q{SELECT count(*) FROM automl.models WHERE model_name = 'cronmodel'});
		last if $versions >= 2;
		sleep 1;
	}
	cmp_ok($versions, '>=', 2, sprintf('2 versions of cronmodel are trained in %.0f s', time() - $t0));
	is($node->safe_psql('postgres', q{SELECT cron.unschedule('retrain')}), 't', 'the schedule is removed');

	# a run that started meanwhile may still submit: let its job end
	sleep 2;
	$node->poll_query_until('postgres', q{
		SELECT count(*) = 0 FROM automl.jobs WHERE status IN ('queued', 'running')})
	  or die 'cron jobs still queued or running';
	$versions = $node->safe_psql('postgres',
		q{SELECT count(*) FROM automl.models WHERE model_name = 'cronmodel'});

	my $jobs = $node->safe_psql('postgres', qq{
		SELECT count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status = 'failed')
		  FROM automl.jobs WHERE submitted_by = '$user' AND kind = 'train'});
	my ($succeeded, $failed) = split /\|/, $jobs;
	cmp_ok($succeeded, '>=', 2, "the jobs submitted by pg_cron as $user succeeded ($succeeded)");
	is($failed, '0', 'none failed');
	is($node->safe_psql('postgres', q{
		SELECT count(*) FROM automl.jobs
		 WHERE status = 'succeeded' AND result->>'model_name' = 'cronmodel'}),
		$versions, 'one succeeded job per version');
	cmp_ok($node->safe_psql('postgres', q{
		SELECT count(*) FROM cron.job_run_details WHERE status = 'succeeded'}),
		'>=', 2, 'pg_cron records its runs as succeeded');
}

# ---------------------------------------------------------------------
# ODBC
# ---------------------------------------------------------------------
{
	$node->safe_psql('postgres', q{
		SELECT * FROM automl.train('odbcmodel', 'base', 'y', algorithm => 'logistic_regression',
								   options => '{"exclude": ["i"]}')});
	my $expected = $node->safe_psql('postgres',
		q{SELECT automl.predict_label('odbcmodel', b) FROM base b WHERE i = 3});

	my $dir = PostgreSQL::Test::Utils::tempdir('odbc');
	my $port = $node->port;
	my $osuser = getpwuid($<);
	open my $fh, '>', "$dir/odbcinst.ini" or die $!;
	print $fh <<"EOF";
[PostgreSQL Unicode]
Description = PostgreSQL ODBC driver (Unicode)
Driver = /usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so
EOF
	close $fh;
	open $fh, '>', "$dir/odbc.ini" or die $!;
	print $fh <<"EOF";
[automl_test]
Driver = PostgreSQL Unicode
Servername = $host
Port = $port
Database = postgres
Username = $osuser
EOF
	close $fh;

	local $ENV{ODBCSYSINI} = $dir;
	local $ENV{ODBCINI} = "$dir/odbc.ini";
	my $input = qq{SELECT model_name, version FROM automl.models WHERE model_name = 'odbcmodel'
SELECT 'label', automl.predict_label('odbcmodel', b) FROM base b WHERE i = 3
SELECT 'score', round(automl.predict('odbcmodel', b)::numeric, 6) FROM base b WHERE i = 3
};
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'isql', '-b', '-d,', 'automl_test' ], '<', \$input, '>', \$out, '2>', \$err);
	my $ret = $?;
	note "isql printed:\n$out\n$err";
	is($ret, 0, 'isql exits 0');
	unlike($out . $err, qr/ERROR|could not/i, 'without errors');
	like($out, qr/^odbcmodel,1$/m, 'the ODBC client reads the registry: odbcmodel version 1');
	like($out, qr/^label,\Q$expected\E$/m, "and predicts the label psql predicts ($expected)");
	like($out, qr/^score,[0-9.]+$/m, 'and a score');
}

$node->stop;
done_testing();
