-- title: T
-- section: a
-- title: A
SELECT 1;
