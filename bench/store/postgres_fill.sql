-- Fills a journal database directly (for read benchmarks only: no change-log entries, so
-- `actionlog verify` would reject it): 200 instances, :n actions round-robin over them, 3 events
-- each, then VACUUM ANALYZE as autovacuum would.
INSERT INTO instances (uuid, project_id, created_at)
  SELECT '00000000-0000-4000-8000-' || lpad(k::text, 12, '0'), 'proj', now()
  FROM generate_series(0, 199) k;
INSERT INTO instance_actions (created_at, updated_at, action, instance_uuid, request_id, user_id,
                              project_id, start_time, finish_time)
  SELECT now() + i * interval '1 us', now(), 'reboot',
         '00000000-0000-4000-8000-' || lpad((i % 200)::text, 12, '0'), 'req-' || i, 'user',
         'proj', now(), now()
  FROM generate_series(1, :n) i;
INSERT INTO instance_actions_events (created_at, updated_at, event, action_id, start_time,
                                     finish_time, result, host)
  SELECT now(), now(), 'ev' || j, a.id, now() + j * interval '1 ms', now(), 'Success', 'host1'
  FROM instance_actions a, generate_series(1, 3) j;
VACUUM ANALYZE;
