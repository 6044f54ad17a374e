SELECT 1;
-- section: Bad Name
