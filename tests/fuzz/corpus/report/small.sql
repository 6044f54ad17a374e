-- title: Small
-- description: A report with every kind of chart.
-- and a comment that is not a header

-- section: by-kind
-- title: By kind
-- description: Leaf items
-- description: of each kind.
-- chart: bar x=kind y=progress
SELECT kind, count(*) AS items, round(avg(progress), 1) AS progress
FROM items GROUP BY kind ORDER BY kind;

-- section: over-time
-- title: Over time
-- chart: line x=month y=progress
SELECT month, sum(progress_sum) / sum(items) AS progress FROM progress_by_month
GROUP BY month;

-- section: statuses
-- title: Statuses
-- chart: stack x=kind series=status y=items
SELECT kind, status, count(*) AS items FROM items GROUP BY kind, status;
