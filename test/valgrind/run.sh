#!/bin/bash
# Runs the pg_regress suite against a server under valgrind memcheck, as
# root on Debian 12, with the INSTALLED server and automl.so (builds
# nothing: `make && make install` first).
#
#   test/valgrind/run.sh [test ...]     (default: REGRESS from the Makefile)
#   make valgrind                       (the whole REGRESS list)
#
# A throwaway cluster is initdb'd as user postgres in a temporary directory;
# the postmaster runs under valgrind (forked backends are traced with it),
# with test/valgrind/postgres.supp (PostgreSQL's known false positives) and
# test/valgrind/automl.supp (third-party libraries).  After pg_regress the
# server is stopped and every valgrind log is scanned: errors whose stack
# (or origin stack) has a frame of automl.so are listed in full, the others
# summarised.  Exit status: 0 if no error has an automl.so frame, 1 if one
# has, 2 if the setup failed.  Regression output differences are reported
# but don't fail the run (timing under valgrind differs).
#
# Environment: AUTOML_VALGRIND_TIMEOUT (seconds for pg_regress, default
# 9000), AUTOML_VALGRIND_PORT (default 54329), AUTOML_VALGRIND_ERROR_EXITCODE
# (default 0, see below), AUTOML_VALGRIND_KEEP=1 to keep the temporary
# directory even when the run was clean (it's kept when valgrind reported
# anything, a backend crashed or the regression output differs).
# docs/valgrind.md has the details and the last run's results.
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PGBIN=/usr/lib/postgresql/15/bin
PG_REGRESS=/usr/lib/postgresql/15/lib/pgxs/src/test/regress/pg_regress
PKGLIBDIR=$("$PGBIN/pg_config" --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)
SO="$PKGLIBDIR/automl.so"
PORT=${AUTOML_VALGRIND_PORT:-54329}
TIMEOUT=${AUTOML_VALGRIND_TIMEOUT:-9000}

die() { echo "valgrind run: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "run as root (the cluster runs as user postgres)"
id postgres >/dev/null 2>&1 || die "no user postgres"
[ -f "$SO" ] || die "$SO is not installed (make install)"
if ! command -v valgrind >/dev/null; then
	echo "installing valgrind"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; } ||
		die "could not install valgrind"
fi
if ! cmp -s "$ROOT/automl.so" "$SO" 2>/dev/null; then
	echo "note: $ROOT/automl.so differs from the installed $SO (which is the one tested)"
fi

# the tests: arguments, or REGRESS from the Makefile (continuation lines joined)
if [ $# -gt 0 ]; then
	TESTS=("$@")
else
	read -r -a TESTS <<< "$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' Makefile |
		sed -n 's/^REGRESS[[:space:]]*=[[:space:]]*//p')"
fi
RUN=()
for t in "${TESTS[@]}"; do
	if [ -f "sql/$t.sql" ] && [ -f "expected/$t.out" ]; then RUN+=("$t")
	else echo "skipping $t: no sql/$t.sql or expected/$t.out"; fi
done
[ ${#RUN[@]} -gt 0 ] || die "no tests to run"

WORK=$(mktemp -d /tmp/automl-vg.XXXXXX)
chmod 755 "$WORK"
mkdir "$WORK/vg" "$WORK/out"
chown postgres: "$WORK" "$WORK/vg"
echo "work directory: $WORK (valgrind logs in $WORK/vg)"

runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth=trust \
	-E UTF8 --locale=C.UTF-8 --no-sync >"$WORK/initdb.log" 2>&1 ||
	{ cat "$WORK/initdb.log"; die "initdb failed"; }

# jit=off: LLVM compiling expressions under valgrind is slow and tests
# nothing of automl (and ld.so's word-wise strncmp reports on loading it).
# --error-exitcode: 0 (off) by default: the logs are what is judged, and a
# backend exiting non-zero is a crash to the postmaster, whose restart
# (slow under valgrind) makes every later test fail to connect.  With
# AUTOML_VALGRIND_ERROR_EXITCODE=128 (as PostgreSQL's valgrind buildfarm
# animal runs) a backend with an error crashes the server instead, which
# shows in the test in progress.  Each error is attributed to a test by the
# pg_regress/<test> application_name of its backend (log_connections), or
# for a worker, by when its log was last written.
EXITCODE=${AUTOML_VALGRIND_ERROR_EXITCODE:-0}
start=$(date +%s)
runuser -u postgres -- valgrind --quiet --trace-children=yes --track-origins=yes \
	--read-var-info=no --leak-check=no --num-callers=40 --error-limit=no \
	--error-exitcode="$EXITCODE" --gen-suppressions=all --fullpath-after= \
	--suppressions="$ROOT/test/valgrind/postgres.supp" \
	--suppressions="$ROOT/test/valgrind/automl.supp" \
	--log-file="$WORK/vg/valgrind.%p.log" \
	"$PGBIN/postgres" -D "$WORK/data" -p "$PORT" -c listen_addresses= \
	-c unix_socket_directories="$WORK" -c shared_buffers=16MB -c huge_pages=off \
	-c max_connections=20 -c max_parallel_workers_per_gather=0 \
	-c autovacuum=off -c jit=off -c fsync=off -c checkpoint_timeout=1h \
	-c log_line_prefix='%m [%p] %n ' -c log_connections=on \
	>"$WORK/server.log" 2>&1 &
PM=$!
for _ in $(seq 1 300); do
	"$PGBIN/pg_isready" -q -h "$WORK" -p "$PORT" && break
	kill -0 "$PM" 2>/dev/null || break
	sleep 1
done
"$PGBIN/pg_isready" -q -h "$WORK" -p "$PORT" || { tail -20 "$WORK/server.log"; die "server did not start"; }
echo "server up under valgrind after $(( $(date +%s) - start )) s; running: ${RUN[*]}"

t0=$(date +%s)
PGUSER=postgres timeout "$TIMEOUT" "$PG_REGRESS" --inputdir="$ROOT" --outputdir="$WORK/out" \
	--bindir="$PGBIN" --host="$WORK" --port="$PORT" --dbname=contrib_regression \
	"${RUN[@]}" 2>&1 | tee "$WORK/regress.out"
rc=${PIPESTATUS[0]}
elapsed=$(( $(date +%s) - t0 ))
[ "$rc" -eq 124 ] && echo "pg_regress timed out after $TIMEOUT s"

runuser -u postgres -- "$PGBIN/pg_ctl" stop -D "$WORK/data" -m fast -t 600 >/dev/null 2>&1 ||
	runuser -u postgres -- "$PGBIN/pg_ctl" stop -D "$WORK/data" -m immediate -t 60 >/dev/null 2>&1
wait

# automl.so's symbols (its static functions too: it is not stripped); a
# frame is automl's if it is "(in .../automl.so)" or names one of them with
# a source location (Debian's postgres has no debug info: its frames are
# "(in .../postgres)")
nm --defined-only "$SO" 2>/dev/null | awk '{print $3}' | sort -u >"$WORK/automl.syms"

perl - "$WORK" "$WORK"/vg/valgrind.*.log <<'EOF'
use strict;
use warnings;
my ($work, @logs) = @ARGV;
my %sym;
open(my $s, '<', "$work/automl.syms") or die;
while (<$s>) { chomp; $sym{$_} = 1; }
close $s;
# which test a process served: its application_name, else the test whose
# backend had connected last before the process's log was last written
my (%test_of_pid, @starts);
if (open(my $l, '<', "$work/server.log")) {
	while (<$l>) {
		next unless /\[(\d+)\] ([\d.]+) LOG:  connection authorized: .*application_name=pg_regress\/(\S+)/;
		$test_of_pid{$1} = $3;
		push @starts, [$2, $3];
	}
	close $l;
}
my $test_of = sub {
	my ($pid, $log) = @_;
	return $test_of_pid{$pid} if $test_of_pid{$pid};
	my $t = (stat($log))[9] // 0;
	my $name = 'before any test';
	for my $st (@starts) { $name = "$st->[1]?" if $st->[0] <= $t; }
	return $name;
};

my $is_automl_frame = sub {
	my ($l) = @_;
	return 1 if $l =~ /\(in [^)]*automl\.so\)/;
	return $l =~ /^\s+(?:at|by) 0x[0-9A-Fa-f]+: (\S+) \((?!in )[^)]*\)/ && $sym{$1};
};
my (%groups, @order, $total, $automl, $summary_errors);
$total = $automl = $summary_errors = 0;
for my $log (@logs) {
	open(my $f, '<', $log) or next;
	my ($pid) = $log =~ /valgrind\.(\d+)\.log$/;
	my @block;
	my $flush = sub {
		return unless @block >= 2 && $block[1] =~ /^\s+at 0x/;
		my $text = join("\n", @block);
		my $mine = grep { $is_automl_frame->($_) } @block;
		# the signature: message and the first frames' functions
		my @fr = map { /: (\S+) \(/ ? $1 : '?' } grep { /^\s+(at|by) 0x/ } @block;
		my $sig = $block[0] . ' | ' . join(' < ', @fr[0 .. ($#fr < 7 ? $#fr : 7)]);
		$sig =~ s/\b\d+ bytes?\b/N bytes/g;
		$total++;
		$automl++ if $mine;
		push @order, $sig unless $groups{$sig};
		$groups{$sig} //= { text => $text, n => 0, mine => $mine, pid => $pid, tests => {} };
		$groups{$sig}{n}++;
		$groups{$sig}{tests}{$test_of->($pid, $log)} = 1;
	};
	while (my $line = <$f>) {
		chomp $line;
		if ($line =~ /^==\d+== ?(.*)$/) {
			my $l = $1;
			if ($l =~ /ERROR SUMMARY: (\d+) errors/) { $summary_errors += $1; next; }
			if ($l eq '') { $flush->(); @block = (); next; }
			push @block, $l;
		} else {
			$flush->(); @block = ();	# a generated suppression ends the block
		}
	}
	$flush->();
	close $f;
}
my @mine = grep { $groups{$_}{mine} } @order;
my @other = grep { !$groups{$_}{mine} } @order;
open(my $a, '>', "$work/automl-errors.txt") or die;
open(my $o, '>', "$work/other-errors.txt") or die;
my $head = sub {
	my ($g) = @_;
	return "=== $g->{n} x, test " . join(', ', sort keys %{$g->{tests}}) . " (first in pid $g->{pid})";
};
for my $sig (@mine) { print $a $head->($groups{$sig}), "\n$groups{$sig}{text}\n\n"; }
for my $sig (@other) { print $o $head->($groups{$sig}), "\n$groups{$sig}{text}\n\n"; }
close $a;
close $o;
print "\n=== valgrind ===\n";
# valgrind prints an error once per process however often it recurs, and
# with --quiet no ERROR SUMMARY unless it is non-zero
printf "%d processes logged, %d error reports%s\n", scalar(@logs), $total,
	$summary_errors ? " (ERROR SUMMARY total: $summary_errors)" : '';
printf "errors with an automl.so frame: %d (%d distinct)\n", $automl, scalar(@mine);
printf "other errors (PostgreSQL, libraries): %d (%d distinct)%s\n", $total - $automl,
	scalar(@other), @other ? ", in $work/other-errors.txt" : '';
for my $sig (@other) {
	print "  $groups{$sig}{n} x (", join(', ', sort keys %{$groups{$sig}{tests}}), ") $sig\n";
}
if (@mine) {
	print "\n--- automl errors (also in $work/automl-errors.txt) ---\n";
	my $shown = 0;
	for my $sig (@mine) {
		last if ++$shown > 20;
		print $head->($groups{$sig}), "\n$groups{$sig}{text}\n\n";
	}
}
open(my $c, '>', "$work/automl-count") or die;
print $c scalar(@mine), " $total\n";
close $c;
EOF

echo
echo "pg_regress: $(grep -cE '\.\.\. ok|^ok ' "$WORK/regress.out") ok, $(grep -cE '\.\.\. FAILED|^not ok ' "$WORK/regress.out") failed, ${elapsed} s under valgrind"
[ -s "$WORK/out/regression.diffs" ] && echo "regression differences: $WORK/out/regression.diffs"
crashes=$(grep -E 'terminated by signal|exited with exit code 128' "$WORK/server.log")
[ -n "$crashes" ] && { echo "backends that ended with a valgrind error or a signal:"; echo "$crashes" | head -20; }

read -r n total < "$WORK/automl-count" || { n=1; total=1; }
if [ "$total" -ne 0 ] || [ -n "$crashes" ] || [ -s "$WORK/out/regression.diffs" ] ||
	[ "${AUTOML_VALGRIND_KEEP:-0}" = 1 ]; then
	echo "kept $WORK"
else
	rm -rf "$WORK"
fi
if [ "$n" -ne 0 ]; then
	echo "valgrind: errors in automl code"
	exit 1
fi
echo "valgrind: no error in automl code"
exit 0
