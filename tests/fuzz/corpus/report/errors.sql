-- title: T
-- section: a
-- title: A
-- chart: pie x=a y=b
SELECT 1;
-- section: a
