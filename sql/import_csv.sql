-- automl.import_csv / import_csv_file: CSV into typed tables
\set VERBOSITY default
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS automl;
CREATE SCHEMA imp;
SET search_path = imp, public;

-- the result's stable keys
CREATE FUNCTION imp.summary(r jsonb) RETURNS jsonb LANGUAGE sql AS
$$ SELECT r - 'seconds' - 'import_id' - 'profile' $$;

-- types inferred per column, a quoted field with the delimiter, NULL markers
SELECT imp.summary(automl.import_csv('people',
E'id,name,age,joined,seen_at,score,ratio,active,zip\n'
 '1,Ann,34,2024-01-05,2024-01-05 10:00:00+02,3.5,1e-3,true,02139\n'
 '2,"Bob, ""Jr.""",,2024-02-29,2024-02-29T23:59:59Z,4.25,NaN,false,10001\n'
 '3,Cy,51,2024-03-01,2024-03-01 00:00,NA,2.5E+10,yes,N/A\n'
 '4,Dee,3000000000,2023-12-31,NULL,null,0.5,no,\n'));
SELECT * FROM people ORDER BY id;
SELECT column_name, data_type FROM information_schema.columns
 WHERE table_schema = 'imp' AND table_name = 'people' ORDER BY ordinal_position;

-- the import is recorded
SELECT "table", format, source, rows, rejected, bytes, imported_by = current_user AS mine
  FROM automl.datasets ORDER BY import_id DESC LIMIT 1;

-- widening: int4 -> int8 -> numeric -> text, over every row by default
SELECT imp.summary(automl.import_csv('wide', E'a,b,c,d\n1,1,1,1\n2,3000000000,2.5,x\n'))->'columns';
-- with sample_rows the first rows decide, and a later value that does not
-- fit widens the column (the table is made again) instead of failing
SELECT imp.summary(automl.import_csv('sampled', E'a,b\n1,x\n2,y\n3000000000,z\n1.5,w\n', '{"sample_rows": 2}'))->'columns';
SELECT * FROM sampled ORDER BY b;

-- dialects: ; and tab and |, a byte order mark, CR LF, CR
SELECT imp.summary(automl.import_csv('semi', E'\uFEFFx;y\r\n1;2\r\n3;4\r\n'))->'dialect';
SELECT * FROM semi;
SELECT imp.summary(automl.import_csv('tabs', E'x\ty\n1\t2\n'))->'dialect'->>'delimiter' = E'\t';
SELECT imp.summary(automl.import_csv('pipes', E'x|y\n1|2\n'))->'dialect';
SELECT imp.summary(automl.import_csv('crs', E'x,y\r1,2\r3,4\r'))->'dialect';
SELECT * FROM crs;
-- a quoted field over two lines keeps its newline; the next record's line
-- numbers stay right
SELECT imp.summary(automl.import_csv('multi', E'id,note\n1,"two\nlines"\n2,plain\n'))->'rows';
SELECT id, note FROM multi ORDER BY id;

-- options set each part of the dialect
SELECT imp.summary(automl.import_csv('opt1', E'1;2\n3;4\n', '{"delimiter": ";", "header": false}'));
SELECT * FROM opt1;
SELECT imp.summary(automl.import_csv('opt2', E'a,b\n''x,y'',1\n', '{"quote": "''"}'))->'dialect';
SELECT * FROM opt2;
SELECT imp.summary(automl.import_csv('opt3', E'\uFEFFa\n1\n', '{"bom": false}'))->'columns';
SELECT imp.summary(automl.import_csv('opt4', E'a,b\n-,1\n?,2\n', '{"null": ["-", "?"]}'))->'columns';
SELECT * FROM opt4;
SELECT imp.summary(automl.import_csv('opt5', E'a\nNA\n', '{"null": "none"}'))->'columns';
SELECT imp.summary(automl.import_csv('opt6', E'x,y\r1,2\r', '{"newline": "cr"}'))->'rows';
SELECT imp.summary(automl.import_csv('opt7', E'First Name,Price ($),2021,a.b\n1,2,3,4\n', '{"normalize_names": false, "header": true}'))->'columns';
SELECT imp.summary(automl.import_csv('opt8', E'First Name,Price ($),2021,a.b\n1,2,3,4\n', '{"header": true}'))->'columns';
SELECT imp.summary(automl.import_csv('opt9', E'a\n0123456789\n', '{"max_field_size": 10}'))->'rows';
SELECT automl.import_csv('opt10', E'a\n01234567890\n', '{"max_field_size": 10}');
SELECT to_regclass('imp.opt10');
-- options.profile profiles the new table
SELECT (r->'profile'->>'row_count')::int AS profiled_rows
  FROM automl.import_csv('opt11', E'a,b\n1,x\n2,y\n', '{"profile": true}') r;

-- column names: duplicates, reserved words, empty, long, made unique
SELECT imp.summary(automl.import_csv('names', E'select,Select,from,,a b,x,x\n1,2,3,4,5,6,7\n', '{"header": true}'))->'columns';
SELECT "select", "from" FROM names;
SELECT length(c->>'name') FROM jsonb_array_elements(
	automl.import_csv('longnames', repeat('n', 100) || ',' || repeat('n', 100) || E'\n1,2\n')->'columns') c;

-- schema-qualified and quoted table names; a hostile name is a syntax error
SELECT imp.summary(automl.import_csv('imp."Odd; Name"', E'a\n1\n'))->>'table';
SELECT * FROM imp."Odd; Name";
SELECT automl.import_csv('x; DROP TABLE imp.people', E'a\n1\n');
SELECT automl.import_csv('no_such_schema.t', E'a\n1\n');
SELECT count(*) FROM imp.people;

-- appending: by header name, checked against the table's types
CREATE TABLE imp.target (id serial, a int NOT NULL, b varchar(3), c date);
SELECT imp.summary(automl.import_csv('target', E'b,a\nxx,1\nyy,2\n', '{"create": false}'));
SELECT imp.summary(automl.import_csv('target', E'2,3,abc,2024-01-01\n', '{"create": false, "header": false}'))->'rows';
SELECT * FROM imp.target ORDER BY id;
SELECT automl.import_csv('target', E'a,b\n1,xxxx\n', '{"create": false}');
SELECT automl.import_csv('target', E'a,b\nfoo,x\n', '{"create": false}');
SELECT automl.import_csv('target', E'a,b\n,x\n', '{"create": false}');
SELECT automl.import_csv('target', E'a,c\n1,2024-02-30\n', '{"create": false}');
SELECT automl.import_csv('target', E'a,zz\n1,x\n', '{"create": false}');
SELECT automl.import_csv('target', E'1,2\n', '{"create": false, "header": false}');
SELECT automl.import_csv('missing', E'a\n1\n', '{"create": false}');
SELECT automl.import_csv('target', E'a\n1\n');
-- a header with no rows appends nothing
SELECT imp.summary(automl.import_csv('target', E'a,b\n', '{"create": false}'))->'rows';
SELECT count(*) FROM imp.target;
-- triggers and constraints run as under COPY
CREATE FUNCTION imp.upper_b() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN NEW.b := upper(NEW.b); RETURN NEW; END $$;
CREATE TRIGGER upper_b BEFORE INSERT ON imp.target FOR EACH ROW EXECUTE FUNCTION imp.upper_b();
ALTER TABLE imp.target ADD CHECK (a < 100);
SELECT imp.summary(automl.import_csv('target', E'a,b\n7,low\n', '{"create": false}'))->'rows';
SELECT a, b FROM imp.target WHERE a = 7;
SELECT automl.import_csv('target', E'a,b\n700,x\n', '{"create": false}');

-- bad rows: skipped and kept up to max_errors, else nothing is loaded
SELECT automl.import_csv('ragged', E'a,b\n1,2\n3\n4,5,6\n7,8\n');
SELECT to_regclass('imp.ragged');
SELECT imp.summary(automl.import_csv('ragged', E'a,b\n1,2\n3\n4,5,6\n7,8\n', '{"max_errors": 2}'));
SELECT e.line, e.error, e.raw FROM automl.import_errors e
  JOIN automl.datasets d USING (import_id) WHERE d."table" = 'imp.ragged' ORDER BY e.line;
SELECT * FROM ragged ORDER BY a;
SELECT automl.import_csv('ragged2', E'a,b\n1,2\n3\n4,5,6\n7,8\n', '{"max_errors": 1}');
SELECT to_regclass('imp.ragged2');
SELECT imp.summary(automl.import_csv('target', E'a,b\n1,ok\nbad,x\n,y\n2,toolong\n3,ok\n',
	'{"create": false, "max_errors": 5}'))->'rejected';
SELECT e.line, e.error FROM automl.import_errors e
  JOIN automl.datasets d USING (import_id) WHERE d."table" = 'imp.target' ORDER BY e.line;

-- malformed quotes, with line and column
SELECT automl.import_csv('q1', E'a,b\n1,"x"y\n');
SELECT automl.import_csv('q2', E'a,b\n1,x"y\n');
SELECT automl.import_csv('q3', E'a,b\n1,2\n3,"open\n');
SELECT imp.summary(automl.import_csv('q4', E'a,b\n1,x"y\n2,z\n', '{"max_errors": 1}'))->'rows';

-- empty input, a header with no rows, too many columns, a huge field
SELECT automl.import_csv('e1', '');
SELECT automl.import_csv('e2', E'\n\n');
SELECT automl.import_csv('e3', E'a,b\n');
SELECT automl.import_csv('e4', (SELECT string_agg('c' || i, ',') FROM generate_series(1, 10000) i) || E'\n'
	|| (SELECT string_agg(i::text, ',') FROM generate_series(1, 10000) i) || E'\n');
SELECT automl.import_csv('e5', (SELECT string_agg(i::text, ',') FROM generate_series(1, 10000) i) || E'\n', '{"header": false}');
SELECT imp.summary(automl.import_csv('e6', (SELECT string_agg('c' || i, ',') FROM generate_series(1, 1600) i) || E'\n'
	|| (SELECT string_agg(i::text, ',') FROM generate_series(1, 1600) i) || E'\n'))->'rows';
SELECT automl.import_csv('e7', E'a\n' || repeat('x', 100 * 1024 * 1024) || E'\n');
SELECT to_regclass('imp.e7');

-- options and arguments
SELECT automl.import_csv(NULL, 'a');
SELECT automl.import_csv('n1', NULL);
SELECT automl.import_csv('n1', E'a\n1\n', '[1]');
SELECT automl.import_csv('n1', E'a\n1\n', '{"delimter": ";"}');
SELECT automl.import_csv('n1', E'a\n1\n', '{"delimiter": ";;"}');
SELECT automl.import_csv('n1', E'a\n1\n', '{"delimiter": ",", "quote": ","}');
SELECT automl.import_csv('n1', E'a\n1\n', '{"header": "yes"}');
SELECT automl.import_csv('n1', E'a\n1\n', '{"newline": "x"}');
SELECT automl.import_csv('n1', E'a\n1\n', '{"null": [1]}');
SELECT automl.import_csv('n1', E'a\n1\n', '{"sample_rows": 0}');
SELECT automl.import_csv('n1', E'a\n1\n', '{"max_errors": -1}');
SELECT automl.import_csv('n1', E'a\n1\n', '{"max_field_size": 0}');
SELECT automl.import_csv('n1', E'a\n1\n', '{"flatten": true}');

-- server files: as COPY FROM a file, pg_read_server_files is needed
-- (files written with lo_export, relative to the data directory as COPY's)
SELECT lo_from_bytea(4242001, convert_to(E'k,v\n1,one\n2,two\n', 'UTF8'));
SELECT lo_export(4242001, 'automl_import_test.csv'), lo_unlink(4242001);
SELECT imp.summary(automl.import_csv_file('fromfile', 'automl_import_test.csv')) - 'source';
SELECT source FROM automl.datasets WHERE "table" = 'imp.fromfile';
SELECT * FROM fromfile ORDER BY k;
SELECT automl.import_csv_file('nofile', 'automl_no_such_file.csv');
SELECT automl.import_csv_file('nofile', '.');
SELECT automl.import_csv_file('nofile', NULL);
-- invalid UTF-8 in a file: line and column; skipped under max_errors
SELECT lo_from_bytea(4242002, '\x6b2c760a312c6f6e650a322c74ff6f0a332c7468726565'::bytea);
SELECT lo_export(4242002, 'automl_import_bad.csv'), lo_unlink(4242002);
SELECT automl.import_csv_file('badutf', 'automl_import_bad.csv');
SELECT imp.summary(automl.import_csv_file('badutf', 'automl_import_bad.csv', '{"max_errors": 1}'))->'rows';
SELECT e.line, e.error, e.raw FROM automl.import_errors e
  JOIN automl.datasets d USING (import_id) WHERE d."table" = 'imp.badutf';
CREATE ROLE automl_importer;
GRANT USAGE, CREATE ON SCHEMA imp TO automl_importer;
GRANT automl_analyst TO automl_importer;
SET ROLE automl_importer;
SELECT automl.import_csv_file('byrole', 'automl_import_test.csv');
SELECT automl.import_async('csv', 'byrole', 'automl_import_test.csv');
-- content as an argument needs no file privilege; appending needs INSERT
SELECT imp.summary(automl.import_csv('byrole', E'a\n1\n'))->'rows';
SELECT automl.import_csv('people', E'id\n9\n', '{"create": false}');
RESET ROLE;
GRANT INSERT (id) ON imp.people TO automl_importer;
SET ROLE automl_importer;
SELECT imp.summary(automl.import_csv('people', E'id\n9\n', '{"create": false}'))->'rows';
SELECT automl.import_csv('people', E'id,name\n10,x\n', '{"create": false}');
-- a role sees its own imports only
SELECT count(*) AS imports, bool_and(imported_by = current_user) AS only_mine FROM automl.datasets;
RESET ROLE;
CREATE TABLE imp.secured (a int);
ALTER TABLE imp.secured ENABLE ROW LEVEL SECURITY;
ALTER TABLE imp.secured FORCE ROW LEVEL SECURITY;
GRANT INSERT ON imp.secured TO automl_importer;
SET ROLE automl_importer;
SELECT automl.import_csv('secured', E'a\n1\n', '{"create": false}');
RESET ROLE;
SELECT automl.import_async('xml', 't', 'f');

-- atomic: a failure after rows were written leaves nothing behind
BEGIN;
SELECT imp.summary(automl.import_csv('atomic', E'a\n1\n'))->'rows';
SAVEPOINT s;
SELECT automl.import_csv('target', E'a\n1\n2\n500\n', '{"create": false}');
ROLLBACK TO s;
SELECT count(*) FROM imp.target WHERE a IN (1, 2) AND b IS NULL;
COMMIT;
SELECT count(*) FROM imp.atomic;

DROP SCHEMA imp CASCADE;
DELETE FROM automl.datasets;
DROP OWNED BY automl_importer;
REVOKE automl_analyst FROM automl_importer;
DROP ROLE automl_importer;
RESET search_path;
