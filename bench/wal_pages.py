#!/usr/bin/env python3
"""Pages each commit in a SQLite write-ahead log wrote, by table or index.

  bench/wal_pages.py DATA/relayer.db

Reads DB-wal (the frames of the log's current generation: each frame names its page, the last
frame of a commit says so), copies the database and its log aside, and maps page numbers to the
b-tree that owns them with SQLite's dbstat table. Run it on the files of a server killed mid-run
(kill -9), so that the log still holds what the last commits wrote.
"""
import collections
import os
import shutil
import sqlite3
import struct
import sys
import tempfile


def commits_in(wal_path):
    wal = open(wal_path, 'rb').read()
    if len(wal) < 32:
        return []
    _magic, _version, page_size, _seq, salt1, salt2, _c1, _c2 = struct.unpack('>8I', wal[:32])
    frame = 24 + page_size
    commits, pages = [], []
    for offset in range(32, len(wal) - frame + 1, frame):
        page, commit_size, s1, s2 = struct.unpack('>4I', wal[offset:offset + 16])
        if (s1, s2) != (salt1, salt2):
            break  # a frame of an earlier generation of the log
        pages.append(page)
        if commit_size:
            commits.append(pages)
            pages = []
    return commits


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    db = sys.argv[1]
    commits = commits_in(db + '-wal')
    if not commits:
        sys.exit('no commits in ' + db + '-wal')
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, 'copy.db')
        shutil.copy(db, copy)
        shutil.copy(db + '-wal', copy + '-wal')
        owner = dict(sqlite3.connect(copy).execute('SELECT pageno, name FROM dbstat'))
    counts = collections.Counter()
    for pages in commits:
        for page in set(pages):
            counts[owner.get(page, '(free or new)')] += 1
    n = len(commits)
    print('%d commits, %.1f frames per commit' % (n, sum(map(len, commits)) / n))
    for name, count in counts.most_common():
        print('%6.2f pages per commit  %s' % (count / n, name))


if __name__ == '__main__':
    main()
