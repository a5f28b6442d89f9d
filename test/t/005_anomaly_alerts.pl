# Real-time anomaly alerts: an AFTER INSERT trigger scores each new row with
# a stored detector and sends NOTIFY automl_anomalies with the row's key and
# the explanation; a client LISTENing through libpq (psql) is told of the
# anomalous insert and of nothing for the normal one.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('alerts');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION automl;
CREATE TABLE history AS SELECT i AS id, 500 + 40 * sin(i) AS amount FROM generate_series(1, 2000) i;
SELECT automl.train_detector('amounts', 'history', ARRAY['amount'], 'robust_zscore');
CREATE TABLE payments (id int PRIMARY KEY, amount float8);
CREATE FUNCTION payments_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF automl.is_anomaly('amounts', NEW) THEN
		PERFORM pg_notify('automl_anomalies',
			jsonb_build_object('row_key', jsonb_build_object('id', NEW.id),
							   'explanation', automl.anomaly_explanation('amounts', NEW))::text);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER payments_alert AFTER INSERT ON payments FOR EACH ROW EXECUTE FUNCTION payments_alert();
});

# One psql session listens, inserts a normal and an anomalous payment (each
# its own transaction), and prints the notifications it received.
my ($stdout, $stderr);
$node->psql('postgres', undef,
	extra_params => [
		'-c', 'LISTEN automl_anomalies',
		'-c', 'INSERT INTO payments VALUES (1, 510)',
		'-c', 'INSERT INTO payments VALUES (2, 9000)',
		'-c', 'SELECT 1'
	],
	stdout => \$stdout, stderr => \$stderr);

my @alerts = ($stdout =~ /Asynchronous notification "automl_anomalies" with payload "(.*)" received/g);
is(scalar(@alerts), 1, 'exactly one alert');
like($alerts[0] // '', qr/"row_key": \{"id": 2\}/, 'the alert names the anomalous row');
like($alerts[0] // '', qr/anomalous: robust_zscore score \d+ \(threshold 3\.5\), driven by amount/,
	'the alert explains it');
unlike($stdout, qr/"id": 1\}/, 'no alert for the normal payment');

# fast enough for a trigger: rows inserted per second with the alert on
my $t0 = time();
$node->safe_psql('postgres',
	'INSERT INTO payments SELECT i, 500 + i % 50 FROM generate_series(10, 20009) i');
my $rate = 20000 / (time() - $t0 + 1e-9);
note(sprintf('%.0f inserts/s with the alert trigger', $rate));
cmp_ok($rate, '>', 2000, 'the trigger keeps up with thousands of inserts a second');

$node->stop;
done_testing();
