-- bench/load/profile.sql: read the stored profile of load_data.
SELECT automl.get_profile('load_data')->'row_count';
