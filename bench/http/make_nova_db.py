#!/usr/bin/python3
"""Writes a Nova-format cell database for the HTTP benchmarks.

    make_nova_db.py OUT.sqlite [--instances 4000] [--actions-per-instance 50]

Schema: copied from tests/acceptance/golden/nova-db.sqlite (Nova's own DDL). Data: N instances
of project "benchproj" with M actions each (200k actions by default); the first instance
(BENCH_SERVER below) has 5 events per action, the others 1. Import it with
`actionlog import --from-nova sqlite:///OUT.sqlite --db ...`.
"""
import argparse
import datetime
import os
import sqlite3
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, '..', '..', 'tests', 'acceptance', 'golden', 'nova-db.sqlite')
BENCH_SERVER = '00000000-0000-4000-8000-000000000000'
PROJECT = 'benchproj'
USER = 'benchuser'


def ts(base, seconds):
    return (base + datetime.timedelta(seconds=seconds)).strftime('%Y-%m-%d %H:%M:%S.%f')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--instances', type=int, default=4000)
    ap.add_argument('--actions-per-instance', type=int, default=50)
    args = ap.parse_args()
    if os.path.exists(args.out):
        os.remove(args.out)
    src = sqlite3.connect(GOLDEN)
    dst = sqlite3.connect(args.out)
    for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                              "AND name NOT LIKE 'sqlite_%' ORDER BY type DESC"):
        dst.execute(sql)
    base = datetime.datetime(2026, 1, 1)
    action_id = 0
    event_id = 0
    t = 0
    for i in range(args.instances):
        server = BENCH_SERVER if i == 0 else str(uuid.UUID(int=(i << 64) | 0x4000800000000000))
        dst.execute('INSERT INTO instances (created_at, updated_at, id, uuid, project_id, user_id,'
                    ' host, display_name, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)',
                    (ts(base, t), ts(base, t), i + 1, server, PROJECT, USER, 'compute1',
                     'bench-%d' % i))
        events_per_action = 5 if i == 0 else 1
        actions = []
        events = []
        for a in range(args.actions_per_instance):
            action_id += 1
            t += 1
            start = ts(base, t)
            finish = ts(base, t + 0.5)
            actions.append((start, finish, action_id, 'reboot', server,
                            'req-%s' % uuid.UUID(int=action_id | (0x4000 << 64)), USER, PROJECT,
                            start, finish))
            for e in range(events_per_action):
                event_id += 1
                events.append((ts(base, t + 0.1 * e), ts(base, t + 0.1 * e + 0.05), event_id,
                               'compute_step_%d' % e, action_id, ts(base, t + 0.1 * e),
                               ts(base, t + 0.1 * e + 0.05), 'Success', 'compute1'))
        dst.executemany('INSERT INTO instance_actions (created_at, updated_at, id, action,'
                        ' instance_uuid, request_id, user_id, project_id, start_time,'
                        ' finish_time, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)', actions)
        dst.executemany('INSERT INTO instance_actions_events (created_at, updated_at, id, event,'
                        ' action_id, start_time, finish_time, result, host, deleted)'
                        ' VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)', events)
    dst.commit()
    print('%s: %d instances, %d actions, %d events; bench server %s' % (
        args.out, args.instances, action_id, event_id, BENCH_SERVER))


if __name__ == '__main__':
    main()
