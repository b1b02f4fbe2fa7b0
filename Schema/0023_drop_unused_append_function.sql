-- Since 0020 (a lone append as one prepared statement) and the group statement that followed it
-- (`GroupCommitter.groupStatement`), nothing calls 0019's `stipple_append_streams`: several requests
-- go as one prepared statement, and what it leaves over goes alone to `stipple_append_batch`.
DROP FUNCTION stipple_append_streams(integer[], text[], integer[], integer[], integer[], jsonb);
