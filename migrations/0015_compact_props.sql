-- contacts.props in the compact form the worker now writes (src/db/props-column.ts): `[key, value]`
-- pairs, with the type as a third element only when it is not "text", instead of objects that repeated
-- "key", "value" and "type":"text" in every prop. About 200 bytes less per contact (D1 holds at most
-- 10 GB per database). Hand-written: the column's type does not change, only what it holds. It runs
-- while the workers already deployed serve, so they must read both forms (as of the release before it).
--
-- Only rows still holding objects are rewritten, each prop in its place (json_each's key is its index).
-- `version` and `updated_at` stay: the props are the same, only stored differently. No trigger fires:
-- the search index (0001) and contact_counts (0006) follow updates of other columns only. The rows keep
-- their pages (the bytes freed are free space inside them until the table is rebuilt); new contacts take
-- the smaller size at once.
UPDATE `contacts` SET `props` = (
  SELECT json_group_array(
    CASE json_extract(p.value, '$.type')
      WHEN 'text' THEN json_array(json_extract(p.value, '$.key'), json_extract(p.value, '$.value'))
      ELSE json_array(json_extract(p.value, '$.key'), json_extract(p.value, '$.value'), json_extract(p.value, '$.type'))
    END
    ORDER BY p.key)
  FROM json_each(`contacts`.`props`) p
)
WHERE `props` LIKE '[{%';
