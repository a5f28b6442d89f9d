-- automl.import_json / import_json_file: JSON arrays and NDJSON into tables
\set VERBOSITY default
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS automl;
CREATE SCHEMA impj;
SET search_path = impj, public;
CREATE FUNCTION impj.summary(r jsonb) RETURNS jsonb LANGUAGE sql AS
$$ SELECT r - 'seconds' - 'import_id' - 'profile' $$;

-- an array of objects: the union of the keys, types inferred, nested
-- values as jsonb, a missing key is NULL
SELECT impj.summary(automl.import_json('arr', '[
  {"id": 1, "name": "Ann", "tags": ["a", "b"], "addr": {"city": "Oslo", "zip": "0150"}, "at": "2024-01-05T10:00:00Z"},
  {"id": 2, "score": 1.5, "addr": {"city": "Rome"}, "ok": true},
  {"id": 3000000000, "name": null, "score": 2, "ok": false, "at": "2024-02-01"}]'));
SELECT * FROM arr ORDER BY id;
SELECT addr->>'city' FROM arr ORDER BY id;

-- NDJSON, blank lines and CR LF included
SELECT impj.summary(automl.import_json('nd', E'{"a": 1, "b": "x"}\r\n\r\n{"a": 2, "b": "y"}\n{"b": "z"}'));
SELECT * FROM nd ORDER BY b;
SELECT format, rows FROM automl.datasets WHERE "table" = 'impj.nd';

-- options.flatten: nested objects become "a.b" columns, arrays stay jsonb
SELECT impj.summary(automl.import_json('flat',
	E'{"a": 1, "b": {"c": {"d": true}, "l": [1, 2]}}\n{"a": 2, "b": {"c": {"d": false}, "e": "2024-01-01"}}\n',
	'{"flatten": true}'))->'columns';
SELECT a, "b.c.d", "b.l", "b.e" FROM flat ORDER BY a;

-- mixed kinds widen: number and string -> text, anything with an object -> jsonb
SELECT impj.summary(automl.import_json('mixed',
	E'{"n": 1, "s": "x", "j": 1}\n{"n": "two", "s": 2, "j": {"k": "v"}}\n{"n": 3.5, "s": true, "j": "str"}\n'))->'columns';
SELECT * FROM mixed;

-- numbers load as written: scale, big integers, numbers inside jsonb
SELECT impj.summary(automl.import_json('nums',
	E'{"a": 12.30, "c": 5.00, "big": 123456789012345678901234567890, "j": {"x": 0.10}}\n'
	 '{"a": 1.05, "c": 7.0, "big": 1, "j": [1.50, -0]}\n'))->'columns';
SELECT a, c, big, j FROM nums ORDER BY a;

-- key names made valid and unique; unicode and escapes survive
SELECT impj.summary(automl.import_json('keys', '[{"Key One": 1, "key_one": 2, "": 3, "select": 4, "naïve": "é\u00e9\n\"q\""}]'))->'columns';
SELECT "select", "naïve" FROM keys;
SELECT impj.summary(automl.import_json('keys2', '[{"Key One": 1}]', '{"normalize_names": false}'))->'columns';

-- sample_rows: a later key or a wider value remakes the table
SELECT impj.summary(automl.import_json('samp', E'{"a": 1}\n{"a": 2}\n{"a": "x", "b": 1}\n', '{"sample_rows": 2}'))->'columns';
SELECT * FROM samp ORDER BY b NULLS FIRST, a;

-- appending: keys bind to columns by name; strings into jsonb are quoted
CREATE TABLE impj.target (id serial, a int NOT NULL, b jsonb, c text, d varchar(2));
SELECT impj.summary(automl.import_json('target',
	E'{"a": 1, "b": "str", "c": {"x": 1}}\n{"A": 2, "b": {"k": [1, 2]}, "c": "plain"}\n', '{"create": false}'));
SELECT a, b, c FROM impj.target ORDER BY id;
SELECT automl.import_json('target', E'{"a": 1, "zz": 2}\n', '{"create": false}');
SELECT automl.import_json('target', E'{"a": "x"}\n', '{"create": false}');
SELECT automl.import_json('target', E'{"b": 1}\n', '{"create": false}');
SELECT automl.import_json('target', E'{"a": 1, "d": "abc"}\n', '{"create": false}');
SELECT impj.summary(automl.import_json('target', E'{"a": 5}\n{"a": 6, "zz": 1}\n{"a": null}\n{"a": 7}\n',
	'{"create": false, "max_errors": 2}'))->'rejected';
SELECT e.line, e.error FROM automl.import_errors e JOIN automl.datasets d USING (import_id)
 WHERE d."table" = 'impj.target' ORDER BY e.line;

-- bad input: with line and column, nothing loaded
SELECT automl.import_json('b1', E'{"a": 1}\n{"a": 2\n{"a": 3}\n');
SELECT automl.import_json('b2', '[{"a": 1}, {"a": 2},]');
SELECT automl.import_json('b3', '[{"a": 1} {"a": 2}]');
SELECT automl.import_json('b4', '[{"a": 1}] x');
SELECT automl.import_json('b5', E'{"a": 1}\n[1, 2]\n');
SELECT automl.import_json('b6', E'{"a": 1}\n"str"\n');
SELECT automl.import_json('b7', '{"a": 1, "a": 2}');
SELECT automl.import_json('b8', '{"a": "x\u0000y"}');
SELECT automl.import_json('b9', '');
SELECT automl.import_json('b9', '[]');
SELECT automl.import_json('b9', '{}');
SELECT automl.import_json('b10', repeat('[', 5000) || repeat(']', 5000));
SELECT automl.import_json('b11', '{"a": ' || repeat('{"b": ', 2000) || '1' || repeat('}', 2000) || '}');
SELECT automl.import_json('b12', '{' || (SELECT string_agg(format('"k%s": %s', i, i), ', ') FROM generate_series(1, 1700) i) || '}');
SELECT automl.import_json('b13', '{"a": "' || repeat('x', 2000) || '"}', '{"max_object_size": 1000}');
SELECT impj.summary(automl.import_json('b14', E'{"a": 1}\n{"a": 2\n{"a": 3}\n', '{"max_errors": 1}'))->'rows';
SELECT to_regclass('impj.b1'), to_regclass('impj.b2'), to_regclass('impj.b13');

-- options.profile profiles the new table
SELECT (r->'profile'->>'row_count')::int AS profiled_rows, r->'profile'->>'column_count' AS profiled_columns
  FROM automl.import_json('prof', E'{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n', '{"profile": true}') r;

-- options and arguments
SELECT automl.import_json(NULL, '{}');
SELECT automl.import_json('o1', '{"a": 1}', '{"delimiter": ","}');
SELECT automl.import_json('o1', '{"a": 1}', '{"flatten": 1}');
SELECT automl.import_json('o1', '{"a": 1}', '{"max_object_size": 0}');

-- a server file
SELECT lo_from_bytea(4242011, convert_to(E'[{"k": 1, "v": "one"},\n {"k": 2, "v": "two"}]\n', 'UTF8'));
SELECT lo_export(4242011, 'automl_import_test.json'), lo_unlink(4242011);
SELECT impj.summary(automl.import_json_file('fromfile', 'automl_import_test.json'))->'rows';
SELECT * FROM fromfile ORDER BY k;
SELECT lo_from_bytea(4242012, '\x7b2261223a20317d0a7b2261223a2022ff227d0a7b2261223a20337d0a'::bytea);
SELECT lo_export(4242012, 'automl_import_bad.json'), lo_unlink(4242012);
SELECT automl.import_json_file('badutf', 'automl_import_bad.json');
SELECT impj.summary(automl.import_json_file('badutf', 'automl_import_bad.json', '{"max_errors": 1}'))->'rows';
SELECT automl.import_json_file('nofile', 'automl_no_such_file.json');
CREATE ROLE automl_json_importer;
GRANT automl_analyst TO automl_json_importer;
SET ROLE automl_json_importer;
SELECT automl.import_json_file('byrole', 'automl_import_test.json');
RESET ROLE;

DROP SCHEMA impj CASCADE;
DELETE FROM automl.datasets;
REVOKE automl_analyst FROM automl_json_importer;
DROP ROLE automl_json_importer;
RESET search_path;
