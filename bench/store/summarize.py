#!/usr/bin/env python3
"""Summarize a bench/run_store_bench.sh results directory as a Markdown table.

Reads the Google Benchmark JSON files the script wrote (baseline*.json, write_*.json,
read_*.json), the fill markers, machine.txt and a Nova result JSON
(../shared/peers/nova-db/results/nova_sqlite.json or the one measured in the same run), and
prints the table that docs/performance.md quotes. Every number comes from those files.
"""
import argparse
import glob
import json
import os
import re
import statistics


def load(path):
    with open(path) as f:
        return json.load(f)


def runs(doc, prefix):
    """Per-repetition results (run_type iteration) of benchmarks whose name starts with prefix."""
    return [b for b in doc.get('benchmarks', [])
            if b.get('run_type') == 'iteration' and b['name'].startswith(prefix)
            and not b.get('error_occurred')]


def rate_stats(doc, prefix):
    xs = [b['items_per_second'] for b in runs(doc, prefix)]
    if not xs:
        return None
    rss = max(b.get('peak_rss_MiB', 0) for b in runs(doc, prefix))
    return {'median': statistics.median(xs), 'min': min(xs), 'max': max(xs), 'n': len(xs),
            'rss': rss}


def nova_reference(path):
    doc = load(path)
    ref = {'write': doc['write']['actions_per_s'], 'path': path}
    for r in doc.get('reads', []):
        ref['get_%d' % r['actions']] = r['get_action_with_events']['ops_s']
        ref['list_%d' % r['actions']] = r['list_actions_limit50']['ops_s']
    return ref


def fmt(x, digits=0):
    if x is None:
        return '–'
    if digits == 0:
        return '{:,.0f}'.format(x)
    return '{:,.{}f}'.format(x, digits)


def spread(s):
    if s['n'] <= 1:
        return fmt(s['median'])
    return '%s (%s–%s, n=%d)' % (fmt(s['median']), fmt(s['min']), fmt(s['max']), s['n'])


def ratio(a, b, digits=1):
    if a is None or not b:
        return '–'
    return fmt(a / b, digits) + '×'


def write_rows(out, base, nova):
    rows = []
    seq = rate_stats(load(os.path.join(out, 'write_sequential.json')), 'journal_write/sequential')
    conc = rate_stats(load(os.path.join(out, 'write_concurrent.json')), 'journal_write/concurrent')
    target_seq = 0.8 * base / 8 if base else None
    for label, s, target, target_text in (
            ('durable actions/s, 1 sequential writer (8 commits per action)', seq, target_seq,
             '≥ 0.8 × baseline/8 = %s' % fmt(target_seq)),
            ('durable actions/s, 8 concurrent writers (group commit)', conc, 10000.0,
             '≥ 10,000')):
        if s is None:
            rows.append('| %s | failed | %s | | | | |' % (label, target_text))
            continue
        ok = 'yes' if target and s['median'] >= target else 'no'
        rows.append('| %s | %s | %s | %s | %s | %s | %s |' % (
            label, spread(s), target_text, ok, ratio(s['median'], base / 8 if base else None, 2),
            ratio(s['median'], nova.get('write')), fmt(s['rss'], 1)))
    return rows


def read_rows(out, nova):
    rows = []
    sizes = sorted({int(m.group(1)) for p in glob.glob(os.path.join(out, 'read_*_*.json'))
                    for m in [re.search(r'read_\w+?_(\d+)\.json$', p)] if m})
    for op, title in (('get', 'get-with-events'), ('list', 'list-50')):
        by_size = {}
        for n in sizes:
            path = os.path.join(out, 'read_%s_%d.json' % (op, n))
            if not os.path.exists(path):
                continue
            doc = load(path)
            for threads in (1, 2):
                s = rate_stats(doc, 'journal_%s/actions:%d/' % (op, n))
                s = rate_stats_threads(doc, op, n, threads)
                if s is None:
                    continue
                by_size[(n, threads)] = s
        small = min(sizes) if sizes else None
        for (n, threads), s in sorted(by_size.items()):
            ok = 'yes' if s['median'] >= 20000 else 'no'
            vs_small = ''
            if n != small and (small, threads) in by_size:
                slow = by_size[(small, threads)]['median'] / s['median']
                vs_small = ' (%s slower than %s: %s)' % (
                    fmt(slow, 2) + '×', fmt(small), 'within 1.5×' if slow <= 1.5 else 'NOT within 1.5×')
            rows.append('| %s/s at %s actions, %d thread%s | %s | ≥ 20,000%s | %s | | %s | %s |' % (
                title, fmt(n), threads, '' if threads == 1 else 's', spread(s), vs_small, ok,
                ratio(s['median'], nova.get('%s_200000' % op)), fmt(s['rss'], 1)))
    return rows


def rate_stats_threads(doc, op, n, threads):
    xs = [b for b in runs(doc, 'journal_%s/actions:%d/' % (op, n))
          if b['name'].endswith('threads:%d' % threads)]
    if not xs:
        return None
    vals = [b['items_per_second'] for b in xs]
    return {'median': statistics.median(vals), 'min': min(vals), 'max': max(vals),
            'n': len(vals), 'rss': max(b.get('peak_rss_MiB', 0) for b in xs)}


def fill_lines(data_dir):
    lines = []
    for marker in sorted(glob.glob(os.path.join(data_dir, '*.db.done'))):
        text = open(marker).read()
        kv = dict(re.findall(r'(\w+)=([\w.]+)', text))
        db = marker[:-len('.done')]
        size = os.path.getsize(db) if os.path.exists(db) else 0
        lines.append('- `%s`: %s actions, filled from %s in %s s, %s MiB (%s bytes/action)' % (
            os.path.basename(db), fmt(int(kv['actions'])), fmt(int(kv['filled_from'])),
            fmt(float(kv['fill_seconds']), 1), fmt(size / 2**20), fmt(size / int(kv['actions']))))
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('out', help='results directory of run_store_bench.sh')
    ap.add_argument('--nova-json', required=True)
    ap.add_argument('--data-dir', required=True)
    args = ap.parse_args()
    nova = nova_reference(args.nova_json)
    base_s = rate_stats(load(os.path.join(args.out, 'baseline.json')), 'raw_sqlite_commit')
    after = os.path.join(args.out, 'baseline_after.json')
    after_s = rate_stats(load(after), 'raw_sqlite_commit') if os.path.exists(after) else None
    base = base_s['median'] if base_s else None
    print('| workload | actionlog (median of runs, min–max) | target | met | × baseline/8 | '
          '× Nova (SQLite) | peak RSS MiB |')
    print('|---|---|---|---|---|---|---|')
    print('| baseline: raw SQLite 1-row commits/s, WAL + synchronous=FULL (before) | %s | | | '
          '1 (÷8 = %s actions/s) | | %s |' % (spread(base_s), fmt(base / 8 if base else None),
                                             fmt(base_s['rss'], 1)))
    if after_s:
        print('| baseline again, after the write phases | %s | | | | | %s |' % (
            spread(after_s), fmt(after_s['rss'], 1)))
    for row in write_rows(args.out, base, nova) + read_rows(args.out, nova):
        print(row)
    print()
    print('Nova reference: `%s`: %s actions/s fully recorded; at 200k actions %s get-with-events/s'
          ' and %s list-50/s. Read ratios are against Nova at 200k actions (Nova was not run at 2M).'
          % (nova['path'], fmt(nova['write'], 1), fmt(nova.get('get_200000'), 1),
             fmt(nova.get('list_200000'), 1)))
    print()
    print('Read databases (built once with CloneActionWithEvents, Durability::kNormal, cached):')
    for line in fill_lines(args.data_dir):
        print(line)


if __name__ == '__main__':
    main()
