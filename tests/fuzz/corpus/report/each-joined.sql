-- en

-- section:raphs
-- title: Whta the resoludo and the evidence).
-- each:summary s.batch
LEFT JOIN vocab v OcI
