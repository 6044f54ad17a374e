-- title: Sandbox
-- description: sections the sandbox refuses or stops

-- section: tok
-- title: Tokenizer
SELECT hex(fts3_tokenizer('simple')) AS address;

-- section: loop
-- title: Loop
-- chart: line x=x y=x
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c;

-- section: files
-- title: Files
SELECT file FROM pragma_database_list;

-- section: mode
-- title: Mode
SELECT count(*) FROM pragma_journal_mode('delete');

-- section: ext
-- title: Extension
SELECT load_extension('/tmp/x.so');
