-- One database per duban node on the county's PostgreSQL server (infra/compose.yaml).
-- The official postgres image runs this once, as POSTGRES_USER, when it initialises an EMPTY data
-- volume; the four services of a node share that node's database and create their tables
-- themselves (every process applies the migrations at start, under an advisory lock).
--
-- A new node: add a line here AND run it by hand on an existing server, e.g.
--   docker-compose -p duban -f infra/compose.yaml exec postgres \
--     psql -U duban -d postgres -c 'CREATE DATABASE duban_unit_003'
-- Names: duban_<node id with "-" turned into "_">.

CREATE DATABASE duban_county;
CREATE DATABASE duban_township_chengguan;
CREATE DATABASE duban_township_heji;
CREATE DATABASE duban_unit_001;
CREATE DATABASE duban_unit_002;
